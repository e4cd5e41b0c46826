"""Load collector YAML the way the collector's ``confmap`` resolver does.

- Sources: each ``--config`` value is a file path, ``file:PATH``, ``env:VAR`` (YAML in a variable)
  or ``yaml:a::b: value`` (one inline setting, ``::`` separating keys). ADOT's ``AOT_CONFIG_CONTENT``
  (inline YAML) replaces every ``--config`` when set (aws-otel-collector ``config_provider.go``).
- Merging: later sources win; maps merge key by key, every other value (lists included) is
  replaced — upstream ``confmap.Merge``.
- Expansion in string values after parsing: ``${env:VAR}``, ``${VAR}``, ``${env:VAR:-default}``,
  ``${file:PATH}``; ``$$`` is a literal ``$``. A value that is exactly one reference takes the YAML
  type of what it expands to (``${env:PORT}`` → int), as upstream; inside a longer string it is text.
  An unset variable without default expands to "" (upstream does the same, with a warning).
- Every problem (unreadable file, YAML syntax with line and column, unknown ``${scheme:…}``) is a
  ``ConfigError``; all are collected and raised together as ``ConfigErrors``.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from otelray.collector.errors import ConfigError, ConfigErrors

AOT_CONFIG_CONTENT = "AOT_CONFIG_CONTENT"
"""ADOT: inline YAML configuration that replaces ``--config`` (used with SSM parameters on ECS)."""

MAX_CONFIG_BYTES = 4 * 1024 * 1024
_REF = re.compile(r"\$\$|\$\{([^}]*)\}")
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_log = logging.getLogger(__name__)


def _parse_yaml(text: str, origin: str) -> Any:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(origin, f"invalid YAML{where}: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(origin, f"invalid YAML: {exc}") from exc


def _read_file(path: str) -> str:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(path, f"config file is larger than {MAX_CONFIG_BYTES} bytes")
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, f"cannot read config file: {exc.strerror or exc}") from exc


def _inline_setting(spec: str) -> Any:
    key, sep, value = spec.partition(": ")
    if not sep:
        key, _, value = spec.partition("=")
    tree: Any = _parse_yaml(value, f"yaml:{spec}")
    for part in reversed(key.split("::")):
        tree = {part: tree}
    return tree


def _source(spec: str, env: Mapping[str, str]) -> Any:
    scheme, sep, rest = spec.partition(":")
    if sep and scheme == "file":
        return _parse_yaml(_read_file(rest), rest)
    if sep and scheme == "env":
        return _parse_yaml(env.get(rest, ""), f"env:{rest}")
    if sep and scheme == "yaml":
        return _inline_setting(rest)
    if sep and scheme in {"http", "https", "s3"}:
        raise ConfigError(spec, f"the {scheme} config provider is not supported by otelray; download the file "
                          "and pass its path")
    return _parse_yaml(_read_file(spec), spec)


def merge(base: Any, override: Any) -> Any:
    """Merge ``override`` into ``base``: maps key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            out[key] = merge(out[key], value) if key in out else value
        return out
    return override


class _Expander:
    def __init__(self, env: Mapping[str, str], errors: list[ConfigError]) -> None:
        self.env = env
        self.errors = errors

    def resolve(self, ref: str, path: str) -> str:
        scheme, sep, rest = ref.partition(":")
        if not sep:
            scheme, rest = "env", ref
        if scheme == "env":
            name, _, default = rest.partition(":-")
            if not _VAR.match(name):
                self.errors.append(ConfigError(path, f'environment variable "{name}" has invalid name'))
                return ""
            if name in self.env:
                return self.env[name]
            if ":-" not in rest:
                _log.warning("Configuration references unset environment variable %s", name)
            return default
        if scheme == "file":
            try:
                return Path(rest).read_text(encoding="utf-8")
            except OSError as exc:
                self.errors.append(ConfigError(path, f"cannot read ${{file:{rest}}}: {exc.strerror or exc}"))
                return ""
        self.errors.append(ConfigError(path, f'unsupported scheme "{scheme}" in "${{{ref}}}" (use env or file)'))
        return ""

    def string(self, value: str, path: str) -> Any:
        whole = _REF.fullmatch(value)
        if whole is not None and whole.group(1) is not None:
            text = self.resolve(whole.group(1), path)
            try:
                typed = yaml.load(text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                return text
            return typed if isinstance(typed, int | float | bool) or typed is None and text == "" else text
        return _REF.sub(lambda m: "$" if m.group(1) is None else self.resolve(m.group(1), path), value)

    def walk(self, node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: self.walk(v, f"{path}::{k}" if path else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [self.walk(v, f"{path}::{i}") for i, v in enumerate(node)]
        if isinstance(node, str) and "$" in node:
            return self.string(node, path)
        return node


def expand(tree: Any, env: Mapping[str, str] | None = None) -> Any:
    """Expand ``${…}`` references in every string of ``tree``.

    Raises:
        ConfigErrors: every reference that cannot be resolved.
    """
    errors: list[ConfigError] = []
    out = _Expander(os.environ if env is None else env, errors).walk(tree, "")
    if errors:
        raise ConfigErrors(errors)
    return out


def load_raw(sources: Sequence[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read, merge and expand the configuration sources (``AOT_CONFIG_CONTENT`` wins when set).

    Raises:
        ConfigErrors: every source that cannot be read or parsed, or references that cannot expand.
    """
    env = os.environ if env is None else env
    errors: list[ConfigError] = []
    merged: Any = {}
    inline = env.get(AOT_CONFIG_CONTENT)
    specs = [f"env:{AOT_CONFIG_CONTENT}"] if inline else list(sources)
    if not specs:
        raise ConfigErrors([ConfigError("", "at least one config flag must be provided (--config FILE)")])
    for spec in specs:
        try:
            tree = _source(spec, env)
        except ConfigError as exc:
            errors.append(exc)
            continue
        if tree is None:
            continue
        if not isinstance(tree, dict):
            errors.append(ConfigError(spec, f"the configuration must be a YAML mapping, got {type(tree).__name__}"))
            continue
        merged = merge(merged, tree)
    if errors:
        raise ConfigErrors(errors)
    result: dict[str, Any] = expand(merged, env)
    return result
