"""Feature gates: named switches set with ``--feature-gates`` (collector ``featuregate`` package).

``--feature-gates=+id1,-id2,id3`` enables (``+`` or no prefix) or disables (``-``) registered gates;
an unknown id is an error naming the known ones, as upstream. Components read a gate with
``GATES.is_enabled(id)``; the gates ADOT configs pass are registered here with upstream's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from otelray.collector.errors import ConfigError


class Stage(StrEnum):
    """Lifecycle stage of a gate: alpha gates default off, beta on, stable always on."""

    ALPHA = "alpha"
    BETA = "beta"
    STABLE = "stable"
    DEPRECATED = "deprecated"


@dataclass(slots=True)
class Gate:
    """One switch."""

    id: str
    stage: Stage
    description: str
    enabled: bool


class GateRegistry:
    """The gates of this process."""

    def __init__(self) -> None:
        self._gates: dict[str, Gate] = {}

    def register(self, gate_id: str, stage: Stage, description: str) -> Gate:
        """Add a gate; alpha starts disabled, the rest enabled."""
        gate = Gate(gate_id, stage, description, enabled=stage is not Stage.ALPHA)
        self._gates[gate_id] = gate
        return gate

    def is_enabled(self, gate_id: str) -> bool:
        """Whether ``gate_id`` is on (False for an unknown id)."""
        gate = self._gates.get(gate_id)
        return gate is not None and gate.enabled

    def gates(self) -> list[Gate]:
        """Every gate, sorted by id."""
        return sorted(self._gates.values(), key=lambda g: g.id)

    def apply(self, spec: str) -> None:
        """Apply a ``--feature-gates`` value.

        Raises:
            ConfigError: an unknown gate, or an attempt to disable a stable gate.
        """
        for raw in filter(None, (part.strip() for part in spec.split(","))):
            enable = not raw.startswith("-")
            gate_id = raw.lstrip("+-")
            gate = self._gates.get(gate_id)
            if gate is None:
                known = ", ".join(g.id for g in self.gates())
                raise ConfigError("--feature-gates", f'no such feature gate "{gate_id}" (known: {known})')
            if gate.stage is Stage.STABLE and not enable:
                raise ConfigError("--feature-gates", f'feature gate "{gate_id}" is stable, can not be disabled')
            gate.enabled = enable


GATES = GateRegistry()
GATES.register("exporter.awsxray.skiptimestampvalidation", Stage.BETA,
               "Accept trace ids whose first 4 bytes are not a recent epoch time (awsxray exporter).")
GATES.register("exporter.xray.allowDot", Stage.BETA, "Keep dots in X-Ray annotation keys (awsxray exporter).")
for _name in ("datadog", "logzio", "sapm", "signalfx"):
    GATES.register(f"adot.exporter.{_name}exporter.deprecation", Stage.ALPHA,
                   f"ADOT: refuse the deprecated {_name} exporter (not shipped by otelray).")
