"""The quality gate: minimum (or maximum) scores from ONE file, eval/gate.yaml, and the verdict on a run.

>>> bounds = parse_gate({"version": 1, "gate": {"guard_recall": {"min": 1.0}}}, "inline")
>>> [c.passed for c in check({"guard_recall": 0.97}, bounds)]
[False]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..settings import ROOT
from .cases import EvalDataError

GATE_FILE = ROOT / "eval" / "gate.yaml"
RETRIEVAL_METRIC = re.compile(r"^retrieval_(recall|mrr)@(\d+)\[(fused|dense|lexical|sentences)\]$")


@dataclass(frozen=True)
class Bound:
    metric: str
    minimum: float | None = None
    maximum: float | None = None

    def __str__(self) -> str:
        return f"≥ {_number(self.minimum)}" if self.minimum is not None else f"≤ {_number(self.maximum)}"

    def passes(self, value: float | None) -> bool:
        if value is None:
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        return self.maximum is None or value <= self.maximum


@dataclass(frozen=True)
class Check:
    bound: Bound
    value: float | None
    passed: bool

    @property
    def shortfall(self) -> float | None:
        """How far the value is on the wrong side of the bound (0 when it passes, None when missing)."""
        if self.value is None:
            return None
        if self.bound.minimum is not None and self.value < self.bound.minimum:
            return self.bound.minimum - self.value
        if self.bound.maximum is not None and self.value > self.bound.maximum:
            return self.value - self.bound.maximum
        return 0.0


def _number(value: float) -> str:
    return f"{value:.2f}" if round(value, 2) == value else f"{value:g}"


def load_gate(path: Path | str = GATE_FILE) -> tuple[Bound, ...]:
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(f"The gate file {path} does not exist — pass one with --gate (default eval/gate.yaml).")
    return parse_gate(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def parse_gate(data: Any, source: str) -> tuple[Bound, ...]:
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("gate"), dict):
        raise EvalDataError(f"{source}: expected `version: 1` and a mapping `gate` of metric: {{min: x}} or "
                            f"{{max: x}} (see eval/README.md, “The gate”).")
    bounds = []
    for metric, spec in data["gate"].items():
        if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in ("min", "max") or \
                isinstance(next(iter(spec.values())), bool) or \
                not isinstance(next(iter(spec.values())), (int, float)):
            raise EvalDataError(f"{source}, metric '{metric}': write exactly one of {{min: <number>}} or "
                                f"{{max: <number>}}; got {spec!r}.")
        (side, value), = spec.items()
        bounds.append(Bound(metric, float(value), None) if side == "min" else Bound(metric, None, float(value)))
    return tuple(bounds)


def retrieval_ks(bounds: Sequence[Bound]) -> set[int]:
    """The k values gated retrieval metrics name (e.g. `retrieval_recall@3[fused]` → 3), so a run computes them."""
    return {int(m.group(2)) for b in bounds if (m := RETRIEVAL_METRIC.match(b.metric))}


def check(metrics: Mapping[str, float | None], bounds: Sequence[Bound]) -> tuple[Check, ...]:
    """One verdict per bound; a metric the run did not produce fails (its value is None)."""
    return tuple(Check(b, metrics.get(b.metric), b.passes(metrics.get(b.metric))) for b in bounds)
