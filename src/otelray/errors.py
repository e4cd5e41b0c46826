"""The root of otelray's exception tree.

```
OtelrayError
├─ otelray.xray.errors.XRayError              malformed ids, headers, datagrams, documents
├─ otelray.collector.errors.CollectorError    config, component, export errors
└─ otelray.service.errors.ServiceError        X-Ray API errors with their AWS code and HTTP status
```
Each package owns its subtree in its own ``errors`` module.
"""

from __future__ import annotations


class OtelrayError(Exception):
    """Base class of every error otelray raises on purpose."""
