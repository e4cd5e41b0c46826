"""Shared fixtures. Real peers (servers, SDKs) are started by fixtures in tests/integration/conftest.py."""
