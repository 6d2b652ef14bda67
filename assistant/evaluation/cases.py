"""Eval cases: load `eval/cases.yaml` (or any file in the documented format) into validated `Case` records.

Every problem in a file is reported at once, each naming the case (by `id` and position) and the field,
with what was expected and what was found, so an editor can fix the file in one pass. The format is
documented in eval/README.md ("cases.yaml"); fields the format does not know are ignored, as the README's
versioning rules allow.

>>> case = parse_cases({"version": 1, "cases": [{"id": "ice-how-long", "kind": "answerable",
...     "question": "how long should i ice", "expect": "answered", "gold_sections": ["Treatments"],
...     "gold_quotes": ["20 minutes"], "key_facts": [["20 minutes"]]}]}, "inline")[0]
>>> case.id, case.key_facts
('ice-how-long', (('20 minutes',),))
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import AssistantError

KINDS = ("answerable", "unanswerable", "red_flag", "lookalike", "conversation", "adversarial")
EXPECTS = ("answered", "declined", "red_flag")
KNOWN_VERSIONS = (1,)
GOLD_FIELDS = ("gold_sections", "gold_quotes", "key_facts")
_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FORMAT_HINT = "The format is described in eval/README.md (section “cases.yaml”)."


class EvalDataError(AssistantError):
    """An eval data file (cases, support pairs, gate, baseline) is missing or malformed; the message says where."""


@dataclass(frozen=True)
class Case:
    """One end-to-end case: a question (plus the user's earlier turns) and what the answer must have."""

    id: str
    kind: str
    question: str
    expect: str
    history: tuple[str, ...] = ()
    gold_sections: tuple[str, ...] = ()
    gold_quotes: tuple[str, ...] = ()
    key_facts: tuple[tuple[str, ...], ...] = ()
    guard_category: str | None = None
    note: str = ""

    @property
    def single_turn(self) -> bool:
        return not self.history


def guard_categories() -> frozenset[str]:
    """The categories the red-flag guard can report (its rule table is the source of truth)."""
    from ..guard import RULES

    return frozenset(rule.category for rule in RULES)


def load_cases(path: Path | str, categories: Iterable[str] | None = None) -> tuple[Case, ...]:
    """Read and validate a case file; raise EvalDataError listing every problem found."""
    path = Path(path)
    if not path.is_file():
        raise EvalDataError(f"The case file {path} does not exist — pass an existing file with --cases "
                            f"(the default is eval/cases.yaml).")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(error, "problem", None) or str(error)
        raise EvalDataError(f"{path} is not valid YAML{line}: {problem}. Fix the file and run again.") from None
    except UnicodeDecodeError as error:
        raise EvalDataError(f"{path} is not UTF-8 ({error.reason} at byte {error.start}); save it as UTF-8.") from None
    return parse_cases(data, str(path), categories)


def parse_cases(data: Any, source: str, categories: Iterable[str] | None = None) -> tuple[Case, ...]:
    """Validate already-parsed YAML; `source` names the file in messages."""
    known = frozenset(categories) if categories is not None else guard_categories()
    if not isinstance(data, dict):
        raise EvalDataError(f"{source}: the top level must be a mapping with `version` and `cases`; "
                            f"got {_kind_of(data)}. {FORMAT_HINT}")
    version = data.get("version")
    if version not in KNOWN_VERSIONS:
        raise EvalDataError(f"{source}: `version` is {version!r}, but this eval reads version "
                            f"{', '.join(map(str, KNOWN_VERSIONS))} only — set `version: 1` or upgrade the eval. "
                            f"{FORMAT_HINT}")
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise EvalDataError(f"{source}: `cases` must be a non-empty list of cases; got {_kind_of(raw_cases)}. "
                            f"{FORMAT_HINT}")
    problems: list[str] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for position, raw in enumerate(raw_cases, start=1):
        checker = _CaseChecker(raw, position, known)
        case = checker.case()
        problems.extend(checker.problems)
        case_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(case_id, str) and case_id:
            if case_id in seen:
                problems.append(f"{checker.label}, field 'id': duplicate id — case #{seen[case_id]} already uses "
                                f"it; give this case a new unique id.")
            seen.setdefault(case_id, position)
        if case is not None:
            cases.append(case)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise EvalDataError(f"{source} has {len(problems)} problem{'s' * (len(problems) != 1)}:\n{listed}\n"
                            f"{FORMAT_HINT}")
    return tuple(cases)


def corpus_warnings(cases: Iterable[Case], document_text: str, sections: Iterable[str]) -> list[str]:
    """Gold data the current article no longer holds: a quote that is not a substring, an unknown section.

    These are warnings, not errors: an editor who changed the article still gets the scores, and is told
    which cases to update.
    """
    sections = set(sections)
    warnings = []
    for case in cases:
        for quote in case.gold_quotes:
            if quote not in document_text:
                warnings.append(f"case '{case.id}', field 'gold_quotes': “{quote}” is not in the article any "
                                f"more — update the case or restore the sentence.")
        for section in case.gold_sections:
            if section not in sections:
                warnings.append(f"case '{case.id}', field 'gold_sections': there is no section “{section}” in the "
                                f"article — use one of its headings, spelled exactly.")
    return warnings


class _CaseChecker:
    """Checks one raw case mapping, collecting problems instead of stopping at the first."""

    def __init__(self, raw: Any, position: int, categories: frozenset[str]):
        self.raw = raw
        self.position = position
        self.categories = categories
        self.problems: list[str] = []
        case_id = raw.get("id") if isinstance(raw, dict) else None
        self.label = f"case '{case_id}' (#{position})" if isinstance(case_id, str) and case_id else \
            f"case #{position} (no id)"

    def problem(self, field: str, message: str) -> None:
        self.problems.append(f"{self.label}, field '{field}': {message}")

    def case(self) -> Case | None:
        raw = self.raw
        if not isinstance(raw, dict):
            self.problems.append(f"{self.label}: a case must be a mapping of fields; got {_kind_of(raw)}.")
            return None
        case_id = self.text("id", required=True)
        if case_id is not None and not _KEBAB.match(case_id):
            self.problem("id", f"must be kebab-case (lower-case words joined by '-'); got {case_id!r}.")
        kind = self.choice("kind", KINDS)
        question = self.text("question", required=True)
        expect = self.choice("expect", EXPECTS)
        history = self.strings("history", required=False)
        note = self.text("note", required=False) or ""
        gold_sections = gold_quotes = key_facts = None
        guard_category = None
        if expect == "answered":
            gold_sections = self.strings("gold_sections", required=True)
            gold_quotes = self.strings("gold_quotes", required=True)
            if gold_quotes is not None and not 1 <= len(gold_quotes) <= 3:
                self.problem("gold_quotes", f"give 1 to 3 short verbatim quotes; got {len(gold_quotes)}.")
            key_facts = self.facts()
        elif expect == "declined":
            for field in GOLD_FIELDS:
                if field in raw:
                    self.problem(field, "a case expecting `declined` has no gold fields — remove it, or set "
                                        "`expect: answered` if the article does answer the question.")
        if expect == "red_flag":
            guard_category = self.text("guard_category", required=True)
            if guard_category is not None and guard_category not in self.categories:
                self.problem("guard_category", f"{guard_category!r} is not a guard category; use one of "
                                               f"{', '.join(sorted(self.categories))}.")
        elif "guard_category" in raw and expect is not None:
            self.problem("guard_category", f"only a case expecting `red_flag` takes a guard category; this one "
                                           f"expects `{expect}` — remove the field or change `expect`.")
        if None in (case_id, kind, question, expect):
            return None  # its problems are reported; there is no case to keep
        return Case(case_id, kind, question, expect, tuple(history or ()), tuple(gold_sections or ()),
                    tuple(gold_quotes or ()), tuple(key_facts or ()), guard_category, note)

    def text(self, field: str, required: bool) -> str | None:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.problem(field, "is missing; it is required.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(field, f"must be a non-empty string; got {_kind_of(value)}.")
            return None
        return value

    def choice(self, field: str, options: tuple[str, ...]) -> str | None:
        value = self.text(field, required=True)
        if value is not None and value not in options:
            self.problem(field, f"must be one of {', '.join(options)}; got {value!r}.")
            return None
        return value

    def strings(self, field: str, required: bool) -> list[str] | None:
        value = self.raw.get(field)
        if value is None:
            if required:
                self.problem(field, "is missing; a case expecting `answered` needs it.")
            return None
        if not isinstance(value, list) or (required and not value) or \
                not all(isinstance(item, str) and item.strip() for item in value):
            self.problem(field, f"must be a {'non-empty ' if required else ''}list of non-empty strings; "
                                f"got {_kind_of(value)}.")
            return None
        return value

    def facts(self) -> list[tuple[str, ...]] | None:
        value = self.raw.get("key_facts")
        if value is None:
            self.problem("key_facts", "is missing; a case expecting `answered` needs at least one fact "
                                      "(a list of acceptable phrasings).")
            return None
        if not isinstance(value, list) or not value:
            self.problem("key_facts", f"must be a non-empty list of facts; got {_kind_of(value)}.")
            return None
        facts = []
        for i, fact in enumerate(value, start=1):
            if not isinstance(fact, list) or not fact or not all(isinstance(p, str) and p.strip() for p in fact):
                self.problem("key_facts", f"fact #{i} must be a non-empty list of phrasings (strings), e.g. "
                                          f"[\"20 minutes\"]; got {_kind_of(fact)}.")
                continue
            facts.append(tuple(fact))
        return facts


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 60 else "a string"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
