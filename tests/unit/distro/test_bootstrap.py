from __future__ import annotations

from importlib.metadata import version

from click.testing import CliRunner

from otelray.cli import cli
from otelray.distro.bootstrap import plan


def test_plan_lists_instrumentations_for_installed_libraries() -> None:
    rows = {row.instrumentation.split("==")[0]: row for row in plan()}
    flask = rows["opentelemetry-instrumentation-flask"]
    assert flask.library.startswith("flask") and flask.library_version == version("flask")
    assert flask.installed is True
    assert "opentelemetry-instrumentation-django" not in rows  # django is not installed here
    assert any(row.library == "" for row in rows.values())  # upstream's default instrumentations


def test_list_prints_the_plan() -> None:
    result = CliRunner().invoke(cli, ["bootstrap", "--list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "opentelemetry-instrumentation-flask" in result.output
    assert "installed" in result.output
