"""The ``sql`` block → ``db.*`` span attributes (awsxray receiver ``sql.go``).

``url`` is split into ``db.connection_string`` and ``db.name`` by the receiver's pattern
``protocol+transport://host:port/dbName?query``; a url without a database name makes the receiver
reject the whole document, and so does otelray. ``database_type`` → ``db.system``,
``sanitized_query`` → ``db.statement``, ``user`` → ``db.user``. ``connection_string`` is not mapped
(the exporter never writes it either).
"""

from __future__ import annotations

import re
from typing import Any

from otelray.translate.from_xray.attributes import Attrs, put_str
from otelray.translate.from_xray.rejected import Rejected

# Go's RE2 ``$`` is end of text; Python's would also match before a final newline, hence ``\Z``.
_SQL_URL = re.compile(r"^(.+//.+)/([^?]+)\??.*\Z")


def split_sql_url(url: str) -> tuple[str, str] | None:
    """``(connection url, database name)`` of a SQL url, or ``None`` when it names no database."""
    match = _SQL_URL.match(url)
    return (match.group(1), match.group(2)) if match else None


def make_sql(entity: dict[str, Any], attrs: Attrs) -> None:
    """Add the db attributes of ``entity``.

    Raises:
        Rejected: when ``sql.url`` names no database.
    """
    sql = entity.get("sql")
    if not isinstance(sql, dict):
        return None
    url = sql.get("url")
    if isinstance(url, str):
        parts = split_sql_url(url)
        if parts is None:
            raise Rejected(
                f'failed to parse out the database name in the "sql.url" field, rawUrl: {url}', "invalid_sql_url"
            )
        attrs["db.connection_string"], attrs["db.name"] = parts
    put_str(attrs, "db.system", sql.get("database_type"))
    put_str(attrs, "db.statement", sql.get("sanitized_query"))
    put_str(attrs, "db.user", sql.get("user"))
