"""What every operation handler of the local X-Ray service works with: store, ingest, metrics, config."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from otelray.service.ingest import Ingest
from otelray.service.metrics import BackendMetrics
from otelray.service.store.sqlite import SQLiteStore


@dataclass(slots=True)
class ServiceContext:
    """The running service's parts; ``config`` is the sampling/groups state when available."""

    store: SQLiteStore
    metrics: BackendMetrics
    ingest: Ingest
    config: Any = None
    clock: Callable[[], float] = field(default=time.time)

    def close(self) -> None:
        """Flush and close the store and the config state; safe twice."""
        self.store.close()
        if self.config is not None:
            self.config.close()
