"""The cleaning step: every raw line is kept or on the reviewed drop list, and nothing promotional survives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant import corpus
from assistant.clean import clean, load_drop_list, parse_references
from assistant.settings import ROOT

RAW = next((ROOT / "corpus" / "raw").glob("*.txt"))
DROPS = load_drop_list(ROOT / "corpus" / "drop_list.yaml")


@pytest.fixture(scope="module")
def cleaned():
    return clean(RAW.read_text(encoding="utf-8"), DROPS)


def test_every_raw_line_is_kept_or_on_the_drop_list(cleaned):
    raw_lines = [(n, " ".join(line.split())) for n, line in enumerate(RAW.read_text().splitlines(), 1) if line.strip()]
    assert [(f.line_no, f.text) for f in cleaned.ledger] == raw_lines
    body = cleaned.markdown.split("\n---\n", 1)[1]
    front = yaml.safe_dump(cleaned.front_matter, allow_unicode=True, width=1000)
    for fate in cleaned.ledger:
        if not fate.kept:
            assert fate.text in DROPS, f"line {fate.line_no} dropped without a drop-list entry"
        elif fate.where == "body":
            assert fate.text.lstrip("• ").strip() in body, f"line {fate.line_no} lost: {fate.text[:50]}"
        else:
            words = fate.text.replace("Published Date: ", "").replace(",", " ").split()
            assert all(w in front for w in words), f"line {fate.line_no} lost from front matter"


def test_drop_list_counts_match_what_was_dropped(cleaned):
    dropped = Counter(f.text for f in cleaned.ledger if not f.kept)
    assert dropped == DROPS


def test_a_raw_line_missing_from_the_drop_list_is_kept_not_lost():
    extra = RAW.read_text() + "\nStart your free trial today\n"
    result = clean(extra, DROPS)
    assert result.ledger[-1].kept and "Start your free trial today" in result.markdown


@pytest.mark.parametrize("promo", ["Tap into pain relief", "Start your app tour", "$0 Cost to you",
                                   "Join more than 800K members", "Get 100+ similar exercises", "Table of Contents"])
def test_app_promotion_stays_out_of_the_corpus(cleaned, promo):
    assert promo not in cleaned.markdown


def test_title_block_appears_once(cleaned):
    assert cleaned.markdown.count("Learn what causes hip pain in runners") == 1
    assert cleaned.markdown.count("# Hip Pain After Running") == 1


def test_front_matter_names_the_clinicians_and_their_roles(cleaned):
    fm = cleaned.front_matter
    assert fm["published"] == "Mar 26, 2024" and fm["publisher"] == "Hinge Health"
    assert [(c["name"], c["role"]) for c in fm["clinicians"]] == [
        ("Mary Kimbrough", "Physical Therapist"),
        ("Jonathan Lee", "Orthopedic Surgeon and Medical Reviewer"),
        ("Dylan Peterson", "Physical Therapist and Clinical Reviewer")]


def test_the_eleven_references_become_structured_records(cleaned):
    refs = parse_references(cleaned.markdown)
    assert [r.number for r in refs] == list(range(1, 12))
    by_number = {r.number: r for r in refs}
    assert by_number[7].year == "2015" and by_number[7].doi == "10.1136/bmj.h5983"
    assert by_number[8].authors[0] == "Register, B." and by_number[8].doi == "10.1177/0363546512462124"
    assert by_number[6].authors == () and by_number[6].url.startswith("https://www.hss.edu/")
    assert by_number[4].doi is None and by_number[4].url is None  # the scrape gives no link for it
    assert all(r.title and r.venue for r in refs)


@pytest.mark.parametrize("number,phrase", [(7, "Osteoarthritis Initiative"), (8, "73% of participants"),
                                           (1, "strength training two to three times"),
                                           (5, "American Academy of Orthopaedic Surgeons")])
def test_article_claims_link_to_their_reference(number, phrase):
    document = corpus.load(ROOT / "corpus")
    sentence = next(q for q in document.supports[number] if phrase in q)
    assert number in [r.number for r in document.references_for(sentence)]


def test_a_support_quote_that_no_longer_exists_is_a_clear_error(corpus_copy):
    article = corpus_copy / "article.md"
    article.write_text(article.read_text().replace("only 24% of those", "only 25% of those"))
    with pytest.raises(corpus.CorpusError, match="reference 7 supports a quote"):
        corpus.load(corpus_copy)


def test_missing_corpus_names_the_repair_command(tmp_path):
    with pytest.raises(corpus.CorpusError, match="python -m assistant clean"):
        corpus.load(Path(tmp_path))
