"""Errors of the Lambda integration.

```
OtelrayError
└─ LambdaError
   ├─ LambdaConfigError   a bad layer variable (exporter name, daemon address) or handler path
   ├─ HandlerError        ORIG_HANDLER missing, without a ".", or not importable
   └─ LayerBuildError     pip could not install the layer's packages
```
"""

from __future__ import annotations

from otelray.errors import OtelrayError


class LambdaError(OtelrayError):
    """Base class of ``otelray.aws_lambda`` errors."""


class LambdaConfigError(LambdaError, ValueError):
    """A Lambda layer setting has a value otelray cannot use."""


class HandlerError(LambdaError, ValueError):
    """The original handler cannot be found (upstream ``otel_wrapper.HandlerError``)."""


class LayerBuildError(LambdaError):
    """Building the layer failed (the pip output is in the message)."""
