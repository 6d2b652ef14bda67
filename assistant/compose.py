"""The default composer: an extractive answer built from verbatim article sentences, each cited.

It picks the retrieved sentences the ranker (selection.py) scores best for the
question, drops near-duplicates, adds what a sentence needs to read on
its own — a bullet's label, the sentence a leading "This"/"It" points back to,
the rest of a quotation, the lead-in of a list — and keeps the article's order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .about import ABOUT_SECTION
from .conversation import GENERIC
from .corpus import Document
from .decline import asks_for_source
from .lexical import LexicalIndex, tokenize
from .models import AnswerSentence, Chunk, Citation, Hit, Sentence
from .query import content_words
from .selection import Question, SentenceRanker, features

RELATIVE_MARGIN = 2.0  # keep sentences whose ranker score (log-odds) is within this of the best one
REDUNDANT = 0.88  # cosine above which two sentences say the same thing
WHOLE_BULLET_WORDS = 80  # a bullet up to this long is shown whole rather than cut to one sentence
# The sides of a comparison: up to three words either side of "or", "vs", "than" ("static OR dynamic stretches",
# "is dynamic stretching better THAN static").
_SIDES = re.compile(r"((?:\w+\W+){0,3})\b(?:or|vs\.?|versus|than|instead of|rather than)\b((?:\W+\w+){0,3})", re.I)
# A sentence that opens by pointing back: a pronoun first ("This means…"), or "these"/"those" among its first three
# words ("Try adding these objects to a set of squats": the objects are in the sentence before).
_ANAPHOR = re.compile(r"^(This|That|These|Those|It|It’s|It's|They|Their|Otherwise|So|Though this|That means)\b"
                      r"|^\W*(?:[\w’']+\s+){1,2}(?:these|those)\b")


@dataclass(frozen=True)
class Composed:
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]


def compose(question: Question, hits: list[Hit], sentence_vectors: dict[str, np.ndarray], lexical: LexicalIndex,
            document: Document, ranker: SentenceRanker, max_sentences: int = 4, max_words: int = 120,
            chunks: Sequence[Chunk] = ()) -> Composed:
    """`chunks` (the whole article, in order) lets a lead-in such as "…using the following remedies:" be shown
    with the labels of the bullets it introduces ("Start exercise therapy." "Apply ice." …). The ranker
    (selection.py) scores each candidate sentence; the best one comes first, with what it needs to read on its
    own; the other picks follow in the article's order."""
    labels = labels_after(chunks)
    found = candidates(question, hits, sentence_vectors, lexical, labels)
    if not found:
        return Composed((), ())
    scores = ranker.scores(np.stack([row for _, _, row in found]))
    ranked = sorted(((float(score), hit.chunk, i) for (hit, i, _), score in zip(found, scores)), key=lambda c: -c[0])
    chosen, lead = _select(ranked, sentence_vectors, document, labels, max_sentences, max_words, question.just_shown)
    _add_other_side(question, ranked, chosen, lexical)
    lead = _lead_in_first(chosen, lead, labels)
    lead |= _antecedent_in_the_chunk_before(chosen, lead, chunks)
    lead |= _the_words_quoted(question.text, ranked, chosen)
    if asks_for_source(question.query):
        _add_sources(chosen, chunks or [hit.chunk for hit in hits], document)
    return _cite(sorted(chosen.items(), key=lambda item: (item[0] not in lead, item[1].sentences[item[0][1]].start)),
                 document)


_QUOTED = re.compile(r"['‘’\"“”]([^'‘’\"“”]{6,80})['‘’\"“”]")


def _the_words_quoted(question: str, ranked: list[tuple[float, Chunk, int]],
                      chosen: dict[tuple[str, int], Chunk]) -> set[tuple[str, int]]:
    """"what does 'movement is medicine' mean": the sentence that says the words the runner quotes leads, whatever
    its score; the answer that explains them follows."""
    quoted = [q.strip().lower() for q in _QUOTED.findall(question) if len(q.split()) >= 2]
    for phrase in quoted:
        for _, chunk, i in ranked:
            if phrase in chunk.sentences[i].text.lower().replace("’", "'"):
                chosen[(chunk.id, i)] = chunk
                return {(chunk.id, i)}
    return set()


def _antecedent_in_the_chunk_before(chosen: dict[tuple[str, int], Chunk], lead: set[tuple[str, int]],
                                    chunks: Sequence[Chunk]) -> set[tuple[str, int]]:
    """When the answer would open on "This means…" and "this" is the last sentence of the passage before (the
    article's paragraph was cut there), that sentence comes along and leads: the answer never opens on a pronoun
    whose antecedent it does not show."""
    first = min(lead, key=lambda key: chosen[key].sentences[key[1]].start, default=None)
    if first is None or first[1] != 0 or not _ANAPHOR.match(chosen[first].sentences[0].text):
        return set()
    order = [c.id for c in chunks]
    at = order.index(first[0]) if first[0] in order else 0
    before = chunks[at - 1] if at > 0 else None
    if before is None or before.kind != chosen[first].kind or before.heading_path != chosen[first].heading_path:
        return set()
    key = (before.id, len(before.sentences) - 1)
    chosen[key] = before
    return {key}


def candidates(question: Question, hits: list[Hit], sentence_vectors: dict[str, np.ndarray], lexical: LexicalIndex,
               labels: dict[str, list[Chunk]]) -> list[tuple[Hit, int, np.ndarray]]:
    """Every sentence of the retrieved passages that could answer, with its features: not a reference-list entry
    unless a source is asked for, not the front matter (about.py answers that), not a lead-in on its own."""
    wants_source = asks_for_source(question.query)
    lead_in_votes = _lead_in_votes(question.votes, hits, labels)
    found = []
    for hit in hits:
        if hit.chunk.kind == "reference" and not wants_source:
            continue  # a citation line answers "which study…", not "what is…"
        if hit.chunk.heading_path[-1] == ABOUT_SECTION:
            continue  # front-matter lines answer questions about the article itself, chosen in about.py
        vectors = sentence_vectors[hit.chunk.id]
        own, own_words = vectors @ question.vector, vectors @ question.own_vector
        terms = lexical.sentence_terms[hit.chunk.id]
        for i in range(len(hit.chunk.sentences)):
            if _is_context_only(hit.chunk, i) and not _introduced(hit.chunk, i, labels):
                continue
            found.append((hit, i, features(question, hit, i, vectors[i], float(own[i]), float(own_words[i]),
                                           lexical.overlap(question.terms, terms[i]),
                                           lead_in_votes.get((hit.chunk.id, i), 0.0))))
    return found


def _select(ranked: list[tuple[float, Chunk, int]], sentence_vectors: dict[str, np.ndarray], document: Document,
            labels: dict[str, list[Chunk]], max_sentences: int, max_words: int,
            just_shown: frozenset[str] = frozenset()) -> tuple[dict[tuple[str, int], Chunk], set[tuple[str, int]]]:
    """The best candidate with its context, then others close to it in score and not saying the same thing,
    within the length limits; and which of the chosen sentences make up the lead."""
    best = ranked[0][0]
    chosen: dict[tuple[str, int], Chunk] = {}
    lead: set[tuple[str, int]] = set()  # the first pick and its context, shown first
    picked_vectors: list[np.ndarray] = []
    units = words = shown = 0
    for score, chunk, i in ranked:
        if score < best - RELATIVE_MARGIN or units >= max_sentences:
            break
        vector = sentence_vectors[chunk.id][i]
        if any(float(vector @ other) > REDUNDANT for other in picked_vectors):
            continue
        unit = _with_context(chunk, i, whole=chunk.id not in just_shown)
        new = [j for j in unit if (chunk.id, j) not in chosen]
        items = [b for b in _introduced(chunk, i, labels) if (b.id, 0) not in chosen]
        added_words = sum(len(chunk.sentences[j].text.split()) for j in new) + \
            sum(len(b.sentences[0].text.split()) for b in items)
        prose = [j for j in new if not _is_item(chunk, j, document)]  # a list's short items are not counted
        if units and (words + added_words > max_words or shown + len(prose) > 2 * max_sentences):
            continue  # a pick may bring its label or antecedent along: at most twice the sentences picked
        for j in new:
            chosen[(chunk.id, j)] = chunk
        for bullet in items:
            chosen[(bullet.id, 0)] = bullet
        if not units:
            lead = set(chosen)
        picked_vectors.append(vector)
        units += 1
        words += added_words
        shown += len(prose)
    return chosen, lead


def _add_other_side(question: Question, ranked: list[tuple[float, Chunk, int]], chosen: dict[tuple[str, int], Chunk],
                    lexical: LexicalIndex) -> None:
    """Both halves of a comparison: "static or dynamic stretches before a run" is answered by the cool-down's
    static stretches and the warm-up's dynamic ones. The side word nearest the "or" that the picks do not name
    brings the best-scored retrieved sentence that names it; a side the article never names adds nothing."""
    if question.kind != "comparison":
        return
    named = set().union(*(lexical.sentence_terms[chunk.id][i] for (_, i), chunk in chosen.items()))
    for term in _sides(question.text):
        if term in named:
            continue
        pick = next(((chunk, i) for _, chunk, i in ranked if term in lexical.sentence_terms[chunk.id][i]), None)
        if pick is not None:
            chunk, i = pick
            chosen.update({(chunk.id, j): chunk for j in _with_context(chunk, i, whole=False)})
            return


def _sides(question: str) -> list[str]:
    """The stemmed words either side of a comparison's "or"/"than", nearest first ("is DYNAMIC stretching better
    than STATIC" → static, stretch, dynam; "better" names no side)."""
    near = []
    for match in _SIDES.finditer(question):
        before = [w for w in content_words(match.group(1)) if w not in GENERIC][::-1]
        after = [w for w in content_words(match.group(2)) if w not in GENERIC]
        near += [(d, w) for d, w in enumerate(before)] + [(d, w) for d, w in enumerate(after)]
    return [term for _, word in sorted(near, key=lambda n: n[0]) for term in tokenize([word])[0]]


def _lead_in_first(chosen: dict[tuple[str, int], Chunk], lead: set[tuple[str, int]],
                   labels: dict[str, list[Chunk]]) -> set[tuple[str, int]]:
    """When the best pick is one of the bullets a chosen lead-in introduces ("what causes hip pain?" → the OA
    bullet, and "Some common causes of hip pain include:"), the lead-in and its labels lead: the list answers,
    the bullet details it."""
    led = {chunk_id for chunk_id, _ in lead}
    for (chunk_id, i), chunk in chosen.items():
        bullets = _introduced(chunk, i, labels)
        if led & {b.id for b in bullets}:  # each bullet's explanation, when picked, stays under its own label
            return {(chunk_id, i)} | {(b.id, j) for b in bullets for j in range(len(b.sentences)) if (b.id, j) in chosen}
    return lead


def cite_lines(lines: Sequence[tuple[Chunk, int]], document: Document, as_given: bool = False) -> Composed:
    """Given sentences (chunk, index), cited in the article's order (or `as_given`, the answering line first): for
    answers chosen by rule, not by score."""
    selected = [((chunk.id, i), chunk) for chunk, i in lines]
    if not as_given:
        selected.sort(key=lambda item: item[1].sentences[item[0][1]].start)
    return _cite(selected, document)


def _add_sources(chosen: dict[tuple[str, int], Chunk], chunks: Sequence[Chunk], document: Document) -> None:
    """For "which study…" questions, show the reference entry that a chosen sentence rests on, whether or not
    retrieval found the entry itself ("where does the 73% come from?" finds the claim, not the citation)."""
    by_number = {n: c for c in chunks if c.kind == "reference" for n in c.reference_numbers}
    for (chunk_id, i), chunk in list(chosen.items()):
        for reference in document.references_for(chunk.sentences[i].text):
            entry = by_number.get(reference.number)
            if entry is not None:
                chosen[(entry.id, 0)] = entry


def labels_after(chunks: Sequence[Chunk]) -> dict[str, list[Chunk]]:
    """Paragraph chunk id → the labelled bullets right after it in its section, when it ends in a lead-in (':')."""
    runs: dict[str, list[Chunk]] = {}
    for k, chunk in enumerate(chunks):
        if chunk.kind != "paragraph" or not chunk.sentences[-1].text.endswith(":"):
            continue
        run = []
        for following in chunks[k + 1:]:
            if following.kind != "bullet" or following.label is None or following.heading_path != chunk.heading_path:
                break
            run.append(following)
        if run:
            runs[chunk.id] = run
    return runs


def _lead_in_votes(votes: dict[tuple[str, int], float], hits: list[Hit],
                   labels: dict[str, list[Chunk]]) -> dict[tuple[str, int], float]:
    """A lead-in answers when the labels of its bullets do (selection.py labels it so), but precedents vote only for
    the sentences that hold a direct answer: the ranker's `precedent_lead_in` is the mean vote of its bullets'
    labels, unvoted ones counting 0 ("what are the main reasons runners get hip pain": all six were voted for;
    "which of those hurts on the outside?": two of six)."""
    found = {}
    for hit in hits:
        last = len(hit.chunk.sentences) - 1
        if bullets := _introduced(hit.chunk, last, labels):
            found[(hit.chunk.id, last)] = sum(votes.get((b.id, 0), 0.0) for b in bullets) / len(bullets)
    return found


def _introduced(chunk: Chunk, i: int, labels: dict[str, list[Chunk]]) -> list[Chunk]:
    """The bullets sentence i leads into, when it is a paragraph's closing lead-in (else none)."""
    return labels.get(chunk.id, []) if i == len(chunk.sentences) - 1 else []


def _is_context_only(chunk: Chunk, i: int) -> bool:
    """A list's lead-in is shown with the list it introduces, never alone."""
    return chunk.kind != "list" and chunk.sentences[i].text.endswith(":")


def _with_context(chunk: Chunk, i: int, whole: bool = True) -> list[int]:
    """The sentence indices that must go with sentence i for it to make sense; a short bullet whole, unless an
    earlier answer of the conversation showed it whole (`whole=False`: "what if i dont have time for those?" after
    the warm-up tip gets its label and the sentence that answers, not the same 75 words again)."""
    every = list(range(len(chunk.sentences)))
    if chunk.kind == "list":
        return every  # a list is shown whole, with its lead-in
    if whole and chunk.kind == "bullet" and sum(len(s.text.split()) for s in chunk.sentences) <= WHOLE_BULLET_WORDS:
        return every  # the article's bullets are short, self-contained answers ("Apply ice. …")
    if chunk.kind == "bullet" and i == 0 and len(chunk.sentences) > 1:
        i = 1  # the label matched: show it with the sentence that explains it
    needed = {i}
    j = i
    while j > 0 and (_ANAPHOR.match(chunk.sentences[j].text) or _opens_inside_quote(chunk, j)):
        j -= 1
        needed.add(j)
    k = i
    while k + 1 < len(chunk.sentences) and _quote_left_open(chunk.sentences[k].text):
        k += 1
        needed.add(k)
    if chunk.kind == "bullet":
        needed.add(0)
    return sorted(needed)


def shown_with(chunk: Chunk, i: int, labels: dict[str, list[Chunk]]) -> list[Sentence]:
    """Sentence i and, for a lead-in, the labels of the bullets it introduces: what picking it adds to an answer
    (its antecedent or bullet label come along too, but they do not answer on their own)."""
    return [chunk.sentences[i]] + [b.sentences[0] for b in _introduced(chunk, i, labels)]


def _is_item(chunk: Chunk, i: int, document: Document) -> bool:
    """In a list chunk, the bullets themselves (not the lead-in or the paragraph that explains them)."""
    start = chunk.sentences[i].start
    return chunk.kind == "list" and document.text[max(start - 2, 0):start] == "- "


def _quote_left_open(text: str) -> bool:
    return text.count("“") > text.count("”")


def _opens_inside_quote(chunk: Chunk, j: int) -> bool:
    return chunk.sentences[j].text.count("”") > chunk.sentences[j].text.count("“")


def _cite(selected: list[tuple[tuple[str, int], Chunk]], document: Document) -> Composed:
    """Number one citation per run of adjacent sentences from the same chunk, quoting the exact span."""
    sentences: list[AnswerSentence] = []
    citations: list[Citation] = []
    previous: tuple[str, int] | None = None
    keys = {key for key, _ in selected}
    listed = any(chunk.sentences[i].text.endswith(":") for (_, i), chunk in selected)  # a lead-in is shown
    for (chunk_id, i), chunk in selected:
        sentence = chunk.sentences[i]
        if previous and previous[0] == chunk_id and previous[1] == i - 1:
            last = citations[-1]
            citations[-1] = Citation(last.number, chunk_id, chunk.heading_path,
                                     document.text[last.start:sentence.end], last.start, sentence.end,
                                     last.passage, last.passage_start,
                                     _merge(last.references, document.references_for(sentence.text)))
        else:
            citations.append(Citation(len(citations) + 1, chunk_id, chunk.heading_path, sentence.text,
                                      sentence.start, sentence.end, document.text[chunk.start:chunk.end],
                                      chunk.start, _references(document, chunk, sentence.text)))
        label_only = chunk.kind == "bullet" and i == 0 and (listed or (chunk_id, 1) not in keys)  # under a lead-in
        sentences.append(AnswerSentence(sentence.text, (citations[-1].number,),
                                        is_item=_is_item(chunk, i, document) or label_only))
        previous = (chunk_id, i)
    return Composed(tuple(sentences), tuple(citations))


def _references(document: Document, chunk: Chunk, sentence: str):
    if chunk.kind == "reference":
        return tuple(r for r in document.references if r.number in chunk.reference_numbers)
    return document.references_for(sentence)


def _merge(first, second):
    return first + tuple(r for r in second if r not in first)
