"""The registry lists factories by name and imports a component only when its type is looked up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from otelray.collector.component import Kind
from otelray.collector.errors import RegistryError
from otelray.collector.registry import BUILTIN, FactoryRef, load_registry, make_registry

ROOT = Path(__file__).resolve().parents[3]
COMPONENT_PACKAGES = {f"otelray.collector.{ref.kind.section}.{ref.type}" for ref in BUILTIN}

_LOADED = """
import json, sys
from otelray.collector.cli import _load
_load(({config!r},), "", ())
print(json.dumps(sorted(m for m in sys.modules if m.count(".") == 3 and m.startswith("otelray.collector.")
                        or m == "botocore")))
"""


def _imported_by_load(config: Path) -> set[str]:
    out = subprocess.run([sys.executable, "-c", _LOADED.format(config=str(config))], check=True,
                         capture_output=True, text=True, cwd=ROOT, timeout=60).stdout
    return set(json.loads(out))


def test_loading_a_config_imports_only_the_components_it_names():
    imported = _imported_by_load(ROOT / "examples/collector/ecs-xray.yaml")
    assert "botocore" not in imported  # the awsxray exporter's runtime loads only when a collector runs it
    assert imported & COMPONENT_PACKAGES == {
        "otelray.collector.receivers.otlp", "otelray.collector.processors.batch",
        "otelray.collector.processors.resourcedetection", "otelray.collector.exporters.awsxray",
        "otelray.collector.extensions.health_check",
        # resourcedetection applies detected attributes with the resource processor's helper
        "otelray.collector.processors.resource", "otelray.collector.processors.attributes",
    }


def test_every_builtin_listing_matches_its_factory():
    registry = load_registry(plugins=False)
    for ref in BUILTIN:
        factory = registry.of(ref.kind)[ref.type]
        assert (factory.kind, factory.type, factory.deprecated_alias) == (ref.kind, ref.type, ref.alias)
        if ref.alias:
            assert registry.of(ref.kind)[ref.alias] is factory
    assert len(list(registry.factories())) == len(BUILTIN)


def test_a_listing_that_names_the_wrong_type_fails_on_lookup_naming_both():
    registry = make_registry([FactoryRef(Kind.PROCESSOR, "batchy", "otelray.collector.processors.batch:factory")])
    assert "batchy" in registry.processors  # listing alone imports nothing and checks nothing
    with pytest.raises(RegistryError, match="listed as processor 'batchy' but its factory is 'batch'"):
        registry.processors["batchy"]


def test_a_listing_of_the_wrong_kind_fails_on_lookup():
    registry = make_registry([FactoryRef(Kind.EXPORTER, "batch", "otelray.collector.processors.batch:factory")])
    with pytest.raises(RegistryError, match="is not a exporter factory"):
        registry.exporters.get("batch")


def test_a_missing_module_is_a_registry_error_naming_the_path():
    registry = make_registry([FactoryRef.builtin(Kind.RECEIVER, "nosuch")])
    with pytest.raises(RegistryError, match="cannot load component factory otelray.collector.receivers.nosuch"):
        registry.receivers["nosuch"]


def test_duplicate_names_are_found_without_importing():
    refs = [FactoryRef.builtin(Kind.RECEIVER, "nosuch"), FactoryRef.builtin(Kind.RECEIVER, "nosuch")]
    with pytest.raises(RegistryError, match="duplicate receiver factory 'nosuch'"):
        make_registry(refs)


def test_an_alias_clashing_with_a_type_is_a_duplicate():
    refs = [FactoryRef.builtin(Kind.EXPORTER, "otlp"), FactoryRef.builtin(Kind.EXPORTER, "other", alias="otlp")]
    with pytest.raises(RegistryError, match="duplicate exporter factory 'otlp'"):
        make_registry(refs)
