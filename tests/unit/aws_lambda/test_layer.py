"""Layer zip layout and the package cache (a cached build does not run pip)."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from otelray.aws_lambda import layer
from otelray.aws_lambda.layer import REQUIREMENTS, build_layer, cache_key, extract_layer, pinned


@pytest.fixture
def cached(tmp_path: Path) -> Path:
    """A cache holding an 'installed' package, as a previous build leaves it."""
    cache = tmp_path / "cache"
    site = cache / f"site-3.11-{cache_key('3.11', pinned(REQUIREMENTS))}"
    (site / "somepkg").mkdir(parents=True)
    (site / "somepkg" / "__init__.py").write_text("VALUE = 1\n")
    (site / ".complete").write_text("ok\n")
    return cache


def test_cached_build_has_wrapper_otelray_and_packages(cached: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layer.subprocess, "Popen", None)  # any pip run would fail loudly
    lines: list[str] = []
    output = build_layer(tmp_path / "out" / "layer.zip", python_version="3.11", cache_dir=cached,
                         progress=lines.append)
    assert any(line.startswith("using cached packages") for line in lines)
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        wrapper = archive.getinfo("otel-instrument")
        assert stat.S_IMODE(wrapper.external_attr >> 16) == 0o755
        assert archive.read("otel-instrument").startswith(b"#!/bin/bash")
    assert {"python/somepkg/__init__.py", "python/otelray/aws_lambda/otel_wrapper.py"} <= names
    assert not any(name.startswith("python/.complete") for name in names)
    assert any(name.endswith(".pyc") for name in names)  # byte-compiled for a read-only /opt
    opt = extract_layer(output, tmp_path / "opt")
    assert (opt / "otel-instrument").stat().st_mode & stat.S_IXUSR


def test_requirements_are_pinned_to_the_tested_versions() -> None:
    from importlib.metadata import version

    assert f"opentelemetry-sdk=={version('opentelemetry-sdk')}" in pinned(REQUIREMENTS)
    assert pinned(("uvicorn[standard]>=0.30", "opentelemetry-no-such-package>=1")) == (
        "uvicorn[standard]>=0.30", "opentelemetry-no-such-package>=1")


def test_cache_key_follows_python_version_and_requirements() -> None:
    assert cache_key("3.11") != cache_key("3.12")
    assert cache_key("3.11", ("a",)) != cache_key("3.11", ("b",))
    assert cache_key("3.11") == cache_key("3.11")


def test_collector_flavour_adds_the_extension_and_its_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from otelray.aws_lambda.extension import LAYER_CONFIG
    from otelray.aws_lambda.layer import collector_requirements

    requirements = collector_requirements()
    assert "uvicorn[standard]>=0.30" in requirements or any(r.startswith("uvicorn") for r in requirements)
    cache = tmp_path / "cache"
    site = cache / f"site-3.11-{cache_key('3.11', pinned(requirements))}"
    site.mkdir(parents=True)
    (site / ".complete").write_text("ok\n")
    monkeypatch.setattr(layer.subprocess, "Popen", None)  # cached: pip must not run
    output = build_layer(tmp_path / "layer.zip", cache_dir=cache, collector=True)
    with zipfile.ZipFile(output) as archive:
        assert stat.S_IMODE(archive.getinfo("extensions/otelray-collector").external_attr >> 16) == 0o755
        assert archive.read("collector-config/config.yaml").decode() == LAYER_CONFIG
    example = Path(__file__).resolve().parents[3] / "examples" / "lambda" / "collector.yaml"
    assert yaml.safe_load(LAYER_CONFIG) == yaml.safe_load(example.read_text())  # the documented config is the layer's
