"""What one eval run answered, case by case, and the article passages it answered from, as plain records.

The baseline stores a `Snapshot` (eval/baseline.json, version 2) and the "what changed" view compares two of
them, so a record holds only what the same inputs always reproduce: no latency, no retrieval scores. Offsets
are kept for the reader but never compared: an edit early in the article shifts every offset after it.

>>> record = CaseRecord("ice", "how long do i ice", "answered", True, "Ice it. [1]")
>>> CaseRecord.from_dict("ice", record.to_dict()) == record
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from ..chunking import fingerprint
from ..models import Chunk
from .run import CaseResult, EvalResult


@dataclass(frozen=True)
class CitedSpan:
    """What one `[n]` of an answer quoted, and from which passage."""

    number: int
    chunk_id: str
    section: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Verdict:
    """How the eval judged one answer sentence (see eval/README.md, “Metrics”)."""

    citations: tuple[int, ...]
    supported: bool
    precise: tuple[bool, ...]
    grounded: bool


@dataclass(frozen=True)
class CaseRecord:
    id: str
    question: str
    status: str  # answered | declined | red_flag | error
    passed: bool
    answer: str  # the answer text with its [n] markers; "" when the chain raised
    citations: tuple[CitedSpan, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    failures: tuple[str, ...] = ()

    @classmethod
    def from_result(cls, r: CaseResult) -> CaseRecord:
        answer = r.answer
        return cls(r.case.id, r.case.question, r.status, r.passed, answer.text if answer else "",
                   tuple(CitedSpan(c.number, c.chunk_id, c.heading_path[-1], c.quote, c.start, c.end)
                         for c in (answer.citations if answer else ())),
                   tuple(Verdict(s.citations, s.supported, s.precise, s.grounded) for s in r.sentences),
                   r.failures)

    def to_dict(self) -> dict:
        data = asdict(self)
        del data["id"]  # the key it is stored under
        return data

    @classmethod
    def from_dict(cls, case_id: str, data: Mapping) -> CaseRecord:
        return cls(case_id, data["question"], data["status"], bool(data["passed"]), data["answer"],
                   tuple(CitedSpan(**c) for c in data.get("citations", ())),
                   tuple(Verdict(tuple(v["citations"]), v["supported"], tuple(v["precise"]), v["grounded"])
                         for v in data.get("verdicts", ())),
                   tuple(data.get("failures", ())))


@dataclass(frozen=True)
class Passage:
    """One chunk of the article as a reader sees it: its section and its sentences."""

    id: str
    section: str
    text: str

    @classmethod
    def from_chunk(cls, chunk: Chunk) -> Passage:
        return cls(chunk.id, chunk.heading_path[-1], chunk.text)


@dataclass(frozen=True)
class Snapshot:
    """A run's answers (by case id, in case-file order) and the passages of the article (in article order)."""

    cases: dict[str, CaseRecord]
    passages: tuple[Passage, ...]

    @property
    def index_fingerprint(self) -> str:
        return fingerprint(p.id for p in self.passages)

    @classmethod
    def of(cls, result: EvalResult, chunks: Iterable[Chunk]) -> Snapshot:
        return cls({r.case.id: CaseRecord.from_result(r) for r in result.cases},
                   tuple(Passage.from_chunk(c) for c in chunks))

    def to_dict(self) -> dict:
        return {"cases": {case_id: record.to_dict() for case_id, record in sorted(self.cases.items())},
                "passages": [asdict(p) for p in self.passages]}

    @classmethod
    def from_dict(cls, data: Mapping) -> Snapshot:
        return cls({case_id: CaseRecord.from_dict(case_id, record) for case_id, record in data["cases"].items()},
                   tuple(Passage(**p) for p in data["passages"]))
