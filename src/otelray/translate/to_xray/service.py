"""The segment ``service`` block (contrib ``translator/service.go`` ``makeService``).

``version`` comes from the resource's ``service.version``, else the first ``container.image.tags``
element, else ``container.image.tag`` (reference §1.9); no such attribute, no block.
"""

from __future__ import annotations

from typing import Any

from otelray.translate.to_xray.values import Attrs, as_str


def make_service(resource: Attrs) -> dict[str, Any] | None:
    """The ``service`` block for a resource, or None."""
    value = resource.get("service.version")
    if value is not None:
        version = as_str(value)
    elif type(resource.get("container.image.tags")) is tuple and resource["container.image.tags"]:
        version = as_str(resource["container.image.tags"][0])
    elif "container.image.tag" in resource:
        version = as_str(resource["container.image.tag"])
    else:
        return None
    return {"version": version} if version else {}
