"""Span name and kind from a segment's name, namespace and role (awsxray receiver ``name.go``).

The span is named after the (sub)segment. A ``client_ip`` in the HTTP request marks a server; no
namespace (or ``local``, sent by aws-xray-sdk for local subsegments) means INTERNAL unless already a
server; ``aws`` and ``remote`` mean CLIENT, and ``aws`` also records ``aws.service`` = name. Any other
namespace makes the receiver reject the whole document. A top-level document that is not an
independent subsegment is always a SERVER span (``translator.go``).
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otelray.translate.from_xray.attributes import Attrs
from otelray.translate.from_xray.rejected import Rejected

AWS_SERVICE = "aws.service"
_KNOWN_NAMESPACES = ("aws", "remote", "local")


def make_kind(entity: dict[str, Any], attrs: Attrs) -> int:
    """The span kind implied by ``entity``'s namespace.

    Raises:
        Rejected: for a namespace other than ``aws``, ``remote`` or ``local``.
    """
    http = entity.get("http")
    request = http.get("request") if isinstance(http, dict) else None
    kind = Span.SPAN_KIND_UNSPECIFIED
    if isinstance(request, dict) and isinstance(request.get("client_ip"), str):
        kind = Span.SPAN_KIND_SERVER
    namespace = entity.get("namespace")
    if namespace is None or namespace == "local":
        return kind or Span.SPAN_KIND_INTERNAL
    if namespace not in _KNOWN_NAMESPACES:
        raise Rejected(f"unexpected namespace: {namespace}", "unexpected_namespace")
    if namespace == "aws":
        attrs[AWS_SERVICE] = entity["name"]
    return Span.SPAN_KIND_CLIENT
