"""otelray.xray."""
