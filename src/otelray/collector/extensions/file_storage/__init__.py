"""The ``file_storage`` extension (collector-contrib ``extension/storage/filestorage``).

Gives each client (a persistent sending queue) its own file in ``directory``, named as upstream
``<kind>_<type>_<name>_<client>`` (e.g. ``exporter_otlp__traces``). The queue stores SQLite there
(WAL, ``synchronous=FULL``), so upstream's bbolt-specific knobs (``compaction``, ``fsync``) are
accepted and ignored: SQLite syncs every commit and reuses free pages itself. The directory must
exist unless ``create_directory: true`` (checked at start, where upstream checks at validation,
so that ``otelray collector validate`` works on another machine).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field

from otelray.collector.component import ComponentID, Host, Kind, Settings, Stability
from otelray.collector.config.blocks import ComponentConfig, Duration
from otelray.collector.errors import ComponentError
from otelray.collector.registry import ExtensionFactory

DEFAULT_DIRECTORY = str(Path(platformdirs.user_state_dir("otelray")) / "file_storage")


class FileStorageConfig(ComponentConfig):
    """Config of ``file_storage``."""

    directory: str = Field(DEFAULT_DIRECTORY, description="Directory holding the storage files.")
    create_directory: bool = Field(False, description="Create the directory (with directory_permissions) if missing.")
    directory_permissions: str = Field("0750", pattern="^0?[0-7]{3}$", description="Octal mode for a created directory.")
    timeout: Duration = Field(timedelta(seconds=1), description="Accepted for compatibility (lock wait).")
    fsync: bool = Field(False, description="Accepted; SQLite with synchronous=FULL always syncs commits.")
    compaction: dict[str, Any] | None = Field(None, description="Accepted and ignored (SQLite reuses pages).")


class FileStorage:
    """Hands out per-client paths under ``directory``."""

    def __init__(self, settings: Settings, config: FileStorageConfig) -> None:
        self.settings = settings
        self.config = config
        self.directory = Path(config.directory)

    async def start(self, host: Host) -> None:
        """Check (or create) the directory."""
        if not self.directory.is_dir():
            if not self.config.create_directory:
                raise ComponentError(self.settings.id, f"directory must exist: {self.directory} "
                                     "(create it or set create_directory: true)")
            try:
                self.directory.mkdir(parents=True, mode=int(self.config.directory_permissions, 8), exist_ok=True)
            except OSError as exc:
                raise ComponentError(self.settings.id, f"cannot create {self.directory}: {exc.strerror}") from exc
        if not os.access(self.directory, os.W_OK):
            raise ComponentError(self.settings.id, f"directory is not writable: {self.directory}")

    def storage_path(self, kind: Kind, component_id: ComponentID, name: str) -> Path:
        """The file of one client: ``<kind>_<type>_<name>_<client>``."""
        return self.directory / f"{kind.value}_{component_id.type}_{component_id.name}_{name}"

    async def shutdown(self) -> None:
        """Nothing to release: clients close their own files."""


factory = ExtensionFactory(
    type="file_storage",
    config=FileStorageConfig,
    description="Local directory for persistent sending queues (survive restarts and kill -9).",
    create_extension=FileStorage,
    stability_level=Stability.BETA,
    lifecycle_test_config={"directory": "$TMP"},
)
