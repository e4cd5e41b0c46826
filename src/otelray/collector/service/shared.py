"""One component instance shared by several signals (collector ``internal/sharedcomponent``).

The OTLP receiver listens once on its ports whatever pipelines use it: each per-signal instance
the graph asks for is a ``SharedHandle`` on one underlying component stored in
``Settings.shared`` under ``(kind, id)`` — a store owned by the graph, not a module-level dict.
The underlying component starts with the first handle and shuts down with the last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from otelray.collector.component import Host, Settings
from otelray.collector.consumer import Capabilities

T = TypeVar("T")


class SharedComponent(Generic[T]):
    """Reference-counted lifecycle around one ``component``."""

    def __init__(self, component: T) -> None:
        self.component = component
        self._started = 0
        self._handles = 0

    async def start(self, host: Host) -> None:
        """Start the component once."""
        self._started += 1
        if self._started == 1:
            await self.component.start(host)  # type: ignore[attr-defined]

    async def release(self) -> None:
        """Shut the component down when no handle is left."""
        self._handles -= 1
        if self._handles == 0:
            await self.component.shutdown()  # type: ignore[attr-defined]


class SharedHandle(Generic[T]):
    """The per-signal face of a shared component; ``consume_*`` calls go to the component."""

    def __init__(self, shared: SharedComponent[T]) -> None:
        self.shared = shared
        self._stopped = False
        shared._handles += 1

    @property
    def component(self) -> T:
        """The shared instance."""
        return self.shared.component

    @property
    def capabilities(self) -> Capabilities:
        """Shared receivers never mutate."""
        return Capabilities()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("consume_"):
            return getattr(self.shared.component, name)
        raise AttributeError(name)

    async def start(self, host: Host) -> None:
        """Start the shared component if this is the first handle started."""
        await self.shared.start(host)

    async def shutdown(self) -> None:
        """Release this handle once; the last release shuts the component down."""
        if self._stopped:
            return
        self._stopped = True
        await self.shared.release()


def get_or_create(settings: Settings, create: Callable[[], T]) -> SharedHandle[T]:
    """A new handle on the component shared under ``(settings.kind, settings.id)``."""
    key = (settings.kind, settings.id)
    shared = settings.shared.get(key)
    if shared is None:
        shared = SharedComponent(create())
        settings.shared[key] = shared
    return SharedHandle(shared)
