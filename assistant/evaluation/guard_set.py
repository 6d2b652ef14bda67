"""Labelled red-flag messages (JSONL) and how the guard scores on them: recall, false alarms, per category.

One line per conversation:
    {"text": "…", "history": ["earlier user turn", …], "label": "red_flag"|"harmless",
     "tier": "urgent"|"see_doctor"|null, "category": "trauma"|…|"lookalike"|…}
The same files train the guard's meaning layer (`eval/guard/train.jsonl`) and score it on a split
nobody tuned on (`eval/guard/sealed.jsonl`); see eval/guard/README.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .jsonl import read_rows
from ..models import GuardVerdict

Label = Literal["red_flag", "harmless"]


@dataclass(frozen=True)
class GuardExample:
    text: str
    history: tuple[str, ...]
    label: Label
    tier: Literal["urgent", "see_doctor"] | None
    category: str

    @property
    def is_red_flag(self) -> bool:
        return self.label == "red_flag"


def load(path: Path) -> list[GuardExample]:
    """Read a labelled JSONL file; a bad line is reported with its number and what to fix."""
    return read_rows(path, _example, "Each line is one JSON object with text, history, label, tier and category "
                                     "(see eval/guard/README.md).")


def _example(row: dict) -> GuardExample:
    history = row.get("history") or []
    label = row["label"]
    if label not in ("red_flag", "harmless") or not isinstance(row["text"], str):
        raise ValueError('"label" must be "red_flag" or "harmless" and "text" a string')
    if not isinstance(history, list) or not all(isinstance(t, str) for t in history):
        raise ValueError('"history" must be a list of the user\'s earlier messages')
    tier = row.get("tier") if label == "red_flag" else None
    if label == "red_flag" and tier not in ("urgent", "see_doctor"):
        raise ValueError('a red flag needs "tier": "urgent" or "see_doctor"')
    return GuardExample(row["text"], tuple(history), label, tier, str(row.get("category", "")))


@dataclass(frozen=True)
class GuardScore:
    """How a guard did on a labelled set. Rates are fractions of the examples they count."""

    red_flags: int
    harmless: int
    caught: int
    false_alarms: int
    urgent: int
    urgent_caught: int
    urgent_tier_given: int  # urgent examples the guard answered with its emergency tier
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)  # category → (fired, examples)
    misses: tuple[GuardExample, ...] = ()
    alarms: tuple[tuple[GuardExample, GuardVerdict], ...] = ()

    @property
    def recall(self) -> float:
        return self.caught / self.red_flags if self.red_flags else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.harmless if self.harmless else 0.0

    @property
    def urgent_recall(self) -> float:
        return self.urgent_caught / self.urgent if self.urgent else 1.0

    def table(self) -> str:
        rows = [f"red flags caught   {self.caught}/{self.red_flags} = {self.recall:.3f}",
                f"  urgent tier      {self.urgent_caught}/{self.urgent} = {self.urgent_recall:.3f} "
                f"(given the emergency reply: {self.urgent_tier_given})",
                f"false alarms       {self.false_alarms}/{self.harmless} = {self.false_alarm_rate:.3f}",
                "", f"{'category':26} {'label':9} fired"]
        for category, (fired, total) in sorted(self.by_category.items(), key=lambda kv: (kv[0].split(":")[0], kv)):
            label, name = category.split(":", 1)
            rows.append(f"{name:26} {label:9} {fired:3d}/{total:<3d} {fired / total:.2f}")
        return "\n".join(rows)


def score(examples: Sequence[GuardExample], check: Callable[[str, Sequence[str]], GuardVerdict],
          progress: bool = False) -> GuardScore:
    """Run `check` on every example and count what a user would notice: a red flag missed, a false alarm."""
    from tqdm import tqdm

    fired_by: Counter[str] = Counter()
    total_by: Counter[str] = Counter()
    misses, alarms = [], []
    caught = false_alarms = urgent = urgent_caught = urgent_tier = 0
    for example in tqdm(examples, desc="guard", unit="msg", disable=not progress):
        verdict = check(example.text, example.history)
        key = f"{example.label}:{example.category}"
        total_by[key] += 1
        fired_by[key] += verdict.fired
        if example.is_red_flag:
            caught += verdict.fired
            if not verdict.fired:
                misses.append(example)
            if example.tier == "urgent":
                urgent += 1
                urgent_caught += verdict.fired
                urgent_tier += verdict.tier == "emergency"
        elif verdict.fired:
            false_alarms += 1
            alarms.append((example, verdict))
    return GuardScore(
        red_flags=sum(e.is_red_flag for e in examples), harmless=sum(not e.is_red_flag for e in examples),
        caught=caught, false_alarms=false_alarms, urgent=urgent, urgent_caught=urgent_caught,
        urgent_tier_given=urgent_tier, by_category={k: (fired_by[k], total_by[k]) for k in total_by},
        misses=tuple(misses), alarms=tuple(alarms))
