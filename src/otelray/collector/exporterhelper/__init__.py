"""The exporter helper: queue → retry → timeout → push around an exporter's ``push(batch)``."""
