from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from otelray import __version__
from otelray.cli import COMMANDS, cli


def test_version_and_help():
    runner = CliRunner()
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_every_registered_command_imports_and_has_help():
    runner = CliRunner()
    for name in COMMANDS:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "otelray", "--version"], capture_output=True, text=True, check=True)
    assert "otelray" in out.stdout
