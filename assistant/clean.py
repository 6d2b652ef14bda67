"""Raw scrape → structured corpus (`corpus/article.md` + `corpus/references.yaml`).

The cleaning is reproducible and accountable: every non-blank raw line ends
up either in the cleaned corpus or on the reviewed drop list
(`corpus/drop_list.yaml`), and `clean()` returns a ledger that says which.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import CorpusError
from .models import Reference

PUBLISHER = "Hinge Health"
SOURCE_URL = "https://www.hingehealth.com/resources/articles/hip-pain-after-running/"
REFERENCES_HEADING = "References"

_BULLET = re.compile(r"^\s*•\s*")
_NUMBERED = re.compile(r"^\s*(\d+)\.\s+")
_PUBLISHED = "Published Date: "
_AUTHOR = re.compile(r"(?:[a-z]+ )*[A-Z][\w'’-]+, (?:[A-Z]\.?(?=[\s,&]|$)\s?)+")  # "de Lira, C. A. B."


@dataclass(frozen=True)
class Fate:
    """What became of one raw line: kept (in the front matter or the body) or dropped, and why."""

    line_no: int
    text: str
    kept: bool
    where: str


@dataclass
class Cleaned:
    front_matter: dict
    body: list[str] = field(default_factory=list)
    ledger: list[Fate] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        head = yaml.safe_dump(self.front_matter, sort_keys=False, allow_unicode=True, width=1000)
        return f"---\n{head}---\n\n" + "\n\n".join(self.body) + "\n"


def load_drop_list(path: Path) -> Counter[str]:
    """How many occurrences of each exact raw line the reviewed drop list removes."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["drop"]
    return Counter({e["text"]: int(e.get("count", 1)) for e in entries})


def clean(raw: str, drops: Counter[str]) -> Cleaned:
    """Turn the raw scrape into front matter plus a markdown body of headings, paragraphs and list items."""
    budget = Counter(drops)
    out = Cleaned(front_matter={"title": None, "description": None, "publisher": PUBLISHER,
                                "published": None, "source_url": SOURCE_URL, "clinicians": []})
    fm = out.front_matter
    experts: list[str] | None = None
    in_references = False
    for line_no, line in enumerate(raw.splitlines(), start=1):
        text = " ".join(line.split())  # also folds the scrape's non-breaking spaces
        if not text:
            if experts is not None and experts:
                experts = None  # a blank line closes the experts box
            continue

        def keep(where: str, markdown: str | None = None) -> None:
            out.ledger.append(Fate(line_no, text, True, where))
            if markdown is not None:
                out.body.append(markdown)

        if fm["title"] is None:
            fm["title"] = text
            keep("front matter", f"# {text}")
        elif fm["description"] is None:
            fm["description"] = text
            keep("front matter")
        elif fm["published"] is None and text.startswith(_PUBLISHED):
            fm["published"] = text.removeprefix(_PUBLISHED)
            keep("front matter")
        elif budget[text] > 0:
            budget[text] -= 1
            out.ledger.append(Fate(line_no, text, False, "drop list"))
            if text == "Our Hinge Health Experts":
                experts = []
        elif experts is not None:
            experts.append(text)
            keep("front matter")
            if len(experts) % 3 == 0:
                name, role, bio = experts[-3:]
                person, _, credentials = name.partition(", ")
                fm["clinicians"].append({"name": person, "credentials": credentials, "role": role, "bio": bio})
        elif _BULLET.match(line):
            keep("body", "- " + _BULLET.sub("", text))
        elif _NUMBERED.match(line):
            if not in_references:
                out.body.append(f"## {REFERENCES_HEADING}")
                in_references = True
            keep("body", text)
        elif _is_heading(text):
            keep("body", f"## {text}")
        else:
            keep("body", text)
    return out


def _is_heading(text: str) -> bool:
    """Scraped headings are short title-like lines without a closing full stop."""
    return len(text) <= 90 and not text.endswith((".", ":", ",")) and text[0].isupper()


def parse_reference(line: str) -> Reference:
    """Parse one APA-style line of the reference list into a structured record."""
    number = int(_NUMBERED.match(line).group(1))
    text = _NUMBERED.sub("", line).strip()
    doi_match = re.search(r"10\.\d{4,9}/\S+[^\s.,]", text)
    doi = doi_match.group(0) if doi_match else None
    url_match = re.search(r"https?://\S+", text)
    url = None if (url_match is None or doi) else url_match.group(0)
    year_match = re.search(r"\((\d{4}|n\.d\.)[^)]*\)\.?", text)
    before, after = text[: year_match.start()].strip(), text[year_match.end():].strip()
    authors = tuple(a.strip() for a in _AUTHOR.findall(before))
    if authors:
        title = re.split(r"(?<=[.?])\s", after, maxsplit=1)[0]
        rest = after[len(title):].strip()
    else:  # an organisation's page: the title comes first, the publisher after the year
        title, rest = before, after
    venue = re.split(r"\s*(?:doi:|Retrieved from|https?://)", rest)[0].strip(" .,")
    return Reference(number=number, authors=authors, year=year_match.group(1), title=title.rstrip("."),
                     venue=venue, doi=doi, url=url, citation=text)


def parse_references(markdown: str) -> list[Reference]:
    section = markdown.split(f"## {REFERENCES_HEADING}", 1)[1]
    return [parse_reference(line) for line in section.splitlines() if _NUMBERED.match(line)]


def write_corpus(corpus_dir: Path) -> Cleaned:
    """Regenerate `article.md` and `references.yaml` from `raw/`, keeping the curated `supports` links."""
    raws = sorted((corpus_dir / "raw").glob("*.txt"))
    if len(raws) != 1:
        raise CorpusError(f"{corpus_dir / 'raw'} must hold exactly one raw article (*.txt); found {len(raws)}.")
    cleaned = clean(raws[0].read_text(encoding="utf-8"), load_drop_list(corpus_dir / "drop_list.yaml"))
    (corpus_dir / "article.md").write_text(cleaned.markdown, encoding="utf-8")
    refs_path = corpus_dir / "references.yaml"
    curated = {}
    if refs_path.exists():
        curated = {e["number"]: e.get("supports") or [] for e in yaml.safe_load(refs_path.read_text())["references"]}
    records = []
    for ref in parse_references(cleaned.markdown):
        record = {k: v for k, v in ref.__dict__.items()}
        record["authors"] = list(ref.authors)
        record["supports"] = curated.get(ref.number, [])
        records.append(record)
    header = ("# The article's reference list as structured records, parsed from article.md by\n"
              "# `python -m assistant clean`. `supports` is curated by hand: the article sentences that\n"
              "# rest on the reference, so an answer can show its underlying source. Clean keeps them.\n")
    refs_path.write_text(header + yaml.safe_dump({"version": 1, "references": records}, sort_keys=False,
                                                 allow_unicode=True, width=1000), encoding="utf-8")
    return cleaned
