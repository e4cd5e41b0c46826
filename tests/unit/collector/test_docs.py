"""Every registered component type is documented in the README's collector table."""

from __future__ import annotations

import re
from pathlib import Path

from otelray.collector.registry import load_registry

README = (Path(__file__).parents[3] / "README.md").read_text()


def test_every_component_type_is_in_the_readme_table():
    section = README[README.index("## Collector"):]
    documented = set(re.findall(r"`([a-z0-9_]+)`", "\n".join(line for line in section.splitlines() if line.startswith("|"))))
    missing = {f.type for f in load_registry().factories()} - documented
    assert not missing, f"add these component types to the README collector table: {sorted(missing)}"


def test_every_config_field_has_a_description():
    undocumented = []
    for factory in load_registry().factories():
        if not factory.config.__module__.startswith("otelray.collector."):
            continue
        for name, field in factory.config.model_fields.items():
            if not field.description:
                undocumented.append(f"{factory.type}.{name}")
    assert not undocumented, undocumented
