"""Metric functions: pure, no LLM judge, each returning an overall `score` and per-item `individual_scores`.

Every function scores exactly the items it is given (the caller picks the population, e.g. "answerable
single-turn cases"); `individual_scores[i]` belongs to input item `i`. A score over no items is `None`.
Definitions and sources: eval/README.md, "Metrics".

>>> recall_at_k([[False, True, False], [False, False, False]], k=2).score
0.5
>>> mrr_at_k([[False, True, False], [True]], k=3).individual_scores
(0.5, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Supports = Callable[[str, Sequence[str]], bool]


@dataclass(frozen=True)
class MetricResult:
    """An overall `score` (None when there was nothing to score) and one entry per input item."""

    score: float | None
    individual_scores: tuple[float, ...]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _result(values: Sequence[float]) -> MetricResult:
    values = tuple(float(v) for v in values)
    return MetricResult(_mean(values), values)


# -- retrieval ----------------------------------------------------------------------------------------------
def recall_at_k(rankings: Sequence[Sequence[bool]], k: int) -> MetricResult:
    """Per query: 1 if any of the first k retrieved items is relevant (hit rate / success@k), else 0."""
    return _result([1.0 if any(ranking[:k]) else 0.0 for ranking in rankings])


def mrr_at_k(rankings: Sequence[Sequence[bool]], k: int) -> MetricResult:
    """Per query: 1 / rank of the first relevant item within the first k, 0 if there is none."""
    return _result([next((1.0 / rank for rank, hit in enumerate(ranking[:k], start=1) if hit), 0.0)
                    for ranking in rankings])


# -- citations (ALCE, Gao et al. 2023) ----------------------------------------------------------------------
@dataclass(frozen=True)
class SentenceCitations:
    """ALCE's verdict on one answer sentence: is it covered, and is each of its citations needed?"""

    supported: bool  # the concatenation of its cited passages supports it (citation recall)
    precise: tuple[bool, ...]  # one per citation, in order: False when the citation is irrelevant


def judge_sentence(sentence: str, cited: Sequence[str | None], supports: Supports) -> SentenceCitations:
    """ALCE citation recall and precision for one sentence.

    `cited` holds the passage text of each citation the sentence carries (None for a citation that points at
    nothing). As in ALCE's reference implementation: a sentence without citations, or with a dangling one,
    is not supported; when its citations jointly support it and there are several, a citation is irrelevant
    when it does not support the sentence alone AND the remaining citations still support it without it;
    a single citation is precise exactly when it supports the sentence; when the citations jointly fail,
    none of them is precise.
    """
    if not cited:
        return SentenceCitations(False, ())
    if any(passage is None for passage in cited):
        return SentenceCitations(False, (False,) * len(cited))
    passages = [p for p in cited if p is not None]
    if not supports(sentence, passages):
        return SentenceCitations(False, (False,) * len(cited))
    if len(passages) == 1:
        return SentenceCitations(True, (True,))
    precise = []
    for i, passage in enumerate(passages):
        rest = passages[:i] + passages[i + 1:]
        precise.append(supports(sentence, [passage]) or not supports(sentence, rest))
    return SentenceCitations(True, tuple(precise))


def citation_recall(answers: Sequence[Sequence[SentenceCitations]]) -> MetricResult:
    """Per answer: the share of its sentences covered by their citations; overall: the mean over answers."""
    return _result([sum(s.supported for s in sentences) / len(sentences) if sentences else 0.0
                    for sentences in answers])


def citation_precision(answers: Sequence[Sequence[SentenceCitations]]) -> MetricResult:
    """Per answer: the share of its citations (counted per sentence) that are not irrelevant; mean over answers."""
    values = []
    for sentences in answers:
        flags = [flag for s in sentences for flag in s.precise]
        values.append(sum(flags) / len(flags) if flags else 0.0)
    return _result(values)


# -- groundedness -------------------------------------------------------------------------------------------
def groundedness(answers: Sequence[Sequence[bool]]) -> tuple[MetricResult, MetricResult]:
    """From per-sentence "supported by the article" flags: (sentence share, share of fully supported answers).

    The sentence share pools all sentences of all answers (micro average); its individual scores are each
    answer's own share. An answer with no sentences is not fully supported.
    """
    flags = [flag for sentences in answers for flag in sentences]
    sentence_share = MetricResult(sum(flags) / len(flags) if flags else None,
                                  tuple(sum(s) / len(s) if s else 0.0 for s in answers))
    fully = _result([1.0 if sentences and all(sentences) else 0.0 for sentences in answers])
    return sentence_share, fully


# -- key facts ----------------------------------------------------------------------------------------------
def facts_present(text: str, facts: Sequence[Sequence[str]]) -> tuple[bool, ...]:
    """For each fact: is any of its phrasings a case-insensitive substring of the text?"""
    folded = text.casefold()
    return tuple(any(phrasing.casefold() in folded for phrasing in fact) for fact in facts)


def key_fact_coverage(texts: Sequence[str], facts: Sequence[Sequence[Sequence[str]]]) -> tuple[MetricResult,
                                                                                                MetricResult]:
    """(share of cases with all their facts present, share of all facts present, pooled over cases)."""
    present = [facts_present(text, case_facts) for text, case_facts in zip(texts, facts, strict=True)]
    covered = _result([1.0 if all(p) else 0.0 for p in present])
    pooled = [flag for p in present for flag in p]
    recall = MetricResult(sum(pooled) / len(pooled) if pooled else None,
                          tuple(sum(p) / len(p) if p else 1.0 for p in present))
    return covered, recall


# -- statuses -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeclineScores:
    accuracy: MetricResult  # over all given cases
    unanswerable_declined: MetricResult  # over the cases expecting `declined`
    answerable_answered: MetricResult  # over the cases expecting `answered`: not declined


def decline_accuracy(expected: Sequence[str], got: Sequence[str]) -> DeclineScores:
    """Cases whose expected status is `answered` or `declined`: is "declined or not" right?"""
    if any(e not in ("answered", "declined") for e in expected):
        raise ValueError("decline_accuracy scores cases expecting `answered` or `declined` only")
    pairs = list(zip(expected, got, strict=True))
    return DeclineScores(
        _result([1.0 if (e == "declined") == (g == "declined") else 0.0 for e, g in pairs]),
        _result([1.0 if g == "declined" else 0.0 for e, g in pairs if e == "declined"]),
        _result([1.0 if g != "declined" else 0.0 for e, g in pairs if e == "answered"]))


def guard_recall(categories: Sequence[str], got: Sequence[tuple[str, Sequence[str]]]) -> MetricResult:
    """Cases expecting `red_flag`: 1 when the answer is `red_flag` and the expected category was reported."""
    return _result([1.0 if status == "red_flag" and category in reported else 0.0
                    for category, (status, reported) in zip(categories, got, strict=True)])


def false_alarm_rate(statuses: Sequence[str]) -> MetricResult:
    """Cases not expecting `red_flag`: 1 when the guard fired anyway (lower is better)."""
    return _result([1.0 if status == "red_flag" else 0.0 for status in statuses])


def status_accuracy(expected: Sequence[str], got: Sequence[str]) -> MetricResult:
    return _result([1.0 if e == g else 0.0 for e, g in zip(expected, got, strict=True)])


# -- latency ------------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def latency(milliseconds: Sequence[float]) -> tuple[MetricResult, MetricResult]:
    """(p50, p95) of per-case latency; the individual scores are the latencies themselves."""
    values = tuple(float(v) for v in milliseconds)
    return MetricResult(percentile(values, 50), values), MetricResult(percentile(values, 95), values)
