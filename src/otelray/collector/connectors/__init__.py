"""Collector connectors: an exporter at the end of one pipeline and a receiver at the start of another."""
