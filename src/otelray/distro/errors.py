"""The distro's exception tree.

```
OtelrayError
└─ DistroError
   ├─ SamplerConfigError        bad OTEL_TRACES_SAMPLER_ARG for the xray sampler
   ├─ SamplingRuleError         one sampling rule record that cannot be used (names rule and field)
   └─ SamplingEndpointError     GetSamplingRules / SamplingTargets unreachable or answered badly
```
None of these reaches the application: the sampler logs one warning per problem and falls back.
"""

from __future__ import annotations

from otelray.errors import OtelrayError


class DistroError(OtelrayError):
    """Base of the distro's errors."""


class SamplerConfigError(DistroError, ValueError):
    """The X-Ray sampler's argument string cannot be used."""


class SamplingRuleError(DistroError, ValueError):
    """A sampling rule record is malformed; the message names the rule and the field."""


class SamplingEndpointError(DistroError):
    """The sampling endpoint could not be reached or sent an unusable answer."""
