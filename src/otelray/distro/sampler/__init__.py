"""The X-Ray remote sampler: rules and targets polled from an X-Ray sampling endpoint.

Public names are imported lazily so that ``import otelray.distro.sampler`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otelray.distro.sampler.remote import XRayRemoteSampler, xray_sampler_factory

__all__ = ["XRayRemoteSampler", "xray_sampler_factory"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from otelray.distro.sampler import remote

        return getattr(remote, name)
    raise AttributeError(name)
