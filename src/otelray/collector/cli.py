"""``otelray collector`` and ``otelray components`` (collector ``otelcol/command*.go``).

``otelray collector --config FILE [--config FILE…] [--feature-gates …]`` runs a collector;
``otelray collector validate --config FILE`` only checks the configuration; ``otelray components``
lists the registry. Configuration errors are printed all at once and exit with status 1; this is
the only module of the collector that exits.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from typing import Any, get_args

import click

from otelray import __version__
from otelray.collector.component import BuildInfo, Kind
from otelray.collector.config.model import Config, load_config
from otelray.collector.errors import CollectorError, ComponentError, ConfigErrors, RegistryError
from otelray.collector.featuregate import GATES
from otelray.collector.registry import Registry, load_registry

_config_option = click.option(
    "--config", "configs", multiple=True, metavar="FILE",
    help="Config source: a path, file:PATH, env:VAR or yaml:key::path: value. Repeat to merge.",
)
_gates_option = click.option("--feature-gates", "gates", default="", metavar="+ID,-ID",
                             help="Enable (+) or disable (-) feature gates.")
_set_option = click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                           help="Override one setting, e.g. --set=processors::batch::timeout=2s.")


def _load(configs: tuple[str, ...], gates: str, sets: tuple[str, ...]) -> tuple[Config, Registry]:
    try:
        if gates:
            GATES.apply(gates)
        registry = load_registry()
        sources = list(configs) + [f"yaml:{s.replace('=', ': ', 1)}" for s in sets]
        return load_config(sources, registry), registry
    except ConfigErrors as exc:
        click.echo("Error: invalid configuration:", err=True)
        for err in exc.errors:
            click.echo(f"  {err}", err=True)
        click.echo(f"{len(exc.errors)} error(s); fix them and run `otelray collector validate --config …` again.",
                   err=True)
        sys.exit(1)
    except (CollectorError, RegistryError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


class _JsonFormatter(logging.Formatter):
    """``service::telemetry::logs::encoding: json``: one JSON object per line, like the collector's zap output."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"level": record.levelname.lower(), "ts": self.formatTime(record), "logger": record.name,
                 "msg": record.getMessage()}
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def _setup_logging(level: str, encoding: str) -> None:
    levels = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
    handler = logging.StreamHandler(sys.stderr)
    if encoding == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s\t%(levelname)s\t%(name)s\t%(message)s"))
    logging.basicConfig(level=levels[level.lower()], handlers=[handler], force=True)


def _run(config: Config, registry: Registry) -> None:
    from otelray.collector.service.collector import Collector

    _setup_logging(config.telemetry.logs.level, config.telemetry.logs.encoding)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # uvloop is part of uvicorn[standard]; plain asyncio still works
        runner = asyncio.run
    build = BuildInfo(version=__version__)
    try:
        runner(Collector(config, registry, build_info=build).run())
    except ComponentError as exc:
        logging.getLogger("otelray.collector").error("Collector failed to start: %s", exc)
        sys.exit(1)
    except asyncio.CancelledError:
        sys.exit(130)


@click.group(invoke_without_command=True)
@_config_option
@_gates_option
@_set_option
@click.pass_context
def collector(ctx: click.Context, configs: tuple[str, ...], gates: str, sets: tuple[str, ...]) -> None:
    """Run the otelray collector (ADOT / OpenTelemetry Collector configuration)."""
    if ctx.invoked_subcommand is not None:
        return
    if not configs and not sets:
        import os

        from otelray.collector.config.loader import AOT_CONFIG_CONTENT

        if not os.environ.get(AOT_CONFIG_CONTENT):
            raise click.UsageError("at least one --config FILE is required (or set AOT_CONFIG_CONTENT)")
    config, registry = _load(configs, gates, sets)
    _run(config, registry)


@collector.command("validate")
@_config_option
@_gates_option
@_set_option
def validate(configs: tuple[str, ...], gates: str, sets: tuple[str, ...]) -> None:
    """Check a configuration without starting anything."""
    config, _ = _load(configs, gates, sets)
    click.echo(f"Configuration is valid: {len(config.pipelines)} pipeline(s), "
               f"{sum(len(config.of(k)) for k in Kind)} component(s).")


def _describe(model: type[Any], indent: str = "  ") -> list[str]:
    """One line per config field (``name: default — description``), nested blocks indented."""
    from datetime import timedelta

    from pydantic import BaseModel

    from otelray.collector.config.blocks import format_duration

    def show(value: Any) -> str:
        if isinstance(value, timedelta):
            return format_duration(value)
        if isinstance(value, BaseModel):
            return "(block)"
        return json.dumps(value, default=str)

    lines = []
    for name, field in model.model_fields.items():
        default = "required" if field.is_required() else show(field.get_default(call_default_factory=True))
        lines.append(f"{indent}{name}: {default} — {field.description or ''}".rstrip(" —"))
        candidates = (field.annotation, *get_args(field.annotation))  # `Block | None` documents Block
        inner = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
        if inner is not None and len(indent) < 8:
            lines.extend(_describe(inner, indent + "  "))
    return lines


@click.command("components")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--describe", "describe", metavar="TYPE", help="Print the config fields of component TYPE.")
def components(as_json: bool, describe: str | None) -> None:
    """List the collector components this build provides."""
    try:
        registry = load_registry()
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from exc
    if describe:
        found = [f for f in registry.factories() if f.type == describe]
        if not found:
            raise click.ClickException(f'no component of type "{describe}" (see `otelray components`)')
        for f in found:
            click.echo(f"{f.kind.value} {f.type}: {f.description}")
            click.echo("\n".join(_describe(f.config)))
        return
    rows = []
    for f in registry.factories():
        if f.kind is Kind.EXTENSION:
            stability = {"extension": f.stability_level.value}  # type: ignore[union-attr]
        elif f.kind is Kind.CONNECTOR:
            stability = {f"{a}_to_{b}": s.value for (a, b), (_, s) in f.pairs.items()}  # type: ignore[union-attr]
        else:
            stability = {s.value: f.stability(s).value for s in f.signals()}  # type: ignore[union-attr]
        rows.append({"kind": f.kind.value, "type": f.type, "stability": stability, "description": f.description})
    if as_json:
        click.echo(json.dumps({"version": __version__, "components": rows}, indent=2))
        return
    for row in rows:
        stab = ", ".join(f"{k}: {v}" for k, v in row["stability"].items())
        click.echo(f"{row['kind']:<10} {row['type']:<24} {stab}")
