"""otelray.console."""
