"""The syntax tree of X-Ray filter expressions and the keyword table (X-Ray developer guide,
"Using filter expressions": boolean, number, string and complex keywords).

Keywords are case-insensitive and belong to a *scope*: trace-level keywords describe the root
segment and the trace summary; inside ``service(){…}`` and ``edge(){…}`` they describe one request
to that node or along that edge; inside ``rootcause.<kind>.<level>{…}`` they describe one entry of
the enumerated root-cause list (``index`` counts from 0, ``first``/``last`` mark the ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "KEYWORDS",
    "SCOPE_KEYWORDS",
    "And",
    "Annotation",
    "Compare",
    "Edge",
    "Expr",
    "Kind",
    "Not",
    "Or",
    "Ref",
    "RootCause",
    "RootCauseJson",
    "Scope",
    "Service",
]


class Kind(StrEnum):
    """The value type of a keyword, which decides its operators."""

    BOOL = "boolean"
    NUMBER = "number"
    STRING = "string"


class Scope(StrEnum):
    """Where a keyword is evaluated."""

    TRACE = "trace"
    SERVICE = "service()"
    EDGE = "edge()"
    RC_SERVICE = "rootcause.*.service"
    RC_ENTITY = "rootcause.*.entity"
    RC_EXCEPTION = "rootcause.*.exception"


KEYWORDS: dict[str, Kind] = {
    **dict.fromkeys(("ok", "error", "fault", "throttle", "partial", "inferred", "root", "first", "last",
                     "remote"), Kind.BOOL),
    **dict.fromkeys(("responsetime", "duration", "http.status", "index", "coverage"), Kind.NUMBER),
    **dict.fromkeys(("http.url", "http.method", "http.useragent", "http.clientip", "user", "name", "type",
                     "message", "availabilityzone", "instance.id", "resource.arn", "account.id"), Kind.STRING),
}

_STATUS = ("ok", "error", "fault", "throttle")
SCOPE_KEYWORDS: dict[Scope, frozenset[str]] = {
    Scope.TRACE: frozenset((*_STATUS, "partial", "inferred", "responsetime", "duration", "http.status",
                            "http.url", "http.method", "http.useragent", "http.clientip", "user", "name",
                            "type", "availabilityzone", "instance.id", "resource.arn", "account.id")),
    Scope.SERVICE: frozenset((*_STATUS, "partial", "inferred", "root", "responsetime", "duration",
                              "http.status", "name", "type", "account.id")),
    Scope.EDGE: frozenset((*_STATUS, "partial", "responsetime", "duration", "http.status")),
    Scope.RC_SERVICE: frozenset(("name", "type", "account.id", "inferred", "index", "first", "last")),
    Scope.RC_ENTITY: frozenset(("name", "remote", "message", "coverage", "index", "first", "last")),
    Scope.RC_EXCEPTION: frozenset(("name", "message", "remote", "index", "first", "last")),
}


class Expr:
    """Base class of filter syntax-tree nodes."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Or(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class And(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not(Expr):
    item: Expr


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    """``keyword [op value]``; a bare keyword is stored as ``op=None``; booleans as ``= true|false``."""

    keyword: str
    kind: Kind
    op: str | None
    value: Any


@dataclass(frozen=True, slots=True)
class Annotation(Expr):
    """``annotation.key [op value]``: bare = the key is set."""

    key: str
    op: str | None
    value: Any


@dataclass(frozen=True, slots=True)
class Ref:
    """A node reference: ``"name"`` or ``id(name: …, type: …, account.id: …)``; unset parts match any."""

    name: str | None = None
    type: str | None = None
    account_id: str | None = None


@dataclass(frozen=True, slots=True)
class Service(Expr):
    """``service(ref) {body}``: some node matching ``ref`` handled a request matching ``body``."""

    ref: Ref | None
    body: Expr | None


@dataclass(frozen=True, slots=True)
class Edge(Expr):
    """``edge(source, destination) {body}``: some call along the edge matches ``body``."""

    source: Ref
    destination: Ref
    body: Expr | None


@dataclass(frozen=True, slots=True)
class RootCause(Expr):
    """``rootcause.<kind>.<level> {body}`` with kind fault|error|responsetime, level service|entity|exception."""

    kind: str
    level: str
    body: Expr


@dataclass(frozen=True, slots=True)
class RootCauseJson(Expr):
    """``rootcause.json = #[…]``: each pattern matches some root cause; omitted fields are wildcards."""

    patterns: tuple[Any, ...]
