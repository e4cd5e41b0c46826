"""otelray's OpenTelemetry Python distro: what ``otelray run`` and ``opentelemetry-instrument`` load.

Modules (each imported only when needed, so that importing this package costs nothing):

- ``distro``        the ``opentelemetry_distro`` entry point: defaults, lazy instrumentors
- ``configurator``  the ``opentelemetry_configurator`` entry point: resource, sampler, exporters
- ``defaults``      the default environment and the AWS platform detection
- ``environment``   every environment variable the distro reads, documented
- ``exporter``      span export that warns once and exits quickly when the collector is away
- ``sampler``       the X-Ray remote sampler (``OTEL_TRACES_SAMPLER=xray``)
- ``run``, ``bootstrap``  the ``otelray run`` and ``otelray bootstrap`` commands
- ``errors``        the distro's exception tree
"""

from __future__ import annotations

__all__: list[str] = []
