"""What an article edit changed: which passages, and which answers — compared case by case with a baseline.

Pure functions over two `Snapshot`s (the baseline's, or the corpus at a git revision's, and this run's):

* the article edit as passages changed, added or removed, found by `difflib` over the passage IDs in article
  order (an ID hashes its text, so an edited paragraph is one ID replaced by another), with the cases that
  cite each;
* per case: status changed, now failing or now passing, answer text changed (a word-level diff), citations
  moved (it now cites other passages — an edited passage still counts as the same one), verdicts changed.

A case appears only when one of those holds, so an unchanged answer never shows.

>>> [(s.kind, s.text) for s in word_diff("ice for 20 minutes", "ice for 15 minutes")]
[('same', 'ice for'), ('removed', '20'), ('added', '15'), ('same', 'minutes')]
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from .records import CaseRecord, Passage, Snapshot

_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    kind: Literal["same", "removed", "added"]
    text: str


def word_diff(before: str, after: str) -> tuple[Span, ...]:
    """`before` → `after` word by word (whitespace-separated tokens, so "[1]" and "minutes," are words)."""
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    spans: list[Span] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            spans.append(Span("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            spans.append(Span("removed", " ".join(a[i1:i2])))
        if j2 > j1:
            spans.append(Span("added", " ".join(b[j1:j2])))
    return tuple(spans)


@dataclass(frozen=True)
class PassageEdit:
    kind: Literal["changed", "added", "removed"]
    before: Passage | None
    after: Passage | None
    cited_by: tuple[str, ...]  # ids of the cases that cite it, before or after the edit

    @property
    def section(self) -> str:
        return (self.after or self.before).section

    @property
    def diff(self) -> tuple[Span, ...]:
        return word_diff(self.before.text if self.before else "", self.after.text if self.after else "")


@dataclass(frozen=True)
class CaseChange:
    id: str
    before: CaseRecord | None  # None: a case the baseline did not have
    after: CaseRecord | None  # None: a case this run did not have
    moved: bool = False  # cites other passages than before

    @property
    def question(self) -> str:
        return (self.after or self.before).question

    @property
    def status_changed(self) -> bool:
        return bool(self.before and self.after) and self.before.status != self.after.status

    @property
    def now_failing(self) -> bool:
        return bool(self.before and self.after) and self.before.passed and not self.after.passed

    @property
    def now_passing(self) -> bool:
        return bool(self.before and self.after) and not self.before.passed and self.after.passed

    @property
    def answer_changed(self) -> bool:
        return bool(self.before and self.after) and self.before.answer != self.after.answer

    @property
    def verdicts_changed(self) -> bool:
        return bool(self.before and self.after) and self.before.verdicts != self.after.verdicts

    @property
    def diff(self) -> tuple[Span, ...]:
        return word_diff(self.before.answer if self.before else "", self.after.answer if self.after else "")

    @property
    def tags(self) -> tuple[str, ...]:
        """What changed, in the words the report uses."""
        if self.before is None:
            return ("new case",)
        if self.after is None:
            return ("case removed",)
        named = (("now failing", self.now_failing), ("now passing", self.now_passing),
                 ("status changed", self.status_changed), ("answer changed", self.answer_changed),
                 ("citations moved", self.moved),
                 ("verdicts changed", self.verdicts_changed and not self.answer_changed))
        return tuple(name for name, on in named if on)


@dataclass(frozen=True)
class Changes:
    against: str  # what this run is compared with, e.g. "eval/baseline.json" or "the corpus at HEAD~1 (1a2b3c4)"
    compared: int  # cases present in both runs
    passages: tuple[PassageEdit, ...]  # in article order
    cases: tuple[CaseChange, ...]  # only the cases where something changed, in case-file order

    def having(self, tag: str) -> tuple[CaseChange, ...]:
        return tuple(c for c in self.cases if tag in c.tags)

    @property
    def nothing(self) -> bool:
        return not self.passages and not self.cases


def compare(before: Snapshot, after: Snapshot, against: str) -> Changes:
    edits = passage_edits(before.passages, after.passages)
    same_place = {e.before.id: e.after.id for e in edits if e.kind == "changed"}  # an edited passage is itself
    order = [*after.cases, *sorted(set(before.cases) - set(after.cases))]
    changes = []
    for case_id in order:
        old, new = before.cases.get(case_id), after.cases.get(case_id)
        moved = bool(old and new) and [same_place.get(c.chunk_id, c.chunk_id) for c in old.citations] != \
            [c.chunk_id for c in new.citations]
        change = CaseChange(case_id, old, new, moved)
        if change.tags:
            changes.append(change)
    cited: dict[str, list[str]] = {}
    for snapshot in (before, after):
        for case_id, record in snapshot.cases.items():
            for citation in record.citations:
                cited.setdefault(citation.chunk_id, []).append(case_id)
    rank = {case_id: i for i, case_id in enumerate(order)}
    edits = tuple(PassageEdit(e.kind, e.before, e.after, tuple(sorted(
        {c for p in (e.before, e.after) if p for c in cited.get(p.id, ())}, key=rank.get))) for e in edits)
    return Changes(against, len(set(before.cases) & set(after.cases)), edits, tuple(changes))


def passage_edits(before: tuple[Passage, ...], after: tuple[Passage, ...]) -> tuple[PassageEdit, ...]:
    """The passages an edit touched. Within a replaced run, passages pair up in order as "changed"; the rest
    of the longer side is "removed" or "added"."""
    edits: list[PassageEdit] = []
    matcher = difflib.SequenceMatcher(None, [p.id for p in before], [p.id for p in after], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = before[i1:i2], after[j1:j2]
        paired = min(len(old), len(new))
        edits += [PassageEdit("changed", o, n, ()) for o, n in zip(old[:paired], new[:paired])]
        edits += [PassageEdit("removed", o, None, ()) for o in old[paired:]]
        edits += [PassageEdit("added", None, n, ()) for n in new[paired:]]
    return tuple(edits)
