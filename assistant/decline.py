"""Does the article answer this question? A decision from retrieval evidence, calibrated on labelled questions.

Four features, each "higher = more likely answerable":
  * `best_sentence` — the highest cosine between the question and any sentence of the retrieved passages;
  * `coverage` — the share of the question's rare-word weight (IDF) found in one retrieved passage;
  * `known_terms` — the share of the question's IDF weight made of words the article uses at all;
  * `resemblance` — how much more the question resembles the labelled answerable questions than the
    labelled unanswerable ones (mean cosine to its 5 nearest of each kind), which carries what retrieval
    alone misses: "creatine" or "pacing" questions look on-topic to a passage but not to a labeller.
A logistic model over them is fitted on `eval/calibration.yaml` (questions labelled answerable or not,
none of them in the eval cases) by `python -m assistant calibrate` — each question's resemblance is
computed without itself (leave-one-out) — which also picks the decision threshold: the highest score
that keeps at most 5% of the answerable calibration questions declined. The model is committed as
`assistant/calibration.json`, the labelled questions' vectors as `calibration_exemplars.npz`. The features are
measured on the article's passages, so the calibration records the chunk IDs it was fitted on (`chunks`); when
the index holds other ones, `staleness()` says so and names the command (eval, /api/health and CI show it).
A question about another body part (and not the hip) is declined outright: the article is about hips.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .chunking import fingerprint
from .lexical import LexicalIndex, tokenize
from .models import Hit
from .conversation import GENERIC
from .query import content_words

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
EXEMPLARS_FILE = Path(__file__).with_name("calibration_exemplars.npz")
FEATURES = ("best_sentence", "coverage", "known_terms", "resemblance")
NEIGHBOURS = 5
MAX_ANSWERABLE_DECLINED = 0.05

_OTHER_BODY_PART = re.compile(
    r"\b(knees?|ankles?|feet|foot|toes?|toenails?|shins?|calf|calves|achilles|heels?|plantar|shoulders?|elbows?|"
    r"wrists?|hands?|neck|lower back|back pain|spine|chest|stomach|head|headaches?|teeth|eyes?)\b", re.I)
_HIP_TERMS = re.compile(r"\b(hips?|groin|glutes?|pelvis|thighs?|it band|iliotibial|piriformis|bursa\w*|sciatica|"
                        r"flexors?|osteoarthritis|oa)\b", re.I)


_ASKS_QUANTITY = re.compile(r"\b(how (many|much|long|often|far|soon|fast)|what (dose|dosage|amount)|how many \w+|"
                            r"\d+\s*(mg|milligrams?|ml)|cost|price)\b", re.I)
_QUANTITY = re.compile(r"\d|\b(once|twice|one|two|three|four|five|six|seven|eight|nine|ten|few|several|daily|"
                       r"weekly|minutes?|hours?|days?|weeks?|months?)\b", re.I)


def asks_for_quantity(question: str) -> bool:
    """"How long…", "how many…", "what dose…": only an answer that states an amount answers these."""
    return bool(_ASKS_QUANTITY.search(question))


_ASKS_SOURCE = re.compile(r"\b(stud(y|ies)|research|source|sources|reference|references|paper|journal|cite[sd]?|"
                          r"citation|evidence|author|wrote|published|doi|according to|comes? from|based on)\b", re.I)


def asks_for_source(question: str) -> bool:
    """"Which study…", "where does that come from…": the answer should show the reference itself."""
    return bool(_ASKS_SOURCE.search(question))


def states_quantity(text: str) -> bool:
    return bool(_QUANTITY.search(text))


@dataclass(frozen=True)
class Evidence:
    best_sentence: float
    coverage: float
    known_terms: float
    resemblance: float = 0.0
    other_body_part: bool = False
    new_subject: bool = False  # a follow-up whose own words, read alone, are declined and name what the article lacks

    @property
    def strength(self) -> float:
        """A model-free summary used to pick among readings of a several-sentence question."""
        return self.best_sentence + self.coverage

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, f) for f in FEATURES], dtype=float)


def unknown_words(text: str, lexical: LexicalIndex) -> set[str]:
    """The content words of `text` the article never uses: "diet" in "what about my diet?" (not "my" or "would")."""
    words = [w for w in content_words(text) if w not in GENERIC]
    return {t for t in tokenize([" ".join(words)])[0] if not lexical.in_corpus(t)} if words else set()


def gather(query: str, query_vector: np.ndarray, hits: list[Hit], sentence_vectors: dict[str, np.ndarray],
           lexical: LexicalIndex, own_words: str | None = None, refers_back: bool = False) -> Evidence:
    """The evidence for a retrieval `query`. For a follow-up, the query carries the earlier turn; `own_words` is
    what the user just typed, and the words-the-article-knows and body-part checks read those alone, so "what
    about my diet?" or "and my knee?" after a hip question is judged on diet and knee, not on the hip. A
    follow-up that `refers_back` ("do those last forever?") is about its topic: its known words are the query's."""
    own_words = query if own_words is None else own_words
    terms = set(tokenize([query])[0])
    weight = sum(lexical.idf(t) for t in terms) or 1.0
    best = max((float((sentence_vectors[h.chunk.id] @ query_vector).max()) for h in hits), default=0.0)
    coverage = max((sum(lexical.idf(t) for t in terms if t in lexical.terms[h.chunk.id]) / weight for h in hits),
                   default=0.0)
    own = terms if refers_back else set(tokenize([own_words])[0])
    known = sum(lexical.idf(t) for t in own if lexical.in_corpus(t)) / sum(lexical.idf(t) for t in own) if own else 0.0
    other = bool(_OTHER_BODY_PART.search(own_words)) and not _HIP_TERMS.search(own_words)
    return Evidence(best, coverage, known, other_body_part=other)


@dataclass(frozen=True)
class Exemplars:
    """The labelled calibration questions as vectors, for the `resemblance` feature."""

    vectors: np.ndarray
    answerable: np.ndarray

    def resemblance(self, vector: np.ndarray, leave_out: int | None = None) -> float:
        similarity = self.vectors @ vector
        keep = np.ones(len(similarity), dtype=bool)
        if leave_out is not None:
            keep[leave_out] = False
        near = [np.sort(similarity[keep & (self.answerable == label)])[-NEIGHBOURS:].mean() for label in (True, False)]
        return float(near[0] - near[1])

    def save(self, path: Path = EXEMPLARS_FILE) -> None:
        np.savez_compressed(path, vectors=self.vectors.astype(np.float32), answerable=self.answerable)

    @classmethod
    def load(cls, path: Path = EXEMPLARS_FILE) -> Exemplars:
        data = np.load(path)
        return cls(data["vectors"], data["answerable"].astype(bool))


@dataclass(frozen=True)
class DeclineModel:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted_on: tuple[str, ...] = ()  # the sorted chunk IDs of the index it was fitted on; () before they were kept

    def score(self, evidence: Evidence) -> float:
        """Log-odds that the article answers the question."""
        return float(evidence.vector() @ np.array(self.weights) + self.bias)

    def declines(self, evidence: Evidence) -> bool:
        return evidence.other_body_part or evidence.new_subject or self.score(evidence) < self.threshold

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> DeclineModel:
        data = json.loads(path.read_text())
        return cls(tuple(data["weights"]), data["bias"], data["threshold"], tuple(data.get("chunks", ())))


RECALIBRATE = "run `python -m assistant calibrate` and commit assistant/calibration.json"


def staleness(model: DeclineModel, chunk_ids: Iterable[str]) -> list[str]:
    """Why the decline calibration may not fit the index any more (empty when it was fitted on these chunks):
    its features were measured on the passages, so an article edit moves them."""
    current = set(chunk_ids)
    if not model.fitted_on:
        return [f"The decline calibration (assistant/calibration.json) does not record the passages it was fitted "
                f"on, so nothing tells whether it fits this article — {RECALIBRATE}."]
    if fingerprint(model.fitted_on) == fingerprint(current):
        return []
    new, gone = len(current - set(model.fitted_on)), len(set(model.fitted_on) - current)
    return [f"The decline calibration (assistant/calibration.json) was fitted on other passages: {new} of the "
            f"index's {len(current)} chunks are new or edited since, {gone} gone — {RECALIBRATE}."]


def fit(samples: list[tuple[Evidence, bool]], l2: float = 1e-3, steps: int = 20000, rate: float = 2.0) -> DeclineModel:
    """Logistic regression by plain gradient descent (deterministic), then the 5%-answerable-declined threshold."""
    x = np.array([e.vector() for e, _ in samples])
    y = np.array([float(answerable) for _, answerable in samples])
    x1 = np.c_[x, np.ones(len(x))]
    w = np.zeros(x1.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-x1 @ w))
        w -= rate * (x1.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0.0])
    scores = np.sort(x1[y == 1] @ w)
    threshold = float(scores[int(np.floor(MAX_ANSWERABLE_DECLINED * len(scores)))])
    return DeclineModel(tuple(float(v) for v in w[:-1]), float(w[-1]), threshold)


def save(model: DeclineModel, samples: list[tuple[Evidence, bool]], source: str, path: Path = CALIBRATION_FILE):
    answerable = [model.declines(e) for e, a in samples if a]
    unanswerable = [model.declines(e) for e, a in samples if not a]
    path.write_text(json.dumps({
        "weights": list(model.weights), "bias": model.bias, "threshold": model.threshold,
        "features": FEATURES, "calibrated_on": source,
        "answerable": len(answerable), "unanswerable": len(unanswerable),
        "answerable_declined": round(sum(answerable) / len(answerable), 4),
        "unanswerable_declined": round(sum(unanswerable) / len(unanswerable), 4),
        "chunks_fingerprint": fingerprint(model.fitted_on), "chunks": list(model.fitted_on)}, indent=2) + "\n")


def recalibrate(assistant, questions_file: Path, path: Path = CALIBRATION_FILE) -> str:
    """Fit, write the model (and the exemplars beside it), and say what moved: the threshold and the decline
    rates before → after, and how many passages are new since the last fit."""
    before = json.loads(path.read_text()) if path.is_file() else {}
    model, exemplars, samples = calibrate(assistant, questions_file)
    save(model, samples, str(questions_file), path)
    exemplars.save(path.with_name(EXEMPLARS_FILE.name))
    after = json.loads(path.read_text())
    was = lambda key, form: form.format(before[key]) if key in before else "—"  # noqa: E731
    new = len(set(model.fitted_on) - set(before["chunks"])) if before.get("chunks") else None
    return (f"Decline calibration on {after['answerable']} answerable and {after['unanswerable']} unanswerable "
            f"questions of {questions_file}: threshold {was('threshold', '{:.4f}')} → {after['threshold']:.4f}; "
            f"answerable declined {was('answerable_declined', '{:.1%}')} → {after['answerable_declined']:.1%}; "
            f"unanswerable declined {was('unanswerable_declined', '{:.1%}')} → {after['unanswerable_declined']:.1%}. "
            f"Fitted on the index's {len(model.fitted_on)} chunks"
            + (f" ({new} new or edited since the last calibration)" if new is not None else "")
            + f". Wrote {path} and {path.with_name(EXEMPLARS_FILE.name)}.")


def calibrate(assistant, questions_file: Path) -> tuple[DeclineModel, Exemplars, list[tuple[Evidence, bool]]]:
    """Fit the decline model on a labelled question file (see eval/README.md, calibration format)."""
    import yaml

    items = yaml.safe_load(questions_file.read_text())["questions"]
    readings = [assistant.read(item["question"], []) for item in items]
    exemplars = Exemplars(np.stack([vector for _, vector, _, _, _ in readings]),
                          np.array([bool(item["answerable"]) for item in items]))
    samples = [(replace(evidence, resemblance=exemplars.resemblance(vector, leave_out=i)), bool(item["answerable"]))
               for i, ((_, vector, _, evidence, _), item) in enumerate(zip(readings, items))]
    model = replace(fit(samples), fitted_on=tuple(sorted(c.id for c in assistant.engine.chunks)))
    return model, exemplars, samples
