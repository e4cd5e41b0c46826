"""Collector configuration: YAML loading, the top-level model and the shared config blocks."""
