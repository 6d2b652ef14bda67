"""Which retrieved sentence answers the question: a ranker fitted on labelled questions, not hand-set weights.

The composer used to score a sentence as its cosine to the question + ½ its passage's + 0.3 × shared rare words,
with small bonuses for an amount, a time or a person. Runners' questions showed where that fails: the doctor
list and the exercise list win on topic, one shared word wins a sentence, a "how long" question gets any number.
This ranker weighs the same evidence — and the kind of question against the kind of passage, and the question's
embedding against the sentence's, dimension by dimension (which answer shapes go with which questions) — by a
logistic regression fitted on the labelled turns of `eval/answers/` that are no longer sealed, where a sentence
is a positive when it holds one of the turn's `direct_answers` (a lead-in: when the labels of its bullets do).

On those turns, with each writer's file held out in turn (leave-one-file-out over the ten files, 1,147 turns whose
direct answer was among the retrieved passages), the best-scored sentence held a direct answer 0.732 of the time and
the best three 0.917; on the first eight files, 0.719 and 0.888, against 0.551 and 0.813 for the hand-set score
(0.635 and 0.823 without the embeddings' product).

Since 2026-12-01 (session 9) it also reads the precedents' votes (precedent.py): whether the nearest labelled turns
were answered by this sentence or its passage. Fitted on fourteen files with each file's own turns left out of the
precedents it sees, as a new writer's are; held out whole (ranker and precedents fitted without it), the spent
splits 10 and 11 went from direct answer present 0.811 and 0.775 to 0.867 and 0.876, follow-ups from 0.717 and
0.558 to 0.826 and 0.721.

`python -m assistant calibrate` refits it (`refit`) and rebuilds the precedents; the model is committed as
`assistant/selection.json`, the precedents as `assistant/precedent.npz`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import precedent
from .decline import states_quantity
from .models import Chunk, Hit
from .question_types import KINDS, Kind, answers_amount, fits

MODEL_FILE = Path(__file__).with_name("selection.json")
PASSAGE_KINDS = ("paragraph", "bullet", "list", "reference")
REGULARISATION = 0.1  # scikit-learn's C, chosen by cross-validation on the labelled turns
PRODUCT_SPREAD = 0.3  # the question·sentence dimensions are standardised to this spread, not 1: a stronger L2
# pull toward zero for 384 weights that could otherwise learn each sentence's popularity (cross-validated: the
# best-scored sentence right 0.719 of the time, against 0.705 at 1)
FEATURES = (
    "sentence_cosine", "sentence_or_list_cosine", "own_words_cosine", "passage_cosine", "shared_rare_words",
    "inverse_rank", "fused_score", "bm25", "topic_passage", "amount_stated", "amount_fits", "kind_fits",
    "bullet_label", "log_words", "opens_passage", "follow_up", "follow_up_topic_passage", "follow_up_own_words",
    "precedent_sentence", "precedent_passage", "follow_up_precedent", "precedent_lead_in",
    *(f"passage_{p}" for p in PASSAGE_KINDS),
    *(f"kind_fits_{k}" for k in KINDS),
    *(f"{k}_in_{p}" for k in KINDS for p in PASSAGE_KINDS),
)


@dataclass(frozen=True)
class Question:
    """What the ranker needs to know about the question, computed once per answer."""

    text: str  # what the user typed
    query: str  # what retrieval searched on (with the conversation's topic for a follow-up)
    vector: np.ndarray  # the reading's vector (with the conversation's topic for a follow-up)
    own_vector: np.ndarray  # the user's own words alone
    terms: set[str]  # the reading's stemmed words
    kind: Kind
    wants_amount: bool
    follow_up: bool
    topic_ids: frozenset[str]
    votes: dict[tuple[str, int], float] = field(default_factory=dict)  # sentence → cosine of a near labelled
    # question it answered (precedent.py)
    just_shown: frozenset[str] = frozenset()  # passages an earlier answer showed whole (compose shows less of them)


def features(question: Question, hit: Hit, i: int, sentence_vector: np.ndarray, own: float, own_words: float,
             overlap: float, lead_in_vote: float = 0.0) -> np.ndarray:
    """One candidate sentence (sentence i of the hit's passage) as the ranker reads it; `lead_in_vote` is the
    precedents' mean vote for the labels of the bullets it introduces, when it is a list's lead-in."""
    chunk: Chunk = hit.chunk
    text = chunk.sentences[i].text
    kind_fits = fits(question.kind, text)
    topic = chunk.id in question.topic_ids
    row = [own, max(own, hit.similarity) if chunk.kind == "list" else own, own_words, hit.similarity, overlap,
           1.0 / hit.rank, hit.score, hit.lexical, topic, question.wants_amount and states_quantity(text),
           answers_amount(question.text, text), kind_fits, chunk.kind == "bullet" and i == 0,
           math.log1p(len(text.split())), i == 0, question.follow_up, question.follow_up and topic,
           own_words if question.follow_up else 0.0, question.votes.get((chunk.id, i), 0.0),
           max((v for (c, _), v in question.votes.items() if c == chunk.id), default=0.0),
           question.votes.get((chunk.id, i), 0.0) if question.follow_up else 0.0, lead_in_vote]
    row += [chunk.kind == p for p in PASSAGE_KINDS]
    row += [question.kind == k and kind_fits for k in KINDS]
    row += [question.kind == k and chunk.kind == p for k in KINDS for p in PASSAGE_KINDS]
    return np.concatenate((np.array(row, dtype=np.float64), question.vector * sentence_vector))


@dataclass(frozen=True)
class SentenceRanker:
    """A linear score over standardised features: higher = more likely to hold the direct answer."""

    weights: np.ndarray
    centre: np.ndarray
    scale: np.ndarray
    bias: float

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.centre) / self.scale) @ self.weights + self.bias

    def save(self, path: Path, provenance: dict) -> None:
        path.write_text(json.dumps({**provenance, "features": list(FEATURES) + ["question·sentence (384)"],
                                    "bias": self.bias, "weights": self.weights.tolist(),
                                    "centre": self.centre.tolist(), "scale": self.scale.tolist()}) + "\n")

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> SentenceRanker:
        """A model fitted before a feature was added scores as it did: the new feature gets weight 0 (what
        `calibrate` needs to answer earlier turns while it refits)."""
        data = json.loads(path.read_text())
        weights, centre, scale = (np.array(data[key]) for key in ("weights", "centre", "scale"))
        fitted = data["features"][:-1]  # the named features; then the question·sentence products
        if fitted != list(FEATURES):
            if set(fitted) - set(FEATURES):
                raise ValueError(f"{path} was fitted on features this code no longer computes: run "
                                 f"`python -m assistant calibrate`.")
            products = len(weights) - len(fitted)
            at = [FEATURES.index(name) for name in fitted] + [len(FEATURES) + j for j in range(products)]
            weights, centre, scale = (_spread(old, at, len(FEATURES) + products, fill)
                                      for old, fill in ((weights, 0.0), (centre, 0.0), (scale, 1.0)))
        return cls(weights, centre, scale, float(data["bias"]))


def _spread(values: np.ndarray, at: list[int], size: int, fill: float) -> np.ndarray:
    spread = np.full(size, fill)
    spread[at] = values
    return spread


def fit(rows: Sequence[np.ndarray], labels: Sequence[bool]) -> SentenceRanker:
    """Logistic regression (lbfgs: deterministic) on every candidate sentence of every labelled turn."""
    from sklearn.linear_model import LogisticRegression

    x = np.stack(rows)
    centre, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    scale[len(FEATURES):] /= PRODUCT_SPREAD
    model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit((x - centre) / scale, np.array(labels))
    return SentenceRanker(model.coef_[0], centre, scale, float(model.intercept_[0]))


# -- fitting ------------------------------------------------------------------------------------------------
TRAINED_ON = ("dev_singles", "dev2", "dev_conversations", "sealed", "sealed2", "sealed3", "sealed4", "sealed5",
              "sealed6", "sealed7", "sealed8", "sealed9", "sealed10", "sealed11", "sealed12", "sealed13",
              "sealed14", "sealed15", "sealed16", "sealed17", "sealed18", "sealed19", "sealed20", "sealed21",
              "train_a", "train_b", "train_c", "train_d", "train_e",
              "train_f", "train_g", "train_h", "train_i", "train_j", "train_k", "train_l",
              "train_m", "sealed22", "sealed23", "sealed24", "sealed25", "sealed26", "sealed27", "sealed28", "sealed29",
              "sealed30", "sealed31", "sealed32", "sealed33", "sealed34", "sealed35", "sealed36", "sealed37", "sealed38",
              "sealed39", "train_n", "train_o", "train_p", "train_q", "train_r")


def training_files(folder: Path) -> list[Path]:
    """The labelled files the ranker learns from: the dev sets and the sealed splits already spent (a sealed split
    joins this list only after it has been scored; eval/answers/README.md)."""
    return [folder / f"{name}.jsonl" for name in TRAINED_ON]


def training_rows(assistant, items) -> tuple[list[np.ndarray], list[bool], int]:
    """Replay each answerable turn as the chain reads it (with the user's earlier turns), and label every candidate
    sentence: positive when it holds one of the turn's direct answers, or is a lead-in whose bullets' labels do.
    `items` are (file name, item) pairs: a file's own questions are no precedent for it, as a new writer's
    are not in the shipped precedents. Also: how many turns were used."""
    from .compose import candidates, labels_after, shown_with

    engine = assistant.engine
    text = engine.document.text
    lead_ins = labels_after(engine.chunks)
    rows, labels, turns = [], [], 0
    for file, item in items:
        earlier: list[str] = []
        for turn in item.turns:
            spans = [(m, m + len(q)) for q in turn.direct_answers for m in _all(text, q)]
            if turn.answerable and spans:
                reading = assistant.read(turn.text, earlier, leave_out=file)
                question = assistant.question(turn.text, earlier, reading.query, reading.vector, reading.topic,
                                              reading.votes)
                for hit, i, row in candidates(question, reading.hits, engine.sentence_vectors, engine.lexical,
                                              lead_ins):
                    rows.append(row)
                    labels.append(any(shown.start < end and start < shown.end for shown in
                                      shown_with(hit.chunk, i, lead_ins) for start, end in spans))
                turns += 1
            earlier.append(turn.text)
    return rows, labels, turns


def _all(text: str, span: str):
    at = text.find(span)
    while at >= 0:
        yield at
        at = text.find(span, at + 1)


def refit(assistant, folder: Path, path: Path = MODEL_FILE, precedents_path: Path = precedent.PRECEDENT_FILE) -> str:
    """Rebuild the precedents from the training files, fit the ranker on them and write both; say on what. Turns
    whose direct answers left the article (after an edit) are skipped. Fitted twice: the second time, earlier
    turns of a conversation are answered by the first fit, as they will be in the chain."""
    from .evaluation.answer_set import load

    files = training_files(folder)
    engine = assistant.engine
    precedents = precedent.build(files, lambda text, earlier: assistant.read(text, earlier).vector,
                                 engine.embedder.fingerprint)
    assistant.use_precedents(precedents)
    items = [(file.stem, item) for file in files for item in load(file)]
    for _ in range(2):  # a follow-up is read with the topic its earlier turn's answer cited: use the new ranker
        rows, labels, turns = training_rows(assistant, items)
        ranker = fit(rows, labels)
        assistant.use_ranker(ranker)
    ranker.save(path, {"trained_on": [f.name for f in files], "turns": turns, "candidates": len(rows),
                       "positives": int(sum(labels)), "regularisation": REGULARISATION})
    precedents.save(precedents_path)
    return (f"Sentence ranker fitted on {turns} labelled turns ({len(rows)} candidate sentences, {sum(labels)} "
            f"holding a direct answer) of {', '.join(f.name for f in files)}. Wrote {path}, and "
            f"{precedents_path} ({len(precedents.questions)} labelled questions as precedents).")
