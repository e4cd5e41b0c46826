"""otelray: an AWS Distro for OpenTelemetry in Python, with a local X-Ray-compatible backend."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # Looked up lazily: reading package metadata costs milliseconds, and every instrumented program
    # imports this package at start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("otelray")
        except PackageNotFoundError:  # running from a source tree that is not installed
            return "0.0.0+unknown"
    raise AttributeError(f"module 'otelray' has no attribute {name!r}")
