"""otelray.translate."""
