"""The collector's exception tree (conventions §10; collector `consumer/consumererror`).

```
OtelrayError
└─ CollectorError
   ├─ ConfigError            one problem at a ``::`` path ("exporters::awsxray/2::region")
   ├─ ConfigErrors           every ConfigError of one load, reported together
   ├─ RegistryError          a duplicate or unloadable component factory
   ├─ ComponentError         start/shutdown failure, carries the ComponentID
   │  └─ SignalNotSupported  a factory asked for a signal it does not register
   └─ ExportError
      ├─ PermanentError      never retried (4xx, malformed data)
      └─ RetryableError
         ├─ ThrottledError   carries the minimum delay before the next attempt
         └─ DataRefusedError memory_limiter refusing data (receivers answer UNAVAILABLE / 503)
```
Translation problems are values (``otelray.translate.errors.TranslationError``), never raised here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from otelray.errors import OtelrayError

if TYPE_CHECKING:
    from otelray.collector.component import ComponentID


class CollectorError(OtelrayError):
    """Base class of the errors raised by ``otelray.collector``."""


class ConfigError(CollectorError, ValueError):
    """One configuration problem at a ``::``-joined path.

    Attributes:
        path: where the problem is, e.g. ``exporters::awsxray::region`` ("" for the whole file).
        message: what is wrong and, where possible, how to fix it.
    """

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class ConfigErrors(CollectorError, ValueError):
    """All problems found in one configuration, in the order they were found."""

    def __init__(self, errors: Iterable[ConfigError]) -> None:
        self.errors: tuple[ConfigError, ...] = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class RegistryError(CollectorError):
    """A component factory could not be registered (duplicate type, bad entry point)."""


class ComponentError(CollectorError):
    """A component failed to be created, started or shut down."""

    def __init__(self, component_id: ComponentID | str, message: str) -> None:
        self.component_id = component_id
        super().__init__(f"{component_id}: {message}")


class SignalNotSupported(ComponentError):
    """The factory of ``component_id`` does not register ``signal``."""

    def __init__(self, component_id: ComponentID | str, signal: str) -> None:
        self.signal = signal
        super().__init__(component_id, f"telemetry type is not supported: {signal}")


class ExportError(CollectorError):
    """Sending a batch failed."""


class PermanentError(ExportError):
    """A failure that retrying cannot fix (rejected as malformed, 4xx); never retried."""


class RetryableError(ExportError):
    """A transient failure (connection refused, 5xx, timeout); retried by the exporter helper."""


class ThrottledError(RetryableError):
    """The peer asked to slow down; wait at least ``delay`` seconds before retrying."""

    def __init__(self, message: str, delay: float) -> None:
        self.delay = delay
        super().__init__(message)


class DataRefusedError(RetryableError):
    """A processor refused the data (memory limit); the sender should retry later."""
