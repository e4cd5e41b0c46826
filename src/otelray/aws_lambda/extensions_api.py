"""The Lambda Extensions API (``2020-01-01``) beside the local Runtime API.

Rules from the Lambda developer guide ("Lambda Extensions API", "Lambda execution environment
lifecycle"): an extension registers with ``POST /2020-01-01/extension/register`` (header
``Lambda-Extension-Name``, body ``{"events": ["INVOKE", "SHUTDOWN"]}``; answer header
``Lambda-Extension-Identifier``), then polls ``GET /2020-01-01/extension/event/next``. Each invocation
sends an ``INVOKE`` event (``requestId``, ``deadlineMs``, ``invokedFunctionArn``, ``tracing``) to the
extensions that asked for it, and the invocation is complete only when the runtime has answered *and*
every extension is back in ``/event/next``. Teardown sends ``SHUTDOWN`` (``shutdownReason``,
``deadlineMs``). Unknown identifiers answer 403 ``Extension.UnknownExtensionIdentifier``; a bad
registration 400 ``InvalidRequest``.
"""

from __future__ import annotations

import collections
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

PREFIX = "/2020-01-01/extension"
EVENTS = ("INVOKE", "SHUTDOWN")


@dataclass
class Extension:
    """One registered extension and its pending events."""

    name: str
    events: tuple[str, ...]
    identifier: str = field(default_factory=lambda: str(uuid.uuid4()))
    queue: collections.deque[dict[str, Any]] = field(default_factory=collections.deque)
    waiting: bool = False  # blocked in /event/next, i.e. done with the current phase


class ExtensionsApi:
    """Registered extensions, event delivery and the "all extensions are ready" wait."""

    def __init__(self) -> None:
        self._extensions: dict[str, Extension] = {}
        self._changed = threading.Condition()
        self._stopping = False

    def register(self, name: str, events: Any) -> Extension:
        """Register an extension; raises ``ValueError`` naming the problem."""
        if not name:
            raise ValueError("Lambda-Extension-Name header is missing")
        if not isinstance(events, list) or any(e not in EVENTS for e in events):
            raise ValueError(f"events must be a list of {', '.join(EVENTS)}")
        extension = Extension(name, tuple(events))
        with self._changed:
            self._extensions[extension.identifier] = extension
            self._changed.notify_all()
        return extension

    def get(self, identifier: str) -> Extension | None:
        with self._changed:
            return self._extensions.get(identifier)

    def next_event(self, extension: Extension, alive: Any) -> dict[str, Any] | None:
        """Block until an event is queued for ``extension`` (``None`` when stopping or the caller left)."""
        with self._changed:
            extension.waiting = True
            self._changed.notify_all()
            while not extension.queue:
                if self._stopping or not alive():
                    extension.waiting = False
                    return None
                self._changed.wait(0.2)
            extension.waiting = False
            return extension.queue.popleft()

    def publish(self, event: dict[str, Any]) -> int:
        """Queue ``event`` for every extension subscribed to its type; returns how many got it."""
        with self._changed:
            targets = [e for e in self._extensions.values() if event["eventType"] in e.events]
            for extension in targets:
                extension.queue.append(dict(event))
            self._changed.notify_all()
        return len(targets)

    def wait_ready(self, timeout: float) -> bool:
        """Wait until every registered extension has no pending event and waits in ``/event/next``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not all(e.waiting and not e.queue for e in self._extensions.values()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.2))
        return True

    @property
    def registered(self) -> int:
        """How many extensions registered."""
        with self._changed:
            return len(self._extensions)

    def reset(self) -> None:
        """Forget every extension (a new execution environment starts)."""
        with self._changed:
            self._extensions.clear()
            self._changed.notify_all()

    def stop(self) -> None:
        """Release every waiting ``/event/next``."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
