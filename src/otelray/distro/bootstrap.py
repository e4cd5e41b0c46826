"""``otelray bootstrap``: which instrumentation packages fit the installed libraries.

Uses upstream's generated table (opentelemetry-instrumentation ``bootstrap_gen.py``: library
requirement -> instrumentation package, plus the always-installed defaults) and its rule for
"installed": the library's distribution is present and its version satisfies the requirement
(``bootstrap.py`` ``_is_installed``). ``--list`` (the default) prints the plan as columns;
``--install`` runs ``pip install`` for the missing packages with a progress bar, then ``pip check``.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import click


@dataclass(frozen=True, slots=True)
class Planned:
    """One instrumentation package and why it is wanted."""

    library: str  # requirement text of the instrumented library, "" for defaults
    library_version: str  # installed version of the library, "" for defaults
    instrumentation: str  # requirement text of the instrumentation package
    installed: bool  # the instrumentation package is already installed


def _installed_version(requirement: str) -> str | None:
    from packaging.requirements import Requirement

    req = Requirement(requirement)
    try:
        found = version(req.name)
    except PackageNotFoundError:
        return None
    return found if req.specifier.contains(found, prereleases=True) else None


def plan() -> list[Planned]:
    """Instrumentations for the libraries present (and upstream's defaults), in upstream's order."""
    from opentelemetry.instrumentation.bootstrap_gen import default_instrumentations, libraries

    rows = [Planned("", "", req, _installed_version(req) is not None) for req in default_instrumentations]
    for entry in libraries:
        found = _installed_version(entry["library"])
        if found is not None:
            req = entry["instrumentation"]
            rows.append(Planned(entry["library"], found, req, _installed_version(req) is not None))
    return rows


def _print_plan(rows: list[Planned]) -> None:
    lines = [("library", "version", "instrumentation", "status")] + [
        (row.library or "(default)", row.library_version, row.instrumentation,
         "installed" if row.installed else "missing")
        for row in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    for line in lines:
        cells = [cell.ljust(width) for cell, width in zip(line[:3], widths, strict=True)]
        click.echo("  ".join([*cells, line[3]]))


def _install(rows: list[Planned]) -> int:
    from rich.progress import Progress

    missing = [row.instrumentation for row in rows if not row.installed]
    failures = 0
    with Progress() as progress:
        task = progress.add_task("installing instrumentations", total=len(missing))
        for requirement in missing:
            progress.update(task, description=f"pip install {requirement}")
            result = subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "-U", "--upgrade-strategy", "only-if-needed",
                 requirement],
                check=False,
            )
            failures += result.returncode != 0
            progress.advance(task)
    check = subprocess.run([sys.executable, "-m", "pip", "check"], check=False, capture_output=True, text=True)
    if check.returncode != 0:
        click.echo(check.stdout.strip(), err=True)
    return failures + (check.returncode != 0)


@click.command("bootstrap")
@click.option("--list", "action", flag_value="list", default=True, help="Show what would be installed (default).")
@click.option("--install", "action", flag_value="install", help="pip install the missing instrumentations.")
def bootstrap_command(action: str) -> None:
    """Show or install the instrumentation packages for the libraries installed here."""
    rows = plan()
    _print_plan(rows)
    if action == "install":
        failures = _install(rows)
        if failures:
            raise click.ClickException(f"{failures} installation step(s) failed (see above)")
