"""otelray.distro."""
