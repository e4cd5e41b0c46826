"""``otelray run``: run a program with otelray auto-instrumentation.

Does what upstream ``opentelemetry-instrument`` does (opentelemetry-instrumentation
``auto_instrumentation/__init__.py``: ``run``) in one process hop instead of two: it puts upstream's
``auto_instrumentation`` directory (its ``sitecustomize``) and the current directory first on
``PYTHONPATH``, selects the otelray distro and configurator by name so they win even when other
distros are installed, turns the options into the standard variables and replaces itself with the
program (``exec``). Everything else happens in the program's own interpreter through upstream's
``sitecustomize`` -> distro -> configurator -> instrumentors sequence.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import MutableMapping

import click

from otelray.distro import environment as env

#: samplers the SDK and otelray provide (the option also accepts any installed entry-point name)
KNOWN_SAMPLERS = (
    "xray", "always_on", "always_off", "traceidratio",
    "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio",
)


def auto_instrumentation_dir() -> str:
    """Directory of upstream's ``sitecustomize`` (found without importing the instrumentation)."""
    import importlib.util

    spec = importlib.util.find_spec("opentelemetry.instrumentation.auto_instrumentation")
    if spec is None or not spec.submodule_search_locations:
        raise click.ClickException("opentelemetry-instrumentation is not installed; run: pip install otelray")
    return os.path.abspath(list(spec.submodule_search_locations)[0])


def child_environment(
    environ: MutableMapping[str, str],
    *,
    service_name: str | None = None,
    endpoint: str | None = None,
    sampler: str | None = None,
    sampler_arg: str | None = None,
    cwd: str | None = None,
) -> dict[str, str]:
    """The environment ``otelray run`` gives the program."""
    child = dict(environ)
    child[env.OTEL_PYTHON_DISTRO] = "otelray"
    child[env.OTEL_PYTHON_CONFIGURATOR] = "otelray"
    if service_name:
        child[env.OTEL_SERVICE_NAME] = service_name
    if endpoint:
        child[env.OTEL_EXPORTER_OTLP_ENDPOINT] = endpoint
    if sampler:
        child[env.OTEL_TRACES_SAMPLER] = sampler
    if sampler_arg:
        child[env.OTEL_TRACES_SAMPLER_ARG] = sampler_arg
    hook_dir = auto_instrumentation_dir()
    current = [p for p in child.get("PYTHONPATH", "").split(os.pathsep) if p and p != hook_dir]
    work_dir = cwd or os.getcwd()
    if work_dir not in current:
        current.insert(0, work_dir)
    child["PYTHONPATH"] = os.pathsep.join([hook_dir, *current])
    return child


@click.command(
    "run",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option("--service-name", help="service.name of the telemetry (OTEL_SERVICE_NAME).")
@click.option("--endpoint", help="OTLP endpoint base URL (OTEL_EXPORTER_OTLP_ENDPOINT); default http://127.0.0.1:4318.")
@click.option("--sampler", help=f"Sampler (OTEL_TRACES_SAMPLER): {', '.join(KNOWN_SAMPLERS)}.")
@click.option("--sampler-arg", help="Sampler argument (OTEL_TRACES_SAMPLER_ARG), e.g. endpoint=http://127.0.0.1:2000.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run_command(
    service_name: str | None,
    endpoint: str | None,
    sampler: str | None,
    sampler_arg: str | None,
    command: tuple[str, ...],
) -> None:
    """Run a program with otelray auto-instrumentation: otelray run -- python app.py"""
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter(f"{endpoint!r} is not an http(s) URL", param_hint="--endpoint")
    program = shutil.which(command[0])
    if program is None:
        raise click.ClickException(f"command not found: {command[0]}")
    child = child_environment(
        os.environ, service_name=service_name, endpoint=endpoint, sampler=sampler, sampler_arg=sampler_arg
    )
    os.execve(program, [program, *command[1:]], child)
