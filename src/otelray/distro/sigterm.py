"""Export queued spans when a container stop (SIGTERM) ends the program.

Python's default SIGTERM action kills the process without running ``atexit`` hooks, so the spans
still waiting in the batch processor are lost — exactly the last requests before an ECS task,
Kubernetes pod or ``docker stop`` ends. When the program has not chosen a SIGTERM handler itself,
otelray installs one that raises ``SystemExit(128 + SIGTERM)``: the interpreter unwinds normally,
``atexit`` runs the tracer provider's (time-bounded) shutdown, and the exit status is the shell's
convention for "terminated by SIGTERM". Raising rather than exporting inside the handler avoids
taking the span processor's locks from a signal handler, which could deadlock.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import MutableMapping
from types import FrameType

from otelray.distro import environment as env

EXIT_STATUS = 128 + signal.SIGTERM


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Restore the default first: a second SIGTERM during the flush ends the process at once.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise SystemExit(EXIT_STATUS)


def install_sigterm_flush(environ: MutableMapping[str, str]) -> bool:
    """Make SIGTERM exit through ``atexit`` unless disabled or the program has its own handler.

    Returns whether the handler was installed.
    """
    if environ.get(env.OTELRAY_FLUSH_ON_SIGTERM, "true").strip().lower() == "false":
        return False
    if threading.current_thread() is not threading.main_thread():
        return False  # signal handlers can only be set from the main thread
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False  # the program (or its server) decides what SIGTERM does
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return True
