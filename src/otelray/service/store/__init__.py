"""Trace stores of the local X-Ray service: the ``Store`` protocol and the embedded SQLite store."""

from __future__ import annotations

from otelray.service.store.base import Cursor, Store, StoredDocument, TimeRangeType, TraceRow
from otelray.service.store.sqlite import SQLiteStore

__all__ = ["Cursor", "SQLiteStore", "Store", "StoredDocument", "TimeRangeType", "TraceRow"]
