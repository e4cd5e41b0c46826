"""Configuration errors of the collector's AWS components (region, credentials, endpoints).

```
OtelrayError
└─ CollectorError
   └─ AwsConfigError     no region found, no source credentials for role_arn, bad endpoint
```
Export-time failures use the collector's ``PermanentError`` / ``RetryableError`` / ``ThrottledError``.
"""

from __future__ import annotations

from otelray.collector.errors import CollectorError


class AwsConfigError(CollectorError, ValueError):
    """An AWS component cannot be set up from its configuration and environment."""
