"""The committed baseline (eval/baseline.json): the scores of an earlier run, so every run shows its change.

`python -m assistant eval --write-baseline` writes it from the current run; commit it with the change that
moved the scores, so reviewers see the movement in the diff.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..settings import ROOT
from .cases import EvalDataError

BASELINE_FILE = ROOT / "eval" / "baseline.json"


@dataclass(frozen=True)
class Baseline:
    metrics: dict[str, float | None]
    meta: dict

    def change(self, name: str, value: float | None) -> float | None:
        before = self.metrics.get(name)
        return None if before is None or value is None else value - before


def load_baseline(path: Path | str = BASELINE_FILE) -> Baseline | None:
    """The baseline, or None when there is none yet (the table then shows "—" for every change)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise EvalDataError(f"{path} is not valid JSON ({error.msg}, line {error.lineno}) — rewrite it with "
                            f"`python -m assistant eval --write-baseline`.") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("metrics"), dict):
        raise EvalDataError(f"{path} is not a version-1 baseline — rewrite it with "
                            f"`python -m assistant eval --write-baseline`.")
    return Baseline(dict(data["metrics"]), dict(data.get("meta", {})))


def write_baseline(values: Mapping[str, float | None], meta: Mapping, path: Path | str = BASELINE_FILE) -> None:
    data = {"version": 1, "meta": dict(meta),
            "metrics": {name: None if v is None else round(v, 6) for name, v in values.items()}}
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def differences(baseline: Baseline, meta: Mapping) -> list[str]:
    """What differs between the baseline's inputs and this run's (so a change is read in context)."""
    notes = []
    for key, what in (("cases_sha256", "case file"), ("corpus_fingerprint", "article"), ("k", "k")):
        if key in baseline.meta and key in meta and baseline.meta[key] != meta[key]:
            notes.append(f"The baseline was computed with a different {what}; changes include that difference.")
    return notes
