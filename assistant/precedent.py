"""Questions runners asked before, with the article sentences that answered them: retrieval by precedent.

The embedding model places "do i have to stop running?" nearer the warm-up bullet (it says "stopping") than
"Scale back for a short period", and no weighting of its legs fixes that. But runners ask the same few dozen
things in many words: on the spent answer splits, the nearest labelled question written by *another* writer
had its direct answer in the right passage for 0.96 of new questions (cosine ≥ 0.6; 0.99 at ≥ 0.8).

So the labelled answerable turns of `eval/answers/` (the ranker's own training files) are kept with the
sentences that answer them, each as the vector the chain searched with: for a follow-up, the one it read with
the conversation's topic, so "how long?" after "do i have to stop running?" finds the turns that asked the
same in the same place (0.96 right at cosine ≥ 0.6, 0.99 at ≥ 0.7, on the spent splits' follow-ups). A new
turn's nearest labelled turns vote for those sentences: the voted passages join the ranker's candidates, and
the vote is one of its features (selection.py), so the ranker learns how far to trust it. Answers are stored as exact
spans and found again in the article as it is now: an edited sentence drops out of the votes, never points
at the wrong place. `python -m assistant calibrate` rebuilds `assistant/precedent.npz`.

A near neighbour can be a minimal pair: "what causes pain in the back of the hip" is 0.92 from "…in the front of
the hip". So a vote is void when the two differ by a word or two each way, the labelled turn's word is in the
voted sentence ("front") and the new turn's is an article word the sentence lacks ("back").
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .corpus import Document
from .models import Chunk

PRECEDENT_FILE = Path(__file__).with_name("precedent.npz")
NEIGHBOURS = 3  # the nearest labelled questions that vote
MIN_SIMILARITY = 0.6  # below this cosine a labelled question is no precedent (0.96 of neighbours right above it)
# A question the decline model would decline is answered when a labelled answerable turn is this near, and nearer
# by MARGIN than any labelled turn the article does not answer. On the spent splits 8-11 (each left out of the
# precedents in turn): answerable turns declined 35 -> 30 of 563, unanswerable turns declined 176 -> 176 of 192.
VOUCH_SIMILARITY = 0.8
MARGIN = 0.05

Sentence = tuple[str, int]  # (chunk id, sentence index)


@dataclass(frozen=True)
class Precedents:
    """Labelled questions as vectors, each with the article spans that answer it and the file it came from."""

    questions: tuple[str, ...]  # the turn, after the user's earlier turns of its conversation (" | "-joined)
    vectors: np.ndarray  # (n, dims), L2-normalised: what the chain searched with for it
    answers: tuple[tuple[str, ...], ...]  # per question: its direct answers, exact spans of the article
    context: tuple[tuple[str, ...] | None, ...]  # a follow-up's previous turn's direct answers; None: an opening
    answerable: np.ndarray  # per question: does the article answer it (False: labelled out of scope)
    files: tuple[str, ...]  # the labelled file each question came from
    model: str  # the fingerprint of the model that encoded them

    def resolve(self, document: Document, chunks: Sequence[Chunk],
                tokenize: Callable[[list[str]], list[list[str]]]) -> ResolvedPrecedents:
        """Each question's answers as sentences of the current index (spans no longer in the article are dropped),
        and a follow-up's previous answer as passages."""
        covering = cache(lambda span: _covering(span, document.text, chunks))  # 11,360 spans, 481 distinct

        def find(spans: Sequence[str]) -> tuple[Sentence, ...]:
            return tuple(dict.fromkeys(sentence for span in spans for sentence in covering(span)))

        where = tuple(find(spans) for spans in self.answers)
        context = tuple(None if c is None else frozenset(cid for cid, _ in find(c)) for c in self.context)
        return ResolvedPrecedents(self, where, np.array(self.files),
                                  np.array([bool(w) for w in where]) & self.answerable,
                                  np.array([c is None for c in self.context], dtype=bool), context, tokenize)

    def without(self, file: str) -> Precedents:
        """These precedents but those of one labelled file (to score that file as a new writer's)."""
        keep = np.array([f != file for f in self.files], dtype=bool)

        def kept(values: Sequence) -> tuple:
            return tuple(v for v, k in zip(values, keep) if k)

        return Precedents(kept(self.questions), self.vectors[keep], kept(self.answers), kept(self.context),
                          self.answerable[keep], kept(self.files), self.model)

    def save(self, path: Path = PRECEDENT_FILE) -> None:
        """Vectors as float16; the texts as one UTF-8 JSON document, not numpy string arrays, whose fixed width
        (4 bytes a character, padded to the longest) made loading them a 60 MB peak in every serving worker."""
        texts = {"questions": self.questions, "answers": self.answers, "context": self.context, "files": self.files,
                 "model": self.model}
        np.savez_compressed(path, vectors=self.vectors.astype(np.float16), answerable=self.answerable,
                            texts=np.frombuffer(json.dumps(texts, ensure_ascii=False).encode(), dtype=np.uint8))

    @classmethod
    def load(cls, path: Path = PRECEDENT_FILE) -> Precedents | None:
        """The shipped precedents, or None when there are none (a fresh article with no labelled questions)."""
        if not path.is_file():
            return None
        data = np.load(path, allow_pickle=False)
        texts = json.loads(data["texts"].tobytes())
        spans: dict[str, str] = {}  # 481 distinct spans among 11,360: one string each, not one per mention

        def shared(values: list[str]) -> tuple[str, ...]:
            return tuple(spans.setdefault(v, v) for v in values)

        return cls(tuple(texts["questions"]), data["vectors"].astype(np.float32),
                   tuple(shared(a) for a in texts["answers"]),
                   tuple(None if c is None else shared(c) for c in texts["context"]),
                   data["answerable"].astype(bool), tuple(texts["files"]), texts["model"])


_LAST = threading.local()


@dataclass(frozen=True)
class ResolvedPrecedents:
    """Precedents whose answers are sentences of one index generation."""

    precedents: Precedents
    sentences: tuple[tuple[Sentence, ...], ...]
    files: np.ndarray
    answered: np.ndarray  # labelled answerable, and its answer is still in the article
    opening: np.ndarray  # the first turn of its conversation
    context: tuple[frozenset[str] | None, ...]  # a follow-up's: the passages its previous turn's answer is in
    tokenize: Callable[[list[str]], list[list[str]]]  # the lexical leg's stemmer, for `terms`

    def terms(self, i: int) -> frozenset[str]:
        """The stemmed content words of labelled turn `i` itself, stemmed when asked: only the nearest few are ever
        needed, and stemming all 11,000 on loading cost a cold start 0.1 s."""
        return frozenset(self.tokenize([self.precedents.questions[i].split(" | ")[-1]])[0])

    def _similarity(self, vector: np.ndarray, leave_out: str | None) -> np.ndarray:
        """Every labelled turn's cosine to `vector` (read-only). One answer often asks twice for the same vector
        (`vouch`, then `votes`): each thread keeps the last one, as the product is the dearest step after the
        encoder (11,000 × 384)."""
        key = (vector.tobytes(), leave_out)
        last = getattr(_LAST, "similarity", None)
        if last is not None and last[0] is self and last[1] == key:
            return last[2]
        similarity = self.precedents.vectors @ vector
        if leave_out is not None:
            similarity = np.where(self.files == leave_out, -1.0, similarity)
        similarity.setflags(write=False)  # shared with the next call of this thread
        _LAST.similarity = (self, key, similarity)
        return similarity

    def vouch(self, vector: np.ndarray, leave_out: str | None = None) -> bool:
        """Is a labelled question the article answers much nearer than any it does not answer? Only opening
        questions vouch: a follow-up was answerable in its conversation ("how many days a week" after a question
        about strength training), which says nothing about the same words alone."""
        similarity = self._similarity(vector, leave_out)
        unanswered = ~self.precedents.answerable
        near = similarity[self.answered & self.opening].max(initial=-1.0)
        return near >= VOUCH_SIMILARITY and near >= similarity[unanswered].max(initial=-1.0) + MARGIN

    def votes(self, vector: np.ndarray, leave_out: str | None = None,
              contrast: Callable[[frozenset[str], tuple[Sentence, ...]], bool] | None = None,
              topic: frozenset[str] = frozenset()) -> dict[Sentence, float]:
        """Sentence → the highest cosine of a near labelled question it answers. `leave_out` names a labelled
        file whose questions do not vote (the ranker is fitted on a file with its own precedents left out);
        `contrast(its terms, its answer's sentences)` is true when a labelled turn is a minimal pair of this one.
        A labelled follow-up votes for a follow-up only when its conversation was on the same passage (`topic`, the
        passages the conversation's last answer cited): "where does it hurt?" after IT band syndrome is no
        precedent for the same words after piriformis syndrome."""
        similarity = self._similarity(vector, leave_out)
        votes: dict[Sentence, float] = {}
        for i in _nearest(similarity, NEIGHBOURS):
            if similarity[i] < MIN_SIMILARITY:
                break
            if contrast is not None and contrast(self.terms(i), self.sentences[i]):
                continue
            if topic and self.context[i] is not None and not (self.context[i] & topic):
                continue
            for sentence in self.sentences[i]:
                votes[sentence] = max(votes.get(sentence, 0.0), float(similarity[i]))
        return votes


def _nearest(similarity: np.ndarray, k: int) -> np.ndarray:
    """The rows of the `k` highest similarities, highest first: a partial sort, as sorting all 11,000 labelled turns
    for three took 0.15 ms an answer. Equal similarities (one question in two files) come in no set order, as from
    the full sort before; the 16,209 labelled turns get the same answers either way."""
    top = np.argpartition(-similarity, k)[:k] if len(similarity) > k else np.arange(len(similarity))
    return top[np.argsort(-similarity[top])]


def _covering(span: str, text: str, chunks: Sequence[Chunk]) -> tuple[Sentence, ...]:
    """The sentences, in every chunk, that a span covers wherever it occurs in the article."""
    found: dict[Sentence, None] = {}
    at = text.find(span)
    while at >= 0:
        found.update(dict.fromkeys(_sentences_over(chunks, at, at + len(span))))
        at = text.find(span, at + 1)
    return tuple(found)


def _sentences_over(chunks: Sequence[Chunk], start: int, end: int) -> list[Sentence]:
    return [(chunk.id, i) for chunk in chunks if chunk.start < end and start < chunk.end
            for i, sentence in enumerate(chunk.sentences) if sentence.start < end and start < sentence.end]


def build(files: Sequence[Path], read: Callable[[str, list[str]], np.ndarray], model: str) -> Precedents:
    """Every turn of labelled files, as the chain reads it: `read(text, earlier user turns)` gives the vector
    retrieval searched with (for a follow-up, with the topic of the conversation so far)."""
    from tqdm import tqdm

    from .evaluation.answer_set import load

    questions, vectors, answers, context, answerable, sources = [], [], [], [], [], []
    items = [(file.stem, item) for file in files for item in load(file)]
    for source, item in tqdm(items, desc="precedents", unit="item", disable=None):
        earlier: list[str] = []
        previous: tuple[str, ...] | None = None
        for turn in item.turns:
            questions.append(" | ".join([*earlier, turn.text]))
            context.append(previous)
            previous = turn.direct_answers
            vectors.append(read(turn.text, list(earlier)))
            answers.append(turn.direct_answers if turn.answerable else ())
            answerable.append(turn.answerable)
            sources.append(source)
            earlier.append(turn.text)
    return Precedents(tuple(questions), np.array(vectors, dtype=np.float32).reshape(len(vectors), -1),
                      tuple(answers), tuple(context), np.array(answerable, dtype=bool), tuple(sources), model)
