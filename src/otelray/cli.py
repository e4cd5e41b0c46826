"""The ``otelray`` command line.

Sub-commands live next to the package that owns them and are loaded lazily, so that
``otelray --help`` stays fast and one broken optional component cannot break the others.
Each entry of ``COMMANDS`` maps a command name to ``"module:attribute"`` of a click command.
"""

from __future__ import annotations

import importlib
import sys

import click

from otelray import __version__

#: command name -> "module:attribute" of a click.Command; one line per sub-command.
COMMANDS: dict[str, str] = {
    "up": "otelray.up:up",
    "run": "otelray.distro.run:run_command",
    "bootstrap": "otelray.distro.bootstrap:bootstrap_command",
    "backend": "otelray.service.cli:backend",
    "collector": "otelray.collector.cli:collector",
    "components": "otelray.collector.cli:components",
    "lambda": "otelray.aws_lambda.cli:lambda_command",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attr = target.partition(":")
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        if not isinstance(command, click.Command):  # a wiring mistake, not user input
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="otelray")
def cli() -> None:
    """otelray: AWS Distro for OpenTelemetry in Python, with a local X-Ray backend and console."""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``otelray`` console script."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="otelray")
