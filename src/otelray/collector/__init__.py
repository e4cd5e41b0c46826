"""otelray.collector."""
