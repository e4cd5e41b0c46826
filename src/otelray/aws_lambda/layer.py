"""``otelray lambda build-layer``: the Lambda layer zip.

Layout (opentelemetry-lambda / ADOT layer rule): ``otel-instrument`` at the zip root (mode 0755;
``AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument``) and ``python/`` holding otelray and the packages
the function-side code imports, installed by ``pip install --target`` for the Lambda platform
(``manylinux2014_x86_64``, CPython ``--python``, binary wheels only). The collector, the backend and
their dependencies are not in the layer: only ``otelray.aws_lambda`` runs inside a function (the
``otelray`` package is copied whole, its server modules are simply never imported there). As
upstream, ``boto3``/``botocore`` come from the Lambda runtime. The installed ``python/`` is cached
per (requirements, Python, platform), so a second build does not run pip.

``--collector`` adds the collector-extension flavour (OTEL-LAMBDA ``collector/`` layout):
``extensions/otelray-collector`` (started by Lambda before the runtime, ``otelray.aws_lambda.extension``),
``collector-config/config.yaml`` (the default ``OPENTELEMETRY_COLLECTOR_CONFIG_URI``) and every runtime
dependency of otelray in ``python/`` (the collector needs its server stack).
"""

from __future__ import annotations

import compileall
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from otelray.aws_lambda.errors import LayerBuildError
from otelray.aws_lambda.wrapper import SCRIPT, WRAPPER_NAME

PLATFORM = "manylinux2014_x86_64"
#: what runs inside the function (versions pinned by the project's constraints, if any)
REQUIREMENTS = (
    "opentelemetry-api",
    "opentelemetry-sdk",
    "opentelemetry-proto",
    "opentelemetry-exporter-otlp-proto-common",
    "opentelemetry-exporter-otlp-proto-http",
    "opentelemetry-instrumentation",
    "opentelemetry-instrumentation-aws-lambda",
    "opentelemetry-instrumentation-botocore",
    "opentelemetry-instrumentation-requests",
    "opentelemetry-instrumentation-urllib3",
    "opentelemetry-propagator-aws-xray",
    "opentelemetry-sdk-extension-aws",
    "protobuf",
    "orjson",
)
#: the runtime provides these; a second copy in /opt/python would shadow it
EXCLUDED = ("boto3", "botocore", "s3transfer", "jmespath")

Progress = Callable[[str], None]


def default_cache_dir() -> Path:
    """Where installed layer packages are kept between builds."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("OTELRAY_LAYER_CACHE") or user_cache_dir("otelray")) / "lambda-layer"


def cache_key(python_version: str, requirements: tuple[str, ...] = REQUIREMENTS) -> str:
    """A digest of what decides the installed packages."""
    text = "\n".join([PLATFORM, python_version, *requirements])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def pinned(requirements: tuple[str, ...]) -> tuple[str, ...]:
    """The OpenTelemetry packages (released in lock-step) pinned to the versions installed here, the ones
    otelray is tested with; pip cannot resolve the family from open ranges. Others keep their ranges:
    an exact local version may have no wheel for the Lambda platform."""
    from importlib.metadata import PackageNotFoundError, version

    from packaging.requirements import Requirement

    out = []
    for text in requirements:
        requirement = Requirement(text)
        if not requirement.name.startswith("opentelemetry-"):
            out.append(text)
            continue
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            out.append(text)
            continue
        extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
        out.append(f"{requirement.name}{extras}=={installed}")
    return tuple(out)


def collector_requirements() -> tuple[str, ...]:
    """The function-side requirements plus every runtime requirement of the installed otelray."""
    from importlib.metadata import requires

    extra = [r for r in (requires("otelray") or []) if "extra ==" not in r]
    return tuple(dict.fromkeys([*REQUIREMENTS, *extra]))


def install_packages(python_version: str, cache_dir: Path, progress: Progress,
                     requirements: tuple[str, ...] = REQUIREMENTS) -> Path:
    """``pip install --target`` the layer requirements for Lambda (cached); returns the directory."""
    target = cache_dir / f"site-{python_version}-{cache_key(python_version, requirements)}"
    if (target / ".complete").exists():
        progress(f"using cached packages {target}")
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="site-", dir=cache_dir))
    command = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
               "--target", str(staging), "--platform", PLATFORM, "--implementation", "cp",
               "--python-version", python_version, "--only-binary=:all:", *requirements]
    progress("pip install --target for " + f"{PLATFORM} / CPython {python_version}: {len(requirements)} requirements")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if line.startswith(("Collecting", "Successfully installed", "ERROR")):
            progress("  " + line.strip())
    if process.wait() != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise LayerBuildError("pip could not install the layer packages:\n" + "\n".join(lines[-20:]))
    for name in os.listdir(staging):
        if name.split("-")[0].lower() in EXCLUDED or name == "bin":
            shutil.rmtree(staging / name, ignore_errors=True)
    (staging / ".complete").write_text("ok\n")
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    return target


def _copy_otelray(destination: Path) -> None:
    import otelray

    source = Path(otelray.__file__).parent
    # The translation extension's C sources stay out; its built module goes along and is used where the
    # function's Python can load it (otherwise otelray.translate falls back to its Python modules).
    shutil.copytree(source, destination / "otelray",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_native_src"))


def build_layer(output: Path, *, python_version: str = "3.11", cache_dir: Path | None = None,
                progress: Progress = lambda _line: None, collector: bool = False) -> Path:
    """Build the layer zip at ``output`` (with the collector extension if ``collector``); returns its path."""
    requirements = pinned(collector_requirements() if collector else REQUIREMENTS)
    site = install_packages(python_version, cache_dir or default_cache_dir(), progress, requirements)
    with tempfile.TemporaryDirectory(prefix="otelray-layer-") as tmp:
        python_dir = Path(tmp) / "python"
        progress("assembling python/")
        shutil.copytree(site, python_dir, ignore=shutil.ignore_patterns(".complete"))
        _copy_otelray(python_dir)
        if python_version == f"{sys.version_info.major}.{sys.version_info.minor}":
            progress("byte-compiling (/opt is read-only in Lambda: no .pyc would be written there)")
            compileall.compile_dir(python_dir, quiet=1, workers=0)
        else:
            progress(f"not byte-compiled: this interpreter is not Python {python_version}")
        output.parent.mkdir(parents=True, exist_ok=True)
        _write_zip(output, python_dir, progress, collector)
    return output


def _add_text(archive: zipfile.ZipFile, name: str, text: str, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def _write_zip(output: Path, python_dir: Path, progress: Progress, collector: bool) -> None:
    files = sorted(p for p in python_dir.rglob("*") if p.is_file())
    progress(f"writing {output} ({len(files)} files)")
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add_text(archive, WRAPPER_NAME, SCRIPT, 0o755)
        if collector:
            from otelray.aws_lambda.extension import EXTENSION_NAME, LAYER_CONFIG
            from otelray.aws_lambda.extension import SCRIPT as EXTENSION_SCRIPT

            _add_text(archive, f"extensions/{EXTENSION_NAME}", EXTENSION_SCRIPT, 0o755)
            _add_text(archive, "collector-config/config.yaml", LAYER_CONFIG, 0o644)
        for path in files:
            archive.write(path, "python/" + path.relative_to(python_dir).as_posix())


def extract_layer(layer_zip: Path, directory: Path) -> Path:
    """Unzip a layer into ``directory`` (an ``/opt`` stand-in), keeping the wrapper executable."""
    with zipfile.ZipFile(layer_zip) as archive:
        archive.extractall(directory)
        for info in archive.infolist():
            mode = info.external_attr >> 16
            if mode & 0o111:
                (directory / info.filename).chmod(mode & 0o777)

    return directory
