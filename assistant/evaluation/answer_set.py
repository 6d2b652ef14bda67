"""Labelled questions and conversations (JSONL) and how the answers score on them, as a runner would judge.

One line per item, a single question or a conversation of several user turns:
    {"id": "c001", "kind": "single"|"out_of_scope"|"conversation",
     "turns": [{"text": "…", "answerable": true, "type": "amount", "direct_answers": ["exact article words", …]}, …]}
`direct_answers` are verbatim spans of `corpus/article.md`, each of which alone answers the turn. A turn is
scored with the user's earlier turns of its item as its history. Written by people who never saw the code
(eval/answers/README.md says who wrote which file and how they were kept apart).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .jsonl import read_rows
from ..about import as_shown
from ..models import Answer

TYPES = ("yes_no", "amount", "time", "which", "who_source", "comparison", "definition", "cause", "how_to", "other")


@dataclass(frozen=True)
class LabelledTurn:
    text: str
    answerable: bool
    type: str
    direct_answers: tuple[str, ...]


@dataclass(frozen=True)
class LabelledItem:
    id: str
    kind: str
    turns: tuple[LabelledTurn, ...]


def load(path: Path, article: str | None = None) -> list[LabelledItem]:
    """Read a labelled JSONL file; a bad line is reported with its number and what to fix. With `article`,
    every direct answer must be an exact span of it (so an article edit shows up as a data error, not a miss)."""
    return read_rows(path, lambda row: _item(row, article),
                     "Each line is one JSON object with id, kind and turns (see eval/answers/README.md).")


def _item(row: dict, article: str | None) -> LabelledItem:
    turns = tuple(LabelledTurn(t["text"], bool(t["answerable"]), t.get("type", "other"),
                               tuple(t.get("direct_answers") or ())) for t in row["turns"])
    if not turns or any(not isinstance(t.text, str) or not t.text.strip() for t in turns):
        raise ValueError('"turns" must be a non-empty list of turns with a non-empty "text"')
    for turn in turns:
        if turn.answerable and not turn.direct_answers:
            raise ValueError(f'the answerable turn {turn.text[:40]!r} has no "direct_answers"')
        missing = [q for q in turn.direct_answers if article is not None and q not in article]
        if missing:
            raise ValueError(f'the direct answer {missing[0][:50]!r} is not in the article any more')
    return LabelledItem(str(row["id"]), str(row["kind"]), turns)


_BULLET = re.compile(r"(?m)^[ \t]*- ")  # a labelled run of bullets, "- Squats\n\n- Bridges": shown without the dashes


def _fold(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').casefold()
    return " ".join(text.split())


def direct_position(answer: Answer, direct_answers: Sequence[str]) -> int | None:
    """Which cited span of the answer a direct answer begins in: 0 for the first one shown, None when no direct
    answer is shown. A direct answer counts when its words appear in the answer exactly, across sentence breaks
    if needed; a bullet's label and its explanation, or a sentence and its antecedent, are one cited span. Only an
    answer counts: a decline or the doctor's reply is None.
    """
    return shown_at(answer, direct_answers) if answer.status == "answered" else None


def shown_at(answer: Answer, direct_answers: Sequence[str]) -> int | None:
    """As `direct_position`, whatever the answer's status: where its shown sentences hold a direct answer."""
    texts = [_fold(s.text) for s in answer.sentences]
    joined = " ".join(texts)
    starts = [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]
    found = [joined.find(_fold(_BULLET.sub("", as_shown(q)))) for q in direct_answers]
    found = [f for f in found if f >= 0]
    if not found:
        return None
    sentence = answer.sentences[max(i for i, s in enumerate(starts) if s <= min(found))]
    order = list(dict.fromkeys(n for s in answer.sentences for n in s.citations))
    return min(order.index(n) for n in sentence.citations) if sentence.citations else len(order)


def words(answer: Answer) -> int:
    return sum(len(s.text.split()) for s in answer.sentences)


@dataclass(frozen=True)
class TurnResult:
    item: LabelledItem
    position: int  # 0 = the item's first turn
    turn: LabelledTurn
    answer: Answer
    direct_at: int | None

    @property
    def id(self) -> str:
        return f"{self.item.id}#{self.position}"

    @property
    def shown_by_the_doctor_reply(self) -> bool:
        """Sent to the doctor, with the reply showing a direct answer: the red-flag reply shows the article's own
        "See a doctor if…" list, which is what "I had a stress fracture, does that matter?" was labelled with. Still
        not counted as a direct answer present: that needs an answer."""
        return self.answer.status == "red_flag" and shown_at(self.answer, self.turn.direct_answers) is not None

    @property
    def good(self) -> bool:
        """What the runner needed: the direct answer shown, or a decline when the article has none."""
        return self.direct_at is not None if self.turn.answerable else self.answer.status == "declined"


@dataclass(frozen=True)
class AnswerScore:
    results: tuple[TurnResult, ...]

    def _share(self, rows: Sequence[TurnResult], test: Callable[[TurnResult], bool]) -> tuple[int, int]:
        return sum(map(test, rows)), len(rows)

    def figures(self) -> dict[str, tuple[int, int]]:
        """Name → (count, out of)."""
        rows = self.rows()
        singles, follow_ups = rows["first_turns"], rows["follow_ups"]
        answerable, out_of_scope = rows["answerable"], rows["out_of_scope"]
        conversations = [i for i in {r.item.id: r.item for r in self.results if r.item.kind == "conversation"}]
        held = sum(all(r.good for r in self.results if r.item.id == c) for c in conversations)
        return {
            "direct answer present (first turns)": self._share(singles, lambda r: r.direct_at is not None),
            "direct answer first (first turns)": self._share(singles, lambda r: r.direct_at == 0),
            "direct answer present (follow-ups)": self._share(follow_ups, lambda r: r.direct_at is not None),
            "out of scope declined": self._share(out_of_scope, lambda r: r.answer.status == "declined"),
            "answerable declined": self._share(answerable, lambda r: r.answer.status == "declined"),
            "answerable sent to the doctor": self._share(answerable, lambda r: r.answer.status == "red_flag"),
            "doctor's reply shows a direct answer": self._share(
                [r for r in answerable if r.answer.status == "red_flag"], lambda r: r.shown_by_the_doctor_reply),
            "conversations held to the end": (held, len(conversations)),
        }

    def rows(self) -> dict[str, list[TurnResult]]:
        """The populations the metrics are computed over."""
        return {"first_turns": [r for r in self.results if r.position == 0 and r.turn.answerable],
                "follow_ups": [r for r in self.results if r.position > 0 and r.turn.answerable],
                "answerable": [r for r in self.results if r.turn.answerable],
                "out_of_scope": [r for r in self.results if not r.turn.answerable],
                "answered": [r for r in self.results if r.answer.status == "answered"]}

    @property
    def median_words(self) -> float:
        counts = [words(r.answer) for r in self.results if r.answer.status == "answered"]
        return statistics.median(counts) if counts else 0.0

    def table(self) -> str:
        rows = [f"{name:38} {n:4d}/{total:<4d} {n / total if total else 0:.3f}" for name, (n, total)
                in self.figures().items()]
        return "\n".join(rows + [f"{'median words per answer':38} {self.median_words:9.1f}"])

    def by_type(self) -> str:
        """Direct answer present per question type (first turns and follow-ups)."""
        types: dict[str, list[bool]] = {}
        for r in self.results:
            if r.turn.answerable:
                types.setdefault(r.turn.type, []).append(r.direct_at is not None)
        return "\n".join(f"{t:12} {sum(v):3d}/{len(v):<3d} {sum(v) / len(v):.2f}" for t, v in sorted(types.items()))


def score(items: Sequence[LabelledItem], answer: Callable[[str, list[dict]], Answer],
          progress: bool = False) -> AnswerScore:
    """Answer every turn with the user's earlier turns of its item as history, as a chat client would send them."""
    from tqdm import tqdm

    results = []
    for item in tqdm(items, desc="answers", unit="item", disable=not progress):
        history: list[dict] = []
        for position, turn in enumerate(item.turns):
            got = answer(turn.text, list(history))
            results.append(TurnResult(item, position, turn, got, direct_position(got, turn.direct_answers)))
            history += [{"role": "user", "content": turn.text}, {"role": "assistant", "content": got.text}]
    return AnswerScore(tuple(results))


def shown(result: TurnResult) -> str:
    """One line for --show: what was asked, what was expected, what came back."""
    text = re.sub(r"\s+", " ", result.answer.text if result.answer.status == "answered" else result.answer.status)
    expected = " | ".join(result.turn.direct_answers) or "(decline)"
    return (f"{result.item.id}#{result.position} [{result.turn.type}] {result.turn.text}\n"
            f"    expected: {expected[:160]}\n    got: {text[:300]}")
