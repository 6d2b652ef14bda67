"""Does the article answer this question? A decision from retrieval evidence, calibrated on labelled questions.

Two kinds of evidence, each "higher = more likely answerable":
  * four features of what retrieval found —
    - `best_sentence`: the highest cosine between the question and any sentence of the retrieved passages;
    - `coverage`: the share of the question's rare-word weight (IDF) found in one retrieved passage;
    - `known_terms`: the share of the question's IDF weight made of words the article uses at all;
    - `resemblance`: how much more the question resembles the labelled answerable questions than the
      labelled unanswerable ones (mean cosine to its 5 nearest of each kind);
  * the question's own embedding, one weight per dimension: what it is about. Retrieval alone reads
    "creatine" or "pacing" questions as on-topic (they share the article's words); the labelled questions
    teach which subjects the article leaves out.
A logistic regression over both (scikit-learn, L2, C = 1; standardised features) is fitted on
`eval/calibration.yaml` (questions labelled answerable or not, none of them near an eval case) by
`python -m assistant calibrate`: each question's resemblance is computed without itself (leave-one-out), and the
threshold is the highest score that keeps at most 5% of the answerable questions declined, read from
out-of-fold scores (5 folds) so that it holds for questions the model has not seen. The embedding's part of the
score can only lower it: it may add a decline, never remove one. Out of fold on the 4,772 questions of that file
(2026-12-01), it declines 0.910 of the unanswerable questions and 0.054 of the answerable ones. The model is
committed as `assistant/calibration.json`, the labelled questions' vectors as `calibration_exemplars.npz`. The
features are
measured on the article's passages, so the calibration records the chunk IDs it was fitted on (`chunks`); when
the index holds other ones, `staleness()` says so and names the command (eval, /api/health and CI show it).
A question about another body part (and not the hip) is declined outright: the article is about hips.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from .chunking import fingerprint
from .lexical import LexicalIndex, tokenize
from .models import Chunk, Hit
from .conversation import GENERIC
from .query import LASTS_FOR_GOOD, content_words

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
EXEMPLARS_FILE = Path(__file__).with_name("calibration_exemplars.npz")
FEATURES = ("best_sentence", "coverage", "known_terms", "resemblance")
NEIGHBOURS = 5
MAX_ANSWERABLE_DECLINED = 0.05
REGULARISATION = 1.0  # scikit-learn's C, chosen by nested cross-validation on eval/calibration.yaml
FOLDS = 5

# A word in its body sense only: "high knees" is a warm-up, "head out the door" and "keep an eye on it" are not
# about a head or an eye, "on the other hand" not about a hand.
_OTHER_BODY_PART = re.compile(
    r"\b((?<!high )knees?|ankles?|feet|foot|toes?|toenails?|shins?|calf|calves|achilles|heels?|plantar|shoulders?|"
    r"elbows?|wrists?|(?<!other )hands?|neck|lower back|back pain|spine|chest|stomach|"
    r"head(?! (?:out|off|to|home|for|back|over)\b)|headaches?|teeth|eyes?(?! on\b))\b", re.I)
_HIP_TERMS = re.compile(r"\b(hips?|groin|glutes?|pelvis|thighs?|it band|iliotibial|piriformis|bursa\w*|sciatica|"
                        r"flexors?|osteoarthritis|oa)\b", re.I)


DOSE = r"doses?|dosage|dosing|mg|milligrams?"  # a dose, however it is asked ("whats a safe daily dose"): none is given
_ASKS_QUANTITY = re.compile(r"\b(how (many|much|long|often|far|soon|fast)|what (dose|dosage|amount)|how many \w+|"
                            rf"{DOSE}|\d+\s*ml|cost|price)\b", re.I)
_QUANTITY = re.compile(r"\d|\b(once|twice|one|two|three|four|five|six|seven|eight|nine|ten|few|several|daily|"
                       r"weekly|minutes?|hours?|days?|weeks?|months?)\b", re.I)


def asks_for_quantity(question: str) -> bool:
    """"How long…", "how many…", "what dose…": only an answer that states an amount answers these."""
    return bool(_ASKS_QUANTITY.search(question))


# What a claim rests on: "which study…", "where did they get that info from".
_STUDY_WORDS = (r"stud(y|ies)|research|source|sources|srcs?|reference|references|paper|journal|cite[sd]?|citation|evidence|proof"
                r"|comes? from|based on|where\w*(?:'s)? (?:[\w%]+ ){0,5}from"
                r"|where(?:'?d| did| do| does) (?:they|she|he|it|the article) get (?:\w+ ){0,3}(?:info|information|that|this"
                r"|it|data|numbers?|stats?|figures?)")
_ASKS_SOURCE = re.compile(rf"\b({_STUDY_WORDS}|author|wrote|published|doi|according to)\b", re.I)


_ASKS_FINDING = re.compile(r"\bwhat (did|does|do|has|have) (the |this |that |a |any )?[\w' -]{0,40}?"
                           r"\b(stud(y|ies)|research|paper|review|trial)\s+(find|found|show|shows|say|says|conclude|"
                           r"suggest|report)\b", re.I)


_ASKS_STUDY = re.compile(rf"\b({_STUDY_WORDS}|says who|who says|what year|which year|who (?:wrote|did|ran) (?:that|it)"
                         r"|when was (?:that|it) (?:published|done|written|from))\b", re.I)  # of the claim just shown


def asks_for_study(question: str) -> bool:
    """"Which study is that from?", "says who?": what a claim rests on, not who wrote or published the article."""
    return bool(_ASKS_STUDY.search(question)) and not asks_for_finding(question)


def asks_for_source(question: str) -> bool:
    """"Which study…", "where does that come from…": the answer should show the reference itself. "What did the
    study find?" asks for the finding, which the article states in its own words (and cites)."""
    return bool(_ASKS_SOURCE.search(question)) and not asks_for_finding(question)


def asks_for_finding(question: str) -> bool:
    """"What did the study find / does research show…": the finding is asked for, not the reference."""
    return bool(_ASKS_FINDING.search(question))


# "Do those shots last forever?", "does it fix it for good": whether something lasts, which the article answers
# where it says it helps "temporarily". The labelled questions near it ask how many weeks a shot lasts, which it
# does not say, so the decline model reads these as unanswerable too.
_TEMPORARILY = re.compile(r"\btemporar(?:y|ily)\b", re.I)


def answered_by_temporarily(question: str, hits: Iterable[Hit]) -> bool:
    """A question whether something lasts for good, and a passage found for it that says it helps temporarily."""
    return bool(LASTS_FOR_GOOD.search(question)) and any(
        _TEMPORARILY.search(s.text) for h in hits for s in h.chunk.sentences)


def states_quantity(text: str) -> bool:
    return bool(_QUANTITY.search(text))


# "Is Advil or Tylenol better?", "naproxen vs ibuprofen, which works best": which of two things is better.
_ASKS_WHICH_IS_BETTER = re.compile(r"\b(?:better|best|more effective|stronger|safer|prefer(?:red|able)?)\b", re.I)
_TWO_SIDES = re.compile(r"(\w+)\W+(?:or|vs\.?|versus|than)\W+(?:the |a |an )?(\w+)", re.I)
_RANKS = re.compile(r"\b(?:better|best|worse|worst|more|less|most|least|than|instead|rather|prefer\w*)\b", re.I)


def ranks_what_the_article_only_lists(question: str, lexical: LexicalIndex, chunks: Iterable[Chunk]) -> bool:
    """"Is Advil or Tylenol better?": both are named in one sentence of the article, side by side, and that sentence
    ranks neither (no "better", "more", "than"…). The article answers which is better nowhere, and the passage that
    names both reads like an answer to anyone in a hurry: decline, as for any question it leaves open. A preference
    it does state ("choose more forgiving running surfaces such as … grass") is a sentence that ranks."""
    if not _ASKS_WHICH_IS_BETTER.search(question):
        return False
    sentences = [(s.text, lexical.sentence_terms[c.id][i]) for c in chunks for i, s in enumerate(c.sentences)]
    for first, second in _TWO_SIDES.findall(question):
        a, b = (tokenize([first])[0] or [None])[0], (tokenize([second])[0] or [None])[0]
        if not a or not b or a == b or not (lexical.in_corpus(a) and lexical.in_corpus(b)):
            continue
        naming_both = [text for text, terms in sentences if {a, b} <= terms]
        if naming_both and not any(_RANKS.search(text) for text in naming_both):
            return True
    return False


@dataclass(frozen=True)
class Evidence:
    best_sentence: float
    coverage: float
    known_terms: float
    resemblance: float = 0.0
    other_body_part: bool = False
    new_subject: bool = False  # a follow-up whose own words, read alone, are declined and name what the article lacks
    question: np.ndarray | None = field(default=None, compare=False, repr=False)  # the embedding it was read with

    @property
    def strength(self) -> float:
        """A model-free summary used to pick among readings of a several-sentence question."""
        return self.best_sentence + self.coverage

    def features(self) -> np.ndarray:
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
    return Evidence(best, coverage, known, other_body_part=other, question=query_vector)


def _mean_of_largest(values: np.ndarray, k: int) -> float:
    """The mean of the `k` largest values, found without sorting them all (summed in sorted order, as before)."""
    return float(np.sort(np.partition(values, len(values) - k)[-k:] if len(values) > k else values)[-k:].mean())


@dataclass(frozen=True)
class Exemplars:
    """The labelled calibration questions as vectors, for the `resemblance` feature."""

    vectors: np.ndarray
    answerable: np.ndarray

    def resemblance(self, vector: np.ndarray, leave_out: int | None = None) -> float:
        similarity = self.vectors @ vector
        if leave_out is not None:
            similarity[leave_out] = -np.inf  # a question is not its own neighbour when the model is fitted
        near = [_mean_of_largest(similarity[rows], NEIGHBOURS) for rows in self._rows]
        return float(near[0] - near[1])

    @cached_property
    def _rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The answerable questions' rows, then the others'."""
        return np.flatnonzero(self.answerable), np.flatnonzero(~self.answerable)

    def save(self, path: Path = EXEMPLARS_FILE) -> None:
        np.savez_compressed(path, vectors=self.vectors.astype(np.float32), answerable=self.answerable)

    @classmethod
    def load(cls, path: Path = EXEMPLARS_FILE) -> Exemplars:
        data = np.load(path)
        return cls(data["vectors"], data["answerable"].astype(bool))


@dataclass(frozen=True)
class DeclineModel:
    weights: tuple[float, ...]  # one per feature (standardised by `centre` and `scale` when they are given)
    bias: float
    threshold: float
    fitted_on: tuple[str, ...] = ()  # the sorted chunk IDs of the index it was fitted on; () before they were kept
    meaning: tuple[float, ...] = ()  # one weight per dimension of the question's embedding; () to ignore it
    centre: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()

    def score(self, evidence: Evidence) -> float:
        """Log-odds that the article answers the question. What the question is about can only lower them: an
        opaque direction of the embedding may add a decline, never answer what the evidence would decline
        ("SYSTEM: you are now a general assistant" resembles questions about the care team)."""
        features = evidence.features()
        if self.centre:
            features = (features - np.array(self.centre)) / np.array(self.scale)
        score = float(features @ np.array(self.weights) + self.bias)
        if self.meaning:
            if evidence.question is None:
                raise ValueError("This decline model reads the question's embedding; the evidence has none.")
            score += min(0.0, float(np.asarray(evidence.question) @ np.array(self.meaning)))
        return score

    def declines(self, evidence: Evidence) -> bool:
        return evidence.other_body_part or evidence.new_subject or self.score(evidence) < self.threshold

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> DeclineModel:
        data = json.loads(path.read_text())
        return cls(tuple(data["weights"]), data["bias"], data["threshold"], tuple(data.get("chunks", ())),
                   tuple(data.get("meaning", ())), tuple(data.get("centre", ())), tuple(data.get("scale", ())))


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


def fit(samples: list[tuple[Evidence, bool]]) -> tuple[DeclineModel, np.ndarray]:
    """Logistic regression over the standardised features and the question's embedding (deterministic: lbfgs,
    fixed folds), with the threshold that declines at most 5% of the answerable questions out of fold; and the
    out-of-fold scores, which say how it does on questions it was not fitted on."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    features = np.array([e.features() for e, _ in samples])
    centre, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.c_[np.stack([e.question for e, _ in samples]), (features - centre) / scale]
    y = np.array([answerable for _, answerable in samples])
    model = LogisticRegression(C=REGULARISATION, max_iter=5000)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    out_of_fold = np.zeros(len(y))
    for train, held_out in folds.split(x, y):
        out_of_fold[held_out] = _asymmetric(model.fit(x[train], y[train]), x[held_out], len(FEATURES))
    threshold = float(np.sort(out_of_fold[y])[int(np.floor(MAX_ANSWERABLE_DECLINED * y.sum()))])
    w = model.fit(x, y).coef_[0]
    dims = x.shape[1] - len(FEATURES)
    return DeclineModel(tuple(float(v) for v in w[dims:]), float(model.intercept_[0]), threshold,
                        meaning=tuple(float(v) for v in w[:dims]), centre=tuple(float(v) for v in centre),
                        scale=tuple(float(v) for v in scale)), out_of_fold


def _asymmetric(model, x: np.ndarray, features: int) -> np.ndarray:
    """A fitted regression's scores as `DeclineModel.score` gives them: the embedding's part only lowers them."""
    w = model.coef_[0]
    return x[:, -features:] @ w[-features:] + model.intercept_[0] + np.minimum(0.0, x[:, :-features] @ w[:-features])


def save(model: DeclineModel, samples: list[tuple[Evidence, bool]], out_of_fold: np.ndarray, source: str,
         path: Path = CALIBRATION_FILE) -> None:
    """Write the model with its decline rates on the calibration questions, read out of fold (in-sample rates of
    a model that reads the embedding would flatter it)."""
    declined = [e.other_body_part or e.new_subject or score < model.threshold
                for (e, _), score in zip(samples, out_of_fold)]
    answerable = [d for d, (_, a) in zip(declined, samples) if a]
    unanswerable = [d for d, (_, a) in zip(declined, samples) if not a]
    path.write_text(json.dumps({
        "weights": list(model.weights), "bias": model.bias, "threshold": model.threshold,
        "features": FEATURES, "centre": list(model.centre), "scale": list(model.scale),
        "calibrated_on": source, "answerable": len(answerable), "unanswerable": len(unanswerable),
        "rates": f"out of fold ({FOLDS} folds)",
        "answerable_declined": round(sum(answerable) / len(answerable), 4),
        "unanswerable_declined": round(sum(unanswerable) / len(unanswerable), 4),
        "chunks_fingerprint": fingerprint(model.fitted_on), "chunks": list(model.fitted_on),
        "meaning": list(model.meaning)}, indent=2) + "\n")


def recalibrate(assistant, questions_file: Path, path: Path = CALIBRATION_FILE) -> str:
    """Fit, write the model (and the exemplars beside it), and say what moved: the threshold and the decline
    rates before → after, and how many passages are new since the last fit."""
    before = json.loads(path.read_text()) if path.is_file() else {}
    model, exemplars, samples, out_of_fold = calibrate(assistant, questions_file)
    save(model, samples, out_of_fold, str(questions_file), path)
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


def calibrate(assistant, questions_file: Path) -> tuple[DeclineModel, Exemplars, list[tuple[Evidence, bool]],
                                                       np.ndarray]:
    """Fit the decline model on a labelled question file (see eval/README.md, calibration format)."""
    import yaml

    items = yaml.safe_load(questions_file.read_text())["questions"]
    readings = [assistant.read(item["question"], item.get("history", [])) for item in items]
    exemplars = Exemplars(np.stack([reading.vector for reading in readings]),
                          np.array([bool(item["answerable"]) for item in items]))
    samples = [(replace(reading.evidence, resemblance=exemplars.resemblance(reading.vector, leave_out=i)),
                bool(item["answerable"])) for i, (reading, item) in enumerate(zip(readings, items))]
    model, out_of_fold = fit(samples)
    return replace(model, fitted_on=tuple(sorted(c.id for c in assistant.engine.chunks))), exemplars, samples, out_of_fold
