"""The eval suite: metrics on hand-made inputs, the calibrated support check, case validation, and whole runs
through the product's chain — deterministic, gated, and failing when answer quality or safety drops."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

import assistant.chain
import assistant.guard
from assistant.__main__ import main as cli
from assistant.chain import Assistant
from assistant.evaluation import metrics as m
from assistant.evaluation.cases import EvalDataError, load_cases, parse_cases
from assistant.evaluation.command import Options, run
from assistant.evaluation.gate import load_gate
from assistant.support import (SupportChecker, calibrate, load_calibration, load_pairs, normalise,
                                          pick_threshold)
from assistant.models import GuardVerdict
from assistant.settings import ROOT

CASES_FILE = ROOT / "eval" / "cases.yaml"
RAW_CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def contains(sentence: str, passages) -> bool:
    """A support check for hand-made examples: the sentence is inside the passages joined by a space."""
    return sentence in " ".join(passages)


# -- metrics on hand-made inputs ----------------------------------------------------------------------------
def test_recall_at_k_counts_a_query_once_it_has_any_relevant_hit_in_the_top_k():
    rankings = [[False, True, False], [False, False, True], [False, False, False], [True]]
    result = m.recall_at_k(rankings, k=2)
    assert result.individual_scores == (1.0, 0.0, 0.0, 1.0)
    assert result.score == 0.5


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_hit_within_k():
    result = m.mrr_at_k([[False, True, True], [False, False, True], [True], []], k=2)
    assert result.individual_scores == (0.5, 0.0, 1.0, 0.0)
    assert result.score == 0.375


def test_alce_precision_flags_the_one_citation_the_sentence_does_not_need():
    sentence = "Ice for 20 minutes."
    verdict = m.judge_sentence(sentence, ["Ice for 20 minutes. Then rest.", "Strength train twice a week."],
                               contains)
    assert verdict == m.SentenceCitations(True, (True, False))
    second = m.judge_sentence("Then rest.", ["Ice for 20 minutes. Then rest."], contains)
    answer = [verdict, second]
    assert m.citation_recall([answer]).score == 1.0
    assert m.citation_precision([answer]).score == pytest.approx(2 / 3)


def test_alce_citations_needed_together_are_all_precise():
    verdict = m.judge_sentence("Ice it. Then rest.", ["Ice it.", "Then rest."], contains)
    assert verdict == m.SentenceCitations(True, (True, True))


def test_alce_a_wrong_or_dangling_or_missing_citation_covers_nothing_and_is_not_precise():
    assert m.judge_sentence("Ice it.", ["Then rest."], contains) == m.SentenceCitations(False, (False,))
    assert m.judge_sentence("Ice it.", ["Ice it.", None], contains) == m.SentenceCitations(False, (False, False))
    assert m.judge_sentence("Ice it.", [], contains) == m.SentenceCitations(False, ())
    answers = [[m.SentenceCitations(True, (True,)), m.SentenceCitations(False, (False,))],
               [m.SentenceCitations(True, (True,))]]
    assert m.citation_recall(answers).individual_scores == (0.5, 1.0)
    assert m.citation_recall(answers).score == 0.75
    assert m.citation_precision(answers).score == 0.75


def test_groundedness_pools_sentences_and_counts_fully_supported_answers():
    sentences, answers = m.groundedness([[True, True], [True, False, False], [True]])
    assert sentences.score == pytest.approx(4 / 6)
    assert sentences.individual_scores == (1.0, pytest.approx(1 / 3), 1.0)
    assert answers.score == pytest.approx(2 / 3)
    assert answers.individual_scores == (1.0, 0.0, 1.0)


def test_key_facts_match_any_phrasing_case_insensitively_and_a_case_needs_all_of_them():
    covered, recall = m.key_fact_coverage(["Ice for 20 Minutes, several times per day.", "Rest."],
                                          [[["20 minutes"], ["heat", "SEVERAL TIMES"]], [["rest"], ["ice"]]])
    assert covered.individual_scores == (1.0, 0.0)
    assert covered.score == 0.5
    assert recall.score == 0.75


def test_decline_accuracy_reports_both_rates_and_the_combined_accuracy():
    scores = m.decline_accuracy(["answered", "answered", "declined", "declined"],
                                ["answered", "declined", "declined", "red_flag"])
    assert scores.accuracy.individual_scores == (1.0, 0.0, 1.0, 0.0)
    assert scores.unanswerable_declined.score == 0.5
    assert scores.answerable_answered.score == 0.5
    with pytest.raises(ValueError):
        m.decline_accuracy(["red_flag"], ["red_flag"])


def test_guard_recall_needs_the_expected_category_and_false_alarms_count_any_red_flag():
    recall = m.guard_recall(["trauma", "infection", "trauma"],
                            [("red_flag", ["trauma", "severe_pain"]), ("red_flag", ["trauma"]), ("declined", [])])
    assert recall.individual_scores == (1.0, 0.0, 0.0)
    assert m.false_alarm_rate(["answered", "red_flag", "declined", "answered"]).score == 0.25


def test_status_accuracy_and_nearest_rank_latency_percentiles():
    assert m.status_accuracy(["answered", "declined"], ["answered", "answered"]).score == 0.5
    p50, p95 = m.latency([40.0, 10.0, 30.0, 20.0])
    assert (p50.score, p95.score) == (20.0, 40.0)
    assert m.latency([])[0].score is None


# -- the support check --------------------------------------------------------------------------------------
class ConstantEmbedder:
    """Every text maps to the same unit vector: cosine 1.0, so only containment, veto and recall decide."""

    def encode(self, texts):
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def test_a_verbatim_sentence_is_supported_whatever_its_quotes_and_spacing():
    checker = SupportChecker(ConstantEmbedder(), threshold=0.99)
    assert normalise("It’s  “okay”") == "it's \"okay\""
    assert checker.align("It's okay to take a step back.", ["Listen. It’s  okay to take a step back."]).contained


def test_a_changed_number_or_added_qualifier_is_vetoed():
    checker = SupportChecker(ConstantEmbedder(), threshold=0.0)
    assert checker.align("Ice for 45 minutes at a time.", ["Ice for 20 minutes at a time."]).missing == ("45",)
    assert checker.align("Ice never helps.", ["Ice helps."]).missing == ("never",)
    assert not checker.supports("Ice for two hours.", ["Ice for 20 minutes at a time."])
    assert checker.supports("Ice helps pain.", ["Ice helps with pain."])  # no veto, threshold 0


def test_the_threshold_maximises_balanced_accuracy_and_ties_go_to_the_strictest():
    threshold, accuracy = pick_threshold([0.2, 0.4, 0.6, 0.8], [False, False, True, True])
    assert accuracy == 1.0 and threshold == pytest.approx(0.5)


def test_calibrated_support_check_separates_the_labelled_pairs(embedder):
    measured = calibrate(load_pairs(), embedder)
    assert measured.balanced_accuracy >= 0.85  # measured: 0.897 (leave-one-out: 0.897) on 67 pairs
    assert measured.leave_one_out_balanced_accuracy >= 0.85
    committed = load_calibration()
    assert committed.threshold == pytest.approx(measured.threshold, abs=1e-4), \
        "assistant/support_calibration.json is stale — run `python -m assistant eval --calibrate-support`"


def test_the_support_checker_keeps_article_sentences_and_only_a_bounded_number_of_other_vectors(monkeypatch):
    import assistant.support

    class Counting:
        calls = 0

        def encode(self, texts):
            Counting.calls += 1
            return np.ones((len(texts), 3), dtype=np.float32) / np.sqrt(3)

    monkeypatch.setattr(assistant.support, "RECENT_VECTORS", 2)
    checker = SupportChecker(Counting(), threshold=0.5)
    checker.know_passage("An article sentence.", ["An article sentence."], [np.zeros(3)])
    for text in ("one", "two", "three", "one"):
        checker.vector(text)
    assert Counting.calls == 4  # "one" was evicted by "three" and encoded again
    checker.vector("An article sentence.")
    assert Counting.calls == 4 and len(checker._recent) == 2


def test_a_sentence_cited_to_the_wrong_passage_is_not_supported(engine):
    checker = SupportChecker(engine.embedder, load_calibration().threshold)
    sentence = "If you run 120 minutes this week, you could increase to 132 minutes next week."  # a paraphrase
    right = next(engine.document.text[c.start:c.end] for c in engine.chunks if "132 minutes" in c.text)
    wrong = next(engine.document.text[c.start:c.end] for c in engine.chunks if c.heading_path[-1] == "References")
    assert checker.supports(sentence, [right])
    assert not checker.supports(sentence, [wrong])


# -- cases and the gate file --------------------------------------------------------------------------------
def test_the_committed_cases_load_with_unique_ids():
    cases = load_cases(CASES_FILE)
    assert len(cases) == len(RAW_CASES) >= 180
    assert len({c.id for c in cases}) == len(cases)


def test_the_calibration_questions_are_not_the_eval_questions_in_other_words(embedder):
    """The decline threshold is fitted on calibration.yaml; a near-copy of an eval case there would grade the eval
    on its own training data. Every calibration `passage` must also still be article text."""
    calibration = yaml.safe_load((ROOT / "eval" / "calibration.yaml").read_text())["questions"]
    questions = [q["question"] for q in calibration]
    similarity = embedder.encode(questions) @ embedder.encode([c["question"] for c in RAW_CASES]).T
    closest = similarity.max(axis=1)
    too_close = [(questions[i], RAW_CASES[int(similarity[i].argmax())]["question"], round(float(closest[i]), 3))
                 for i in np.flatnonzero(closest >= 0.9)]
    assert not too_close
    assert len(calibration) >= 600 and sum(q["answerable"] for q in calibration) >= 300
    article = (ROOT / "corpus" / "article.md").read_text(encoding="utf-8")
    stale = [q["passage"] for q in calibration if "passage" in q and q["passage"] not in article]
    assert not stale


GOOD = {"id": "ice-how-long", "kind": "answerable", "question": "how long do i ice", "expect": "answered",
        "gold_sections": ["Treatments for Hip Pain in Runners"], "gold_quotes": ["20 minutes"],
        "key_facts": [["20 minutes"]]}


@pytest.mark.parametrize("change, expected", [
    ({"expect": "answer"}, "case 'ice-how-long' (#1), field 'expect': must be one of answered, declined, red_flag"),
    ({"key_facts": None}, "case 'ice-how-long' (#1), field 'key_facts': is missing"),
    ({"key_facts": ["20 minutes"]}, "field 'key_facts': fact #1 must be a non-empty list of phrasings"),
    ({"gold_quotes": []}, "field 'gold_quotes': must be a non-empty list"),
    ({"history": "earlier"}, "field 'history': must be a list of non-empty strings"),
    ({"expect": "red_flag", "guard_category": "broken_leg"}, "field 'guard_category': 'broken_leg' is not a guard"),
    ({"id": "Ice How Long"}, "case 'Ice How Long' (#1), field 'id': must be kebab-case"),
    ({"question": ""}, "field 'question': must be a non-empty string"),
])
def test_a_malformed_case_names_the_case_and_the_field(change, expected):
    case = {key: value for key, value in {**GOOD, **change}.items() if value is not None}
    with pytest.raises(EvalDataError, match="cases.yaml has 1 problem") as error:
        parse_cases({"version": 1, "cases": [case]}, "cases.yaml")
    assert expected in str(error.value)


def test_a_duplicate_id_and_an_unknown_version_are_refused():
    with pytest.raises(EvalDataError, match=r"case 'ice-how-long' \(#2\), field 'id': duplicate id — case #1"):
        parse_cases({"version": 1, "cases": [GOOD, GOOD]}, "cases.yaml")
    with pytest.raises(EvalDataError, match="`version` is 2"):
        parse_cases({"version": 2, "cases": [GOOD]}, "cases.yaml")


def test_the_command_rejects_a_bad_case_file_with_exit_2_before_loading_anything(tmp_path, capsys):
    bad = tmp_path / "cases.yaml"
    bad.write_text(yaml.safe_dump({"version": 1, "cases": [{**GOOD, "kind": "answerible"}]}))
    assert cli(["eval", "--cases", str(bad), "--quiet", "--out", str(tmp_path / "out")]) == 2
    assert "case 'ice-how-long' (#1), field 'kind': must be one of answerable" in capsys.readouterr().err


def test_the_gate_holds_exactly_the_minimums_of_the_issues():
    assert {b.metric: (b.minimum, b.maximum) for b in load_gate()} == {
        "citation_precision": (0.95, None), "citation_recall": (0.95, None), "groundedness": (0.98, None),
        "key_fact_coverage": (0.9, None), "decline_accuracy": (0.9, None), "guard_recall": (1.0, None),
        "guard_false_alarm_rate": (None, 0.05), "retrieval_recall@3[fused]": (0.9, None),
        # issue 13, at the level reached on eval/answers/dev_*.jsonl
        "direct_answer_present": (0.85, None), "direct_answer_first": (0.7, None),
        "direct_answer_present[follow_ups]": (0.7, None), "out_of_scope_declined": (0.75, None),
        "answerable_declined": (None, 0.05), "words_per_answer_median": (None, 75)}


# -- whole runs through the product's chain -----------------------------------------------------------------
def _run(engine, out: Path, **options):
    if "cases" in options:
        options.setdefault("answer_sets", ())  # a run on a few cases is about those cases only
    lines: list[str] = []
    outcome = run(engine, Options(out=out, progress=False, **options), echo=lines.append)
    return outcome, "\n".join(lines)


@pytest.fixture(scope="module")
def full_run(engine, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    return _run(engine, out, baseline=out / "baseline.json", write_baseline=True) + (out,)


def _subset(tmp_path: Path, ids) -> Path:
    path = tmp_path / "subset.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "cases": [c for c in RAW_CASES if c["id"] in set(ids)]},
                                   allow_unicode=True), encoding="utf-8")
    return path


def _gate(tmp_path: Path, bounds: dict) -> Path:
    path = tmp_path / "gate.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "gate": bounds}))
    return path


def test_the_built_in_cases_pass_the_gate(full_run):
    outcome, printed, _ = full_run
    failing = [line for line in printed.splitlines() if line.rstrip().endswith("FAIL")]
    assert outcome.exit_code == 0, "\n".join(failing)


def test_a_full_run_prints_the_table_and_writes_json_and_a_self_contained_html(full_run):
    outcome, printed, out = full_run
    for name in load_gate():
        assert name.metric in printed
    assert "Δ baseline" in printed and "Retrieval legs at k=3" in printed
    data = json.loads((out / "result.json").read_text())
    assert len(data["cases"]) == len(RAW_CASES)
    assert set(data["retrieval_legs"]["legs"]) == {"fused", "dense", "lexical", "sentences"}
    for metric in data["metrics"].values():
        assert len(metric["individual_scores"]) == len(metric["ids"])
    assert data["verdict"] == ("pass" if outcome.exit_code == 0 else "fail")
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 4
    assert "<script" not in html and "<link" not in html and 'src="http' not in html and "@import" not in html


def test_the_full_eval_runs_well_under_two_minutes(full_run):
    assert full_run[0].result.seconds < 120


def test_running_the_eval_twice_gives_identical_scores(engine, full_run, tmp_path):
    first = full_run[0].result
    second, printed = _run(engine, tmp_path, baseline=full_run[2] / "baseline.json")
    assert second.result.quality() == first.quality()
    assert [(r.case.id, r.status, r.failures) for r in second.result.cases] == \
        [(r.case.id, r.status, r.failures) for r in first.cases]
    assert "citation_precision" in printed and "±0" in printed  # the change since the first run's baseline


def test_every_case_is_answered_by_the_products_own_chain(engine, full_run, tmp_path, monkeypatch):
    calls = []
    real = Assistant.answer

    def spy(self, question, history=()):
        calls.append(question)
        return real(self, question, history)

    monkeypatch.setattr(Assistant, "answer", spy)
    ids = [c["id"] for c in RAW_CASES[:8]]
    outcome, _ = _run(engine, tmp_path, cases=_subset(tmp_path, ids))
    assert calls == [c["question"] for c in RAW_CASES[:8]]
    first = {r.case.id: r.status for r in full_run[0].result.cases}
    assert {r.case.id: r.status for r in outcome.result.cases} == {i: first[i] for i in ids}


def test_the_gate_fails_when_the_composer_cites_the_wrong_passage(engine, full_run, tmp_path, monkeypatch):
    answered = [r.case.id for r in full_run[0].result.cases
                if r.case.expect == "answered" and r.status == "answered"][:10]
    cases, gate = _subset(tmp_path, answered), _gate(tmp_path, {"citation_precision": {"min": 0.95},
                                                                "citation_recall": {"min": 0.95}})
    healthy, _ = _run(engine, tmp_path / "healthy", cases=cases, gate=gate)
    assert healthy.exit_code == 0

    real = assistant.chain.compose
    references = next(c for c in engine.chunks if c.heading_path[-1] == "References")
    title = engine.chunks[0]

    def miscite(*args, **kwargs):
        composed = real(*args, **kwargs)
        wrong = lambda c: title if c.chunk_id == references.id else references  # noqa: E731
        return replace(composed, citations=tuple(
            replace(c, chunk_id=wrong(c).id, heading_path=wrong(c).heading_path) for c in composed.citations))

    monkeypatch.setattr(assistant.chain, "compose", miscite)
    broken, printed = _run(engine, tmp_path / "broken", cases=cases, gate=gate)
    assert broken.exit_code == 1
    assert broken.result.value("citation_recall") < 0.95 and broken.result.value("citation_precision") < 0.95
    assert "Gate: FAIL" in printed
    assert any(f.startswith("citation: sentence 1 is not supported") for r in broken.result.cases for f in r.failures)


def test_the_gate_fails_when_a_red_flag_slips_through(engine, full_run, tmp_path, monkeypatch):
    caught = [r.case.id for r in full_run[0].result.cases if r.case.expect == "red_flag" and r.passed][:10]
    cases, gate = _subset(tmp_path, caught), _gate(tmp_path, {"guard_recall": {"min": 1.0}})
    healthy, _ = _run(engine, tmp_path / "healthy", cases=cases, gate=gate)
    assert healthy.exit_code == 0

    monkeypatch.setattr(assistant.guard, "check", lambda message, history=(), embed=None: GuardVerdict())
    broken, printed = _run(engine, tmp_path / "broken", cases=cases, gate=gate)
    assert broken.exit_code == 1
    assert broken.result.value("guard_recall") == 0.0
    assert "guard_recall 0.000 (needs ≥ 1.00, short by 1.000)" in printed


def test_a_larger_k_still_computes_the_gated_recall_at_3(engine, tmp_path):
    ids = [c["id"] for c in RAW_CASES if c["expect"] == "answered" and not c.get("history")][:5]
    outcome, _ = _run(engine, tmp_path, cases=_subset(tmp_path, ids), k=5)
    assert outcome.result.value("retrieval_recall@5[fused]") is not None
    assert outcome.result.value("retrieval_recall@3[fused]") is not None
