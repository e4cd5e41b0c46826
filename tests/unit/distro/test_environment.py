from __future__ import annotations

from pathlib import Path

from otelray.distro import environment

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_variable_the_distro_reads_is_documented_in_the_readme() -> None:
    section = README.read_text().split("## Distro", 1)[1]
    missing = [name for name in environment.ALL if f"`{name}" not in section]
    assert missing == []
    assert len(environment.ALL) >= 20
