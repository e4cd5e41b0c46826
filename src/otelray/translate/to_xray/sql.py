"""The ``sql`` block (contrib ``translator/sql.go`` ``makeSQL``).

Only for SQL ``db.system`` values; then ``db.connection_string``, ``db.system``, ``db.name``,
``db.statement`` and ``db.user`` are consumed. Despite what the X-Ray documents say, upstream puts the
span name in ``url`` (the connection string there "is not useful") and keeps
``<connection string or localhost>/<db.name>`` as ``connection_string`` (reference §1.6). For other
systems the ``db.*`` attributes stay for metadata.
"""

from __future__ import annotations

from typing import Any

from otelray.translate.to_xray.spanview import SpanView
from otelray.translate.to_xray.values import Attrs, as_str

SQL_SYSTEMS = frozenset(
    {"db2", "derby", "hive", "mariadb", "mssql", "mysql", "oracle", "postgresql", "sqlite", "teradata", "other_sql"}
)
_SQL_KEYS = frozenset({"db.connection_string", "db.system", "db.name", "db.statement", "db.user"})


def make_sql(span: SpanView, attrs: Attrs) -> tuple[Attrs, dict[str, Any] | None]:
    """Build the ``sql`` block from db.* attributes; non-SQL systems pass through untouched."""
    system = attrs.get("db.system")
    if system is None or as_str(system) not in SQL_SYSTEMS:
        return attrs, None
    found: dict[str, str] = {}
    remaining: Attrs = {}
    for key, value in attrs.items():  # one pass: the db.* keys read, the others kept
        if key in _SQL_KEYS:
            found[key] = as_str(value)
        else:
            remaining[key] = value
    connection = (found.get("db.connection_string") or "localhost") + "/" + found.get("db.name", "")
    block: dict[str, Any] = {"connection_string": connection}
    if span.name:
        block["url"] = span.name
    for field, key in (("sanitized_query", "db.statement"), ("database_type", "db.system"), ("user", "db.user")):
        if found.get(key):
            block[field] = found[key]
    return remaining, block
