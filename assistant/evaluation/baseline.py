"""The committed baseline (eval/baseline.json): an earlier run's scores and, case by case, its answers.

Every run shows each metric's change since it and which answers changed (`changes.py`).
`python -m assistant eval --write-baseline` writes it from the current run; commit it with the change that
moved the answers, so reviewers see the movement in the diff. It is written with sorted keys and the
passages in article order, so two baselines diff line by line.

Version 2 adds the per-case answers (`cases`) and the article's passages (`passages`) to version 1's scores;
a version-1 file still loads (its scores are compared, its answers are not).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..settings import ROOT
from .cases import EvalDataError
from .records import Snapshot

BASELINE_FILE = ROOT / "eval" / "baseline.json"
VERSION = 2
REWRITE = "rewrite it with `python -m assistant eval --write-baseline`"


@dataclass(frozen=True)
class Baseline:
    metrics: dict[str, float | None]
    meta: dict
    snapshot: Snapshot | None = None  # None in a version-1 file: no per-case answers to compare
    source: str = "eval/baseline.json"  # what the run is compared with, as the report names it

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
        raise EvalDataError(f"{path} is not valid JSON ({error.msg}, line {error.lineno}) — {REWRITE}.") from None
    if not isinstance(data, dict) or data.get("version") not in (1, VERSION) or not isinstance(data.get("metrics"),
                                                                                                dict):
        raise EvalDataError(f"{path} is not a version-1 or version-{VERSION} baseline — {REWRITE}.")
    snapshot = None
    if data["version"] == VERSION:
        try:
            snapshot = Snapshot.from_dict(data)
        except (KeyError, TypeError, AttributeError) as error:
            raise EvalDataError(f"{path}: its `cases` or `passages` are malformed ({type(error).__name__}: "
                                f"{error}) — {REWRITE}.") from None
    return Baseline(dict(data["metrics"]), dict(data.get("meta", {})), snapshot, _shown(path))


def write_baseline(values: Mapping[str, float | None], meta: Mapping, snapshot: Snapshot,
                   path: Path | str = BASELINE_FILE) -> None:
    data = {"version": VERSION, "meta": {**meta, "index_fingerprint": snapshot.index_fingerprint},
            "metrics": {name: None if v is None else round(v, 6) for name, v in values.items()},
            **snapshot.to_dict()}
    Path(path).write_text(dumps(data) + "\n", encoding="utf-8")


_SCALAR_LIST = re.compile(r"\[\n\s+([^\[\]{}\n]+(?:,\n\s+[^\[\]{}\n]+)*)\n\s*\]")


def dumps(data: Mapping) -> str:
    """JSON with sorted keys, two-space indents and each list of plain values on one line (`"precise": [true,
    false]`), so a baseline diffs line by line. Only a bracket followed by a line break is touched, and JSON
    strings hold no raw line breaks, so no string is ever rewritten."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return _SCALAR_LIST.sub(lambda m: "[" + ", ".join(item.strip() for item in m.group(1).split(",\n")) + "]", text)


def differences(baseline: Baseline, meta: Mapping) -> list[str]:
    """What differs between the baseline's inputs and this run's (so a change is read in context)."""
    notes = []
    for key, what in (("cases_sha256", "case file"), ("corpus_fingerprint", "article"), ("k", "k")):
        if key in baseline.meta and key in meta and baseline.meta[key] != meta[key]:
            notes.append(f"The baseline was computed with a different {what}; changes include that difference.")
    if baseline.snapshot is None:
        notes.append(f"{baseline.source} holds no answers per case (version 1), so the report cannot say which "
                     f"answers changed — {REWRITE}.")
    return notes


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
