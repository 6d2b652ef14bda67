"""The content editor's loop: an article edit shows which passages it changed and exactly which answers, compared
with the per-case baseline or with a git revision of the corpus; a decline calibration fitted on other passages
is caught in the eval and in /api/health, and re-calibrating clears it.

The edit is made in a copy of the corpus inside a real two-commit git repository (commit 1: the committed
corpus, commit 2: the ice advice says 15 minutes instead of 20 — its curated reference quote updated too, as
corpus loading demands — and the "Soften your steps" bullet is gone), indexed for real from a copy of the
session's index.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from assistant.web.app import create_app
from assistant import decline
from assistant.chain import Assistant
from assistant.engine import Engine, store_for
from assistant.evaluation.baseline import load_baseline, write_baseline
from assistant.evaluation.cases import EvalDataError
from assistant.evaluation.changes import passage_edits, word_diff
from assistant.evaluation.command import Options, run
from assistant.evaluation.records import Passage
from assistant.indexing import build
from assistant.settings import ROOT

ICE_BEFORE = "It’s best to apply ice for 20 minutes at a time several times per day"
ICE_AFTER = "It’s best to apply ice for 15 minutes at a time several times per day"
SOFTEN = ("- Soften your steps. Wear appropriately cushioned shoes and, when possible, choose more forgiving running "
          "surfaces such as running tracks, grass, or dirt trails.\n\n")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


def edit_corpus(corpus: Path) -> None:
    """One changed sentence (with the reference quote that rests on it) and one removed bullet."""
    article, references = corpus / "article.md", corpus / "references.yaml"
    text = article.read_text(encoding="utf-8")
    assert text.count(ICE_BEFORE) == 1 and text.count(SOFTEN) == 1
    article.write_text(text.replace(ICE_BEFORE, ICE_AFTER).replace(SOFTEN, ""), encoding="utf-8")
    refs = references.read_text(encoding="utf-8")
    assert refs.count(ICE_BEFORE) == 1
    references.write_text(refs.replace(ICE_BEFORE, ICE_AFTER), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository whose HEAD~1 holds the committed corpus and HEAD the edited one."""
    repo = tmp_path_factory.mktemp("editor") / "site"
    shutil.copytree(ROOT / "corpus", repo / "corpus")
    git(repo, "init", "-q")
    git(repo, "add", "corpus")
    git(repo, "commit", "-q", "-m", "The article as published")
    edit_corpus(repo / "corpus")
    git(repo, "commit", "-q", "-am", "Ice for 15 minutes; drop the footwear bullet")
    return repo


@pytest.fixture(scope="module")
def edited(repo, built_settings, embedder, tmp_path_factory) -> Engine:
    """The edited corpus, indexed incrementally from a copy of the session's index (2 passages re-embedded)."""
    index = tmp_path_factory.mktemp("edited") / "index"
    shutil.copytree(built_settings.index_dir, index)
    settings = built_settings.model_copy(update={"corpus_dir": repo / "corpus", "index_dir": index,
                                                 "feedback_path": None})
    report = build(settings, store_for(settings), embedder, progress=False)
    assert (report.changed, len(report.removed) - report.changed, report.embedded_chunks) == (1, 1, 1)
    return Engine(settings).warm_up()


def _run(engine, out: Path, **options):
    lines: list[str] = []
    outcome = run(engine, Options(out=out, answer_sets=(), progress=False, **options), echo=lines.append)
    return outcome, "\n".join(lines)


@pytest.fixture(scope="module")
def runs(engine, edited, tmp_path_factory):
    """The committed corpus with --write-baseline, then the edited one compared with that baseline."""
    out = tmp_path_factory.mktemp("runs")
    baseline = out / "baseline.json"
    before, _ = _run(engine, out / "before", baseline=baseline, write_baseline=True)
    after, printed = _run(edited, out / "after", baseline=baseline)
    return before, after, printed, out


def _text(cell: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())


def _answer_cells(html: str) -> dict[str, tuple[str, str, str]]:
    """Case id → (tags, before answer, after answer) as the report's "What changed" table shows them."""
    rows = re.findall(r"<tr id='change-([^']+)'><td class='id'>(.*?)</td><td class='before'>.*?"
                      r"<span class='answer'>(.*?)</span>.*?<td class='after'>.*?<span class='answer'>(.*?)</span>",
                      html, re.S)
    return {case_id: (_text(tags), _text(before), _text(after)) for case_id, tags, before, after in rows}


# -- the pieces, on hand-made inputs ------------------------------------------------------------------------
def test_a_word_diff_marks_only_the_words_that_changed():
    spans = word_diff("Squats [1] - Bridges [1]", "Goblet squats [1] - Bridges [1]")
    assert [(s.kind, s.text) for s in spans] == [("removed", "Squats"), ("added", "Goblet squats"),
                                                 ("same", "[1] - Bridges [1]")]
    assert [(s.kind, s.text) for s in word_diff("same words", "same  words\n")] == [("same", "same words")]


def test_passage_edits_pair_a_replaced_passage_and_list_a_removed_one():
    a, b, c, d = (Passage(i, "S", t) for i, t in (("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")))
    b2 = Passage("b2", "S", "B changed")
    edits = passage_edits((a, b, c, d), (a, b2, d))
    assert [(e.kind, e.before.id if e.before else None, e.after.id if e.after else None) for e in edits] == \
        [("changed", "b", "b2"), ("removed", "c", None)]


# -- the edit, compared with the per-case baseline ----------------------------------------------------------
def test_the_report_lists_exactly_the_cases_whose_answers_changed_with_before_and_after(runs):
    before, after, printed, out = runs
    old = {r.case.id: r.answer.text if r.answer else "" for r in before.result.cases}
    changed = {r.case.id for r in after.result.cases if (r.answer.text if r.answer else "") != old[r.case.id]}
    quoting = {case_id for case_id, text in old.items() if "ice for 20 minutes" in text or "Soften your steps" in text}
    assert quoting and quoting <= changed  # their quoted text is gone, so their answers had to change
    assert {c.id for c in after.changes.having("answer changed")} == changed

    html = (out / "after" / "report.html").read_text(encoding="utf-8")
    cells = _answer_cells(html)
    assert {case_id for case_id, (tags, _, _) in cells.items() if "answer changed" in tags} == changed
    status_or_verdict = {r.case.id for r in after.result.cases
                         if (r.status, r.passed) != next((b.status, b.passed) for b in before.result.cases
                                                         if b.case.id == r.case.id)}
    assert set(cells) <= changed | status_or_verdict  # no case whose answer and outcome stayed the same
    for case_id in changed:
        _, shown_before, shown_after = cells[case_id]
        new = next(r.answer.text for r in after.result.cases if r.case.id == case_id)
        assert shown_before == " ".join(old[case_id].split())
        assert shown_after == " ".join(new.split())

    assert "What changed since" in printed and "[-20-] {+15+}" in printed
    assert "ice-how-long — now failing, answer changed" in printed


def test_the_article_edit_shows_as_the_changed_and_the_removed_passage_with_the_cases_citing_them(runs):
    _, after, _, out = runs
    edits = after.changes.passages
    assert [(e.kind, e.section) for e in edits] == [
        ("changed", "Treatments for Hip Pain in Runners"),
        ("removed", "How to Prevent Hip Pain From Stopping You on Your Tracks")]
    changed, removed = edits
    assert [(s.kind, s.text) for s in changed.diff if s.kind != "same"] == [("removed", "20"), ("added", "15")]
    assert "ice-how-long" in changed.cited_by
    assert {"running-surfaces", "shoe-type"} <= set(removed.cited_by)
    data = json.loads((out / "after" / "result.json").read_text())
    assert [p["kind"] for p in data["changes"]["passages"]] == ["changed", "removed"]
    assert {c["id"] for c in data["changes"]["cases"]} == {c.id for c in after.changes.cases}


def test_the_baseline_keeps_each_case_and_rewrites_to_the_same_bytes(runs):
    before, _, _, out = runs
    path = out / "baseline.json"
    baseline = load_baseline(path)
    assert set(baseline.snapshot.cases) == {r.case.id for r in before.result.cases}
    record = baseline.snapshot.cases["ice-how-long"]
    assert record.status == "answered" and "20 minutes" in record.answer and record.citations[0].quote in \
        (ROOT / "corpus" / "article.md").read_text(encoding="utf-8")
    assert baseline.meta["index_fingerprint"] == baseline.snapshot.index_fingerprint
    copy = out / "copy.json"
    write_baseline(baseline.metrics, {k: v for k, v in baseline.meta.items() if k != "index_fingerprint"},
                   baseline.snapshot, copy)
    assert copy.read_bytes() == path.read_bytes()


def test_a_version_1_baseline_still_compares_scores_and_says_how_to_get_answers(engine, tmp_path):
    legacy = tmp_path / "baseline.json"
    legacy.write_text(json.dumps({"version": 1, "meta": {}, "metrics": {"citation_precision": 1.0}}))
    cases = tmp_path / "cases.yaml"
    raw = yaml.safe_load((ROOT / "eval" / "cases.yaml").read_text(encoding="utf-8"))["cases"]
    cases.write_text(yaml.safe_dump({"version": 1, "cases": raw[:3]}, allow_unicode=True), encoding="utf-8")
    outcome, printed = _run(engine, tmp_path / "out", baseline=legacy, cases=cases)
    assert outcome.changes is None
    assert "holds no answers per case (version 1)" in printed and "--write-baseline" in printed
    assert "holds no answers per case" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


# -- the same edit, compared with a git revision ------------------------------------------------------------
def test_eval_against_head_1_compares_with_the_corpus_of_the_previous_commit(runs, edited, repo, tmp_path):
    _, from_baseline, _, _ = runs
    head = git(repo, "rev-parse", "HEAD")
    outcome, printed = _run(edited, tmp_path / "out", baseline=tmp_path / "none.json", against="HEAD~1")
    assert outcome.changes.against.startswith("the corpus at HEAD~1 (")
    assert f"What changed since the corpus at HEAD~1 ({git(repo, 'rev-parse', 'HEAD~1')[:7]})" in printed
    assert [(c.id, c.tags) for c in outcome.changes.cases] == [(c.id, c.tags) for c in from_baseline.changes.cases]
    assert [(e.kind, e.cited_by) for e in outcome.changes.passages] == \
        [(e.kind, e.cited_by) for e in from_baseline.changes.passages]
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""  # untouched


def test_against_an_unknown_revision_or_outside_git_says_what_to_name(edited, repo, tmp_path):
    with pytest.raises(EvalDataError, match=r"git knows no commit 'v9\.9' — name a commit, branch or tag"):
        _run(edited, tmp_path / "out", against="v9.9")
    loose = tmp_path / "loose"
    shutil.copytree(repo / "corpus", loose / "corpus")
    elsewhere = Engine(edited.settings.model_copy(update={"corpus_dir": loose / "corpus"})).warm_up()
    with pytest.raises(EvalDataError, match="is not inside a git repository"):
        _run(elsewhere, tmp_path / "out2", against="HEAD~1")


# -- the decline calibration --------------------------------------------------------------------------------
def test_the_committed_decline_calibration_was_fitted_on_the_committed_article(engine):
    assert decline.staleness(decline.DeclineModel.load(), (c.id for c in engine.chunks)) == []


def test_a_stale_calibration_warns_in_eval_and_health_and_recalibrating_clears_it(runs, edited, tmp_path):
    printed = runs[2]
    stale = "warning: The decline calibration (assistant/calibration.json) was fitted on other passages: 1 of " \
            f"the index's {len(edited.chunks)} chunks are new or edited since, 2 gone — run `python -m assistant " \
            "calibrate` and commit assistant/calibration.json."
    assert stale in printed

    with TestClient(create_app(edited.settings, Assistant(edited))) as client:
        assert client.get("/api/health").json()["warnings"] == [stale.removeprefix("warning: ")]

    calibration = tmp_path / "calibration.json"
    shutil.copy(decline.CALIBRATION_FILE, calibration)
    questions = yaml.safe_load((ROOT / "eval" / "calibration.yaml").read_text(encoding="utf-8"))["questions"]
    subset = [q for q in questions if q["answerable"]][:60] + [q for q in questions if not q["answerable"]][:60]
    (tmp_path / "questions.yaml").write_text(yaml.safe_dump({"version": 1, "questions": subset}, allow_unicode=True),
                                             encoding="utf-8")
    committed = json.loads(decline.CALIBRATION_FILE.read_text())
    said = decline.recalibrate(Assistant(edited), tmp_path / "questions.yaml", calibration)
    assert re.search(rf"threshold {committed['threshold']:.4f} → -?\d\.\d{{4}}; answerable declined "
                     rf"{committed['answerable_declined']:.1%} → \d+\.\d%; unanswerable declined "
                     rf"{committed['unanswerable_declined']:.1%} → \d+\.\d%\. Fitted on the index's \d+ chunks "
                     r"\(1 new or edited since", said)
    assert (tmp_path / "calibration_exemplars.npz").is_file()
    refitted = decline.DeclineModel.load(calibration)
    assert decline.staleness(refitted, (c.id for c in edited.chunks)) == []
    with TestClient(create_app(edited.settings, Assistant(edited, refitted))) as client:
        assert client.get("/api/health").json()["warnings"] == []


# -- the report in a real browser ---------------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.slow
def test_the_what_changed_section_reads_in_chromium(runs):
    from live_server import chromium

    _, after, _, out = runs
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto((out / "after" / "report.html").as_uri())
        section = page.locator("#what-changed")
        assert section.is_visible()
        assert page.locator("table.edits tr[id^='passage-']").count() == len(after.changes.passages)
        assert page.locator("table.cases tr[id^='change-']").count() == len(after.changes.cases)
        row = page.locator("#change-ice-how-long")
        assert row.locator("td.before del").first.inner_text() == "20"
        assert row.locator("td.after ins").first.inner_text() == "15"
        artifacts = ROOT / "test-artifacts"
        artifacts.mkdir(exist_ok=True)
        section.screenshot(path=artifacts / "report-what-changed.png")
