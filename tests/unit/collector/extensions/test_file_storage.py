from __future__ import annotations

import asyncio

import pytest

from otelray.collector.component import ComponentID, Kind
from otelray.collector.errors import ComponentError
from otelray.collector.extensions.file_storage import FileStorage, FileStorageConfig
from otelray.collector.testing import NopHost, make_settings


def _ext(**cfg):
    return FileStorage(make_settings("file_storage", Kind.EXTENSION), FileStorageConfig.model_validate(cfg))


def test_missing_directory_is_a_start_error_unless_created(tmp_path):
    missing = tmp_path / "a" / "b"
    with pytest.raises(ComponentError, match=f"directory must exist: {missing}"):
        asyncio.run(_ext(directory=str(missing)).start(NopHost()))
    asyncio.run(_ext(directory=str(missing), create_directory=True).start(NopHost()))
    assert missing.is_dir() and (missing.stat().st_mode & 0o007) == 0  # 0750: no access for others


def test_client_paths_follow_upstream_naming(tmp_path):
    ext = _ext(directory=str(tmp_path))
    assert ext.storage_path(Kind.EXPORTER, ComponentID("otlp"), "traces") == tmp_path / "exporter_otlp__traces"
    assert ext.storage_path(Kind.EXPORTER, ComponentID("awsxray", "x"), "traces") == tmp_path / "exporter_awsxray_x_traces"
