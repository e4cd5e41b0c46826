"""otelray.service."""
