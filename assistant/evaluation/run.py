"""One eval run: every case through the product's own chain (`Assistant(engine).answer`), then every metric.

There is no second code path: the answers scored here are the ones the CLI, the API and the page give.
Retrieval is scored separately, per leg, with `engine.retrieve(question, k=k, mode=mode)`.

Example (needs the index)::

    engine = Engine().warm_up()
    checker = checker_for(engine.embedder, load_calibration())
    result = evaluate(engine, load_cases("eval/cases.yaml"), checker, k=3)
    result.value("citation_precision")  # 1.0
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from tqdm import tqdm

from ..errors import AssistantError
from ..models import Answer
from . import answer_set
from . import metrics as m
from .cases import KINDS, Case
from ..retrieval import MODES
from ..support import SupportChecker

LATENCY_METRICS = ("latency_p50_ms", "latency_p95_ms")


def retrieval_metric(kind: str, k: int, mode: str) -> str:
    return f"retrieval_{kind}@{k}[{mode}]"


@dataclass(frozen=True)
class SentenceCheck:
    """One answer sentence as the eval judged it."""

    text: str
    citations: tuple[int, ...]
    supported: bool  # by the concatenation of its cited passages (ALCE citation recall)
    precise: tuple[bool, ...]  # per citation: not irrelevant (ALCE citation precision)
    grounded: bool  # by some passage of the article, whatever it cites
    score: float  # alignment with its cited passages; 1.0 = verbatim


@dataclass(frozen=True)
class Retrieved:
    chunk_id: str
    section: str
    relevant: bool


@dataclass(frozen=True)
class CaseResult:
    case: Case
    status: str  # the answer's status, or "error" when the chain raised
    answer: Answer | None
    latency_ms: float
    error: str | None = None
    sentences: tuple[SentenceCheck, ...] = ()
    facts: tuple[bool, ...] = ()
    retrieved: dict[str, tuple[Retrieved, ...]] = field(default_factory=dict)
    failures: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def reported_categories(self) -> tuple[str, ...]:
        return tuple(f.category for f in self.answer.red_flags) if self.answer else ()


@dataclass(frozen=True)
class EvalResult:
    metrics: dict[str, m.MetricResult]  # in table order
    item_ids: dict[str, tuple[str, ...]]  # the case id behind each individual score
    cases: tuple[CaseResult, ...]
    k: int
    meta: dict
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    def value(self, name: str) -> float | None:
        return self.metrics[name].score if name in self.metrics else None

    def values(self) -> dict[str, float | None]:
        return {name: result.score for name, result in self.metrics.items()}

    def quality(self) -> dict[str, float | None]:
        """Every score except latency: what must be identical between two runs of the same inputs."""
        return {name: score for name, score in self.values().items() if name not in LATENCY_METRICS}


def evaluate(engine, cases: Sequence[Case], checker: SupportChecker, k: int = 3, extra_ks: Sequence[int] = (),
             progress: bool = True, meta: dict | None = None, warnings: Sequence[str] = (),
             answer_sets: Mapping[str, Sequence] | None = None, decline_model=None) -> EvalResult:
    """Answer every case with the product's chain and compute every metric; `answer_sets` are the labelled
    questions and conversations of eval/answers/ by file name (direct answers, follow-ups, length), each
    answered with the other files' precedents only, as a new writer's questions would be; `decline_model`
    defaults to the committed calibration, as in the product."""
    from ..chain import Assistant

    started = time.perf_counter()
    assistant = Assistant(engine, decline_model)
    judge = _Judge(engine, checker)
    ks = sorted({k, *extra_ks})
    retrieval_cases = [c for c in cases if c.expect == "answered" and c.single_turn]
    retrieved = _retrieve(engine, retrieval_cases, max(ks), progress)
    results = []
    for case in tqdm(cases, desc="Answering cases", unit="case", disable=not progress):
        results.append(judge.case(assistant, case, retrieved.get(case.id, {}), k))
    metrics, ids = _score(results, retrieval_cases, retrieved, ks)
    if answer_sets:
        shipped, scored = assistant.precedents, []
        for name, items in answer_sets.items():
            assistant.use_precedents(shipped.without(name) if shipped else None)
            scored += answer_set.score(items, assistant.answer, progress).results
        assistant.use_precedents(shipped)
        _score_answer_sets(answer_set.AnswerScore(tuple(scored)), metrics, ids)
    return EvalResult(metrics, ids, tuple(results), k, dict(meta or {}), tuple(warnings),
                      round(time.perf_counter() - started, 3))


def _retrieve(engine, cases: Sequence[Case], k: int, progress: bool) -> dict[str, dict[str, tuple[Retrieved, ...]]]:
    """Each leg's ranked chunks for each answerable single-turn question (one query embedding per question)."""
    out = {}
    for case in tqdm(cases, desc="Scoring retrieval legs", unit="case", disable=not progress):
        vector = engine.embed(case.question)
        out[case.id] = {mode: tuple(Retrieved(h.chunk.id, h.chunk.heading_path[-1], is_relevant(h.chunk, case))
                                    for h in engine.retrieve(case.question, k=k, mode=mode, query_vector=vector))
                        for mode in MODES}
    return out


def is_relevant(chunk, case: Case) -> bool:
    """A retrieved chunk is relevant when it lies in a gold section or contains a gold quote."""
    return chunk.heading_path[-1] in case.gold_sections or any(q in chunk.text for q in case.gold_quotes)


class _Judge:
    """Answers one case and judges the answer against the case and the article."""

    def __init__(self, engine, checker: SupportChecker):
        self.checker = checker
        self.document = engine.document.text
        self.chunks = engine.chunk_by_id
        self.passages = [self.document[c.start:c.end] for c in engine.chunks]
        for chunk, passage in zip(engine.chunks, self.passages):
            checker.know_passage(passage, [s.text for s in chunk.sentences], engine.sentence_vectors[chunk.id])

    def case(self, assistant, case: Case, retrieved: dict[str, tuple[Retrieved, ...]], k: int) -> CaseResult:
        wall = time.perf_counter()
        try:
            answer = assistant.answer(case.question, list(case.history))
        except AssistantError as error:
            latency = (time.perf_counter() - wall) * 1000
            return CaseResult(case, "error", None, latency, str(error), retrieved=retrieved,
                              failures=(f"error: the chain raised {type(error).__name__}: {error}",))
        latency = answer.timings_ms.get("total", (time.perf_counter() - wall) * 1000)
        sentences = self.sentences(answer) if answer.status == "answered" else ()
        facts = m.facts_present(answer.text, case.key_facts) if case.expect == "answered" else ()
        result = CaseResult(case, answer.status, answer, latency, None, sentences, facts, retrieved)
        return replace(result, failures=tuple(self.failures(result, k)))

    def sentences(self, answer: Answer) -> tuple[SentenceCheck, ...]:
        by_number = {c.number: c for c in answer.citations}
        checks = []
        for sentence in answer.sentences:
            cited = [self.cited_passage(by_number.get(n)) for n in sentence.citations]
            verdict = m.judge_sentence(sentence.text, cited, self.checker.supports)
            present = [p for p in cited if p is not None]
            score = self.checker.align(sentence.text, present).score if present else 0.0
            grounded = verdict.supported or any(self.checker.supports(sentence.text, [p]) for p in self.passages)
            checks.append(SentenceCheck(sentence.text, sentence.citations, verdict.supported, verdict.precise,
                                        grounded, round(score, 6)))
        return tuple(checks)

    def cited_passage(self, citation) -> str | None:
        """The article's own text of the passage a citation names (never the answer's copy of it)."""
        if citation is None or citation.chunk_id not in self.chunks:
            return None
        chunk = self.chunks[citation.chunk_id]
        return self.document[chunk.start:chunk.end]

    def failures(self, result: CaseResult, k: int) -> list[str]:
        case, answer = result.case, result.answer
        reasons = []
        if result.status != case.expect:
            reasons.append(f"status: expected {case.expect}, got {result.status}")
        if case.expect == "red_flag" and result.status == "red_flag" and \
                case.guard_category not in result.reported_categories:
            reasons.append(f"guard: expected category '{case.guard_category}' among the reported "
                           f"{list(result.reported_categories)}")
        for fact, present in zip(case.key_facts, result.facts):
            if not present:
                reasons.append(f"key fact missing: none of {list(fact)} is in the answer")
        by_number = {c.number: c for c in answer.citations} if answer else {}
        for i, s in enumerate(result.sentences, start=1):
            marks = "".join(f"[{n}]" for n in s.citations) or "(none)"
            if not s.supported:
                reasons.append(f"citation: sentence {i} is not supported by its citation(s) {marks} "
                               f"(alignment {s.score:.2f}): “{s.text}”")
            for n, precise in zip(s.citations, s.precise):
                if s.supported and not precise:
                    reasons.append(f"citation: [{n}] on sentence {i} is irrelevant — the other citations "
                                   f"support it without it")
            if not s.grounded:
                reasons.append(f"grounding: sentence {i} is not supported by any passage of the article: "
                               f"“{s.text}”")
        for citation in by_number.values():
            if self.document[citation.start:citation.end] != citation.quote:
                reasons.append(f"citation: [{citation.number}] quotes text the article does not hold at chars "
                               f"{citation.start}–{citation.end}")
        fused = result.retrieved.get("fused")
        if fused is not None and not any(r.relevant for r in fused[:k]):
            reasons.append(f"retrieval: no gold passage in the fused top {k} for the question alone")
        return reasons


def _score_answer_sets(scored: answer_set.AnswerScore, metrics: dict, ids: dict) -> None:
    """What a runner would judge: is the direct answer shown (and shown first), in follow-ups too; is what the
    article lacks declined; how long are the answers."""
    rows = scored.rows()

    def put(name: str, values: list[float], items: Sequence) -> None:
        metrics[name] = m.MetricResult(sum(values) / len(values) if values else None, tuple(values))
        ids[name] = tuple(r.id for r in items)

    put("direct_answer_present", [float(r.direct_at is not None) for r in rows["first_turns"]], rows["first_turns"])
    put("direct_answer_first", [float(r.direct_at == 0) for r in rows["first_turns"]], rows["first_turns"])
    put("direct_answer_present[follow_ups]", [float(r.direct_at is not None) for r in rows["follow_ups"]],
        rows["follow_ups"])
    put("out_of_scope_declined", [float(r.answer.status == "declined") for r in rows["out_of_scope"]],
        rows["out_of_scope"])
    put("answerable_declined", [float(r.answer.status == "declined") for r in rows["answerable"]],
        rows["answerable"])
    counts = [float(answer_set.words(r.answer)) for r in rows["answered"]]
    metrics["words_per_answer_median"] = m.MetricResult(statistics.median(counts) if counts else None, tuple(counts))
    ids["words_per_answer_median"] = tuple(r.id for r in rows["answered"])


def _score(results: Sequence[CaseResult], retrieval_cases: Sequence[Case],
           retrieved: dict[str, dict[str, tuple[Retrieved, ...]]], ks: Sequence[int]):
    metrics: dict[str, m.MetricResult] = {}
    ids: dict[str, tuple[str, ...]] = {}

    def put(name: str, result: m.MetricResult, items: Sequence[CaseResult | Case]) -> None:
        metrics[name] = result
        ids[name] = tuple(getattr(item, "case", item).id for item in items)

    answered = [r for r in results if r.status == "answered"]
    judged = [[m.SentenceCitations(s.supported, s.precise) for s in r.sentences] for r in answered]
    put("citation_precision", m.citation_precision(judged), answered)
    put("citation_recall", m.citation_recall(judged), answered)
    sentence_share, fully = m.groundedness([[s.grounded for s in r.sentences] for r in answered])
    put("groundedness", sentence_share, answered)
    put("answers_fully_grounded", fully, answered)

    expect_answer = [r for r in results if r.case.expect == "answered"]
    covered, fact_recall = m.key_fact_coverage([r.answer.text if r.answer else "" for r in expect_answer],
                                               [r.case.key_facts for r in expect_answer])
    put("key_fact_coverage", covered, expect_answer)
    put("key_fact_recall", fact_recall, expect_answer)

    decidable = [r for r in results if r.case.expect in ("answered", "declined")]
    decline = m.decline_accuracy([r.case.expect for r in decidable], [r.status for r in decidable])
    put("decline_accuracy", decline.accuracy, decidable)
    put("unanswerable_declined", decline.unanswerable_declined, [r for r in decidable if r.case.expect == "declined"])
    put("answerable_answered", decline.answerable_answered, [r for r in decidable if r.case.expect == "answered"])

    flagged = [r for r in results if r.case.expect == "red_flag"]
    put("guard_recall", m.guard_recall([r.case.guard_category for r in flagged],
                                       [(r.status, r.reported_categories) for r in flagged]), flagged)
    calm = [r for r in results if r.case.expect != "red_flag"]
    put("guard_false_alarm_rate", m.false_alarm_rate([r.status for r in calm]), calm)

    put("status_accuracy", m.status_accuracy([r.case.expect for r in results], [r.status for r in results]), results)
    for kind in KINDS:
        of_kind = [r for r in results if r.case.kind == kind]
        if of_kind:
            put(f"status_accuracy[{kind}]", m.status_accuracy([r.case.expect for r in of_kind],
                                                              [r.status for r in of_kind]), of_kind)

    for k in ks:
        for mode in MODES:
            rankings = [[r.relevant for r in retrieved[c.id][mode]] for c in retrieval_cases]
            put(retrieval_metric("recall", k, mode), m.recall_at_k(rankings, k), retrieval_cases)
            put(retrieval_metric("mrr", k, mode), m.mrr_at_k(rankings, k), retrieval_cases)

    p50, p95 = m.latency([r.latency_ms for r in results])
    put("latency_p50_ms", p50, results)
    put("latency_p95_ms", p95, results)
    return metrics, ids
