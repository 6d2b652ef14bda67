"""Does a passage support a sentence? One offline check — no LLM, no API key — calibrated on labelled pairs,
shared by the answer verifier (LLM wording must pass it) and the eval (citation recall and precision).

The check, in order:
  1. **Containment.** The sentence, normalised (NFKC, curly quotes made straight, case folded, whitespace
     collapsed), is a substring of the normalised passage → supported. Extractive answers pass here.
  2. **Veto.** A number ("20", "two") or a qualifier ("not", "only", "always", "never", "permanently" …) in
     the sentence that the passage does not have → not supported. These are the classic plausible-but-wrong
     edits: a changed dose, a negated or absolutised fact.
  3. **Alignment.** score = ½ · content-word recall + ½ · max cosine, where the recall is the share of the
     sentence's content words (stop words dropped, Snowball-stemmed — the lexical leg's own tokenizer) found
     in the passage, and the cosine is the best one between the sentence's embedding and the embedding of
     each passage sentence (`engine.embedder.encode`). Supported when score ≥ the calibrated threshold.

The threshold is the one that maximises balanced accuracy on `eval/support_pairs.yaml` (ties: the highest,
reported as the midpoint to the next lower score); `python -m assistant eval --calibrate-support` writes it
with its accuracy to `assistant/support_calibration.json` (package data: every answer reads it). The ½/½ weights
are fixed, not fitted.

>>> normalise("It’s  “Okay”")
'it\\'s "okay"'
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .errors import ConfigError
from .sentences import split
from .settings import ROOT

CALIBRATION_FILE = Path(__file__).with_name("support_calibration.json")
PAIRS_FILE = ROOT / "eval" / "support_pairs.yaml"
LEXICAL_WEIGHT = 0.5
RECENT_VECTORS = 4096  # vectors of texts that are not article sentences, kept least-recently-used
METHOD_VERSION = 1
METHOD = ("containment after normalisation; else veto on a missing number or qualifier; else "
          f"{LEXICAL_WEIGHT:g}·content-word recall + {1 - LEXICAL_WEIGHT:g}·max sentence cosine ≥ threshold")

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "′": "'", "″": '"'})
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000",
                      "once": "once", "twice": "twice"})
_QUALIFIERS = frozenset({"not", "no", "never", "none", "nothing", "nobody", "nor", "without", "only", "always",
                         "all", "every", "must", "permanently", "completely", "entirely"})


def normalise(text: str) -> str:
    """The form both sides are compared in: NFKC, straight quotes, case folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold().split())


def _words(text: str) -> list[str]:
    text = normalise(text).replace("can't", "can not").replace("cannot", "can not").replace("won't", "will not")
    return re.findall(r"[a-z]+|\d+(?:[.,]\d+)*", text.replace("n't", " not"))


def numbers(text: str) -> set[str]:
    """Numbers a sentence states, digits and number words alike ("two" and "2" are the same number)."""
    return {_NUMBER_WORDS.get(w, w) for w in _words(text) if w[0].isdigit() or w in _NUMBER_WORDS}


def qualifiers(text: str) -> set[str]:
    """Negations and absolutes ("not", "only", "always" …) that flip or widen a claim."""
    return {w for w in _words(text) if w in _QUALIFIERS}


def content_terms(text: str) -> set[str]:
    """Stemmed content words, by the lexical leg's own tokenizer (English stop words dropped)."""
    from .lexical import tokenize

    return set(tokenize([text])[0])


@dataclass(frozen=True)
class Alignment:
    """How one sentence lines up with one or more passages; `score` is "higher = better supported"."""

    contained: bool
    recall: float = 0.0
    cosine: float = 0.0
    missing: tuple[str, ...] = ()  # numbers / qualifiers the sentence has and the passages lack

    @property
    def score(self) -> float:
        if self.contained:
            return 1.0
        if self.missing:
            return 0.0
        return LEXICAL_WEIGHT * self.recall + (1 - LEXICAL_WEIGHT) * self.cosine


class SupportChecker:
    """`supports(sentence, passages)`: is the sentence backed by these passages taken together?

    `embedder` is anything with `encode(list[str]) -> np.ndarray` of L2-normalised rows (the product's
    `Embedder`). Each text is encoded alone and cached, so a result never depends on batch composition.
    """

    def __init__(self, embedder: Any, threshold: float):
        self.embedder = embedder
        self.threshold = threshold
        self._vectors: dict[str, np.ndarray] = {}
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._sentences: dict[str, tuple[str, ...]] = {}

    def know_passage(self, passage: str, sentences: Sequence[str], vectors: Sequence[np.ndarray]) -> None:
        """Use a passage's known sentences and their vectors (the index's own, for article passages)."""
        self._sentences[passage] = tuple(sentences)
        for text, vector in zip(sentences, vectors, strict=True):
            self._vectors.setdefault(text, np.asarray(vector, dtype=np.float32))

    def vector(self, text: str) -> np.ndarray:
        """The article's sentences stay known; other texts (an LLM's sentences) go through a bounded LRU."""
        if text in self._vectors:
            return self._vectors[text]
        if text not in self._recent:
            self._recent[text] = np.asarray(self.embedder.encode([text])[0], dtype=np.float32)
            while len(self._recent) > RECENT_VECTORS:
                self._recent.popitem(last=False)
        self._recent.move_to_end(text)
        return self._recent[text]

    def pieces(self, passage: str) -> tuple[str, ...]:
        """The passage's sentences: known ones for article passages, else the product's sentence splitter."""
        if passage not in self._sentences:
            self._sentences[passage] = tuple(s.text for s in split(passage)) or (passage,)
        return self._sentences[passage]

    def align(self, sentence: str, passages: Sequence[str]) -> Alignment:
        passages = [p for p in passages if p]
        if not passages or not sentence.strip():
            return Alignment(False)
        if normalise(sentence) in normalise("\n".join(passages)):
            return Alignment(True, 1.0, 1.0)
        joined = " ".join(passages)
        missing = sorted((numbers(sentence) - numbers(joined)) | (qualifiers(sentence) - qualifiers(joined)))
        terms = content_terms(sentence)
        recall = len(terms & content_terms(joined)) / len(terms) if terms else 0.0
        pieces = [piece for p in passages for piece in self.pieces(p)]
        target = self.vector(sentence)
        cosine = max(float(self.vector(piece) @ target) for piece in pieces)
        return Alignment(False, recall, cosine, tuple(missing))

    def supports(self, sentence: str, passages: Sequence[str]) -> bool:
        alignment = self.align(sentence, passages)
        return alignment.contained or (not alignment.missing and alignment.score >= self.threshold)


# -- calibration --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SupportPair:
    sentence: str
    passage: str
    supported: bool


@dataclass(frozen=True)
class Calibration:
    threshold: float
    balanced_accuracy: float
    accuracy: float
    true_positive_rate: float
    true_negative_rate: float
    leave_one_out_balanced_accuracy: float
    pairs: int
    supported: int
    unsupported: int
    calibrated_on: str
    pairs_sha256: str
    embedding_model: str
    method: str = METHOD
    method_version: int = METHOD_VERSION
    lexical_weight: float = LEXICAL_WEIGHT
    misclassified: tuple[dict, ...] = ()


def load_pairs(path: Path | str = PAIRS_FILE) -> tuple[SupportPair, ...]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"The support pairs file {path} does not exist — the default is eval/support_pairs.yaml.")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("pairs"), list):
        raise ConfigError(f"{path}: expected `version: 1` and a list `pairs` (see eval/README.md, "
                            f"“support_pairs.yaml”).")
    pairs, problems = [], []
    for i, raw in enumerate(data["pairs"], start=1):
        if not isinstance(raw, dict):
            problems.append(f"pair #{i}: must be a mapping with sentence, passage and supported.")
            continue
        for field, kind in (("sentence", str), ("passage", str), ("supported", bool)):
            if not isinstance(raw.get(field), kind):
                problems.append(f"pair #{i}, field '{field}': must be a {kind.__name__}; got {raw.get(field)!r:.60}.")
        if not any(p.startswith(f"pair #{i}") for p in problems):
            pairs.append(SupportPair(raw["sentence"], raw["passage"], raw["supported"]))
    if problems:
        raise ConfigError(f"{path} has {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    if len({p.supported for p in pairs}) < 2:
        raise ConfigError(f"{path}: calibration needs both supported and unsupported pairs.")
    return tuple(pairs)


def balanced_accuracy(predicted: Sequence[bool], labels: Sequence[bool]) -> float:
    positives = sum(labels)
    negatives = len(labels) - positives
    tp = sum(p and y for p, y in zip(predicted, labels))
    tn = sum(not p and not y for p, y in zip(predicted, labels))
    return (tp / positives + tn / negatives) / 2


def pick_threshold(scores: Sequence[float], labels: Sequence[bool]) -> tuple[float, float]:
    """The threshold (supported when score ≥ it) with the best balanced accuracy; ties go to the strictest.

    It is reported as the midpoint between the chosen score and the next lower one, which classifies the
    pairs identically and leaves a margin on both sides.
    """
    distinct = sorted(set(scores))
    best: tuple[float, int] | None = None
    for i, candidate in enumerate(distinct):
        accuracy = balanced_accuracy([s >= candidate for s in scores], labels)
        if best is None or accuracy >= best[0]:
            best = (accuracy, i)
    accuracy, i = best
    threshold = distinct[i] if i == 0 else (distinct[i] + distinct[i - 1]) / 2
    return threshold, accuracy


def calibrate(pairs: Sequence[SupportPair], embedder: Any, source: str = "eval/support_pairs.yaml",
              sha256: str = "") -> Calibration:
    """Score every labelled pair with the uncalibrated check and pick the threshold."""
    checker = SupportChecker(embedder, threshold=float("nan"))
    scores = [checker.align(p.sentence, [p.passage]).score for p in pairs]
    labels = [p.supported for p in pairs]
    threshold, accuracy = pick_threshold(scores, labels)
    predicted = [s >= threshold for s in scores]
    loo = []
    for i in range(len(pairs)):  # leave-one-out: how well the procedure generalises to an unseen pair
        rest_scores, rest_labels = scores[:i] + scores[i + 1:], labels[:i] + labels[i + 1:]
        loo.append(scores[i] >= pick_threshold(rest_scores, rest_labels)[0])
    positives = sum(labels)
    return Calibration(
        threshold=threshold, balanced_accuracy=accuracy,
        accuracy=sum(p == y for p, y in zip(predicted, labels)) / len(labels),
        true_positive_rate=sum(p and y for p, y in zip(predicted, labels)) / positives,
        true_negative_rate=sum(not p and not y for p, y in zip(predicted, labels)) / (len(labels) - positives),
        leave_one_out_balanced_accuracy=balanced_accuracy(loo, labels),
        pairs=len(pairs), supported=positives, unsupported=len(pairs) - positives, calibrated_on=source,
        pairs_sha256=sha256, embedding_model=str(getattr(embedder, "fingerprint", "unknown")),
        misclassified=tuple({"sentence": p.sentence, "supported": p.supported, "score": round(s, 4)}
                            for p, s, guess in zip(pairs, scores, predicted) if guess != p.supported))


def file_sha256(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def calibrate_file(embedder: Any, pairs_path: Path | str = PAIRS_FILE,
                   out: Path | str = CALIBRATION_FILE) -> Calibration:
    """Calibrate on a pairs file and write the result as JSON (what `eval --calibrate-support` runs)."""
    pairs_path = Path(pairs_path)
    shown = _shown(pairs_path)
    calibration = calibrate(load_pairs(pairs_path), embedder, shown, file_sha256(pairs_path))
    save_calibration(calibration, out)
    return calibration


def save_calibration(calibration: Calibration, path: Path | str = CALIBRATION_FILE) -> None:
    Path(path).write_text(json.dumps(asdict(calibration), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def load_calibration(path: Path | str = CALIBRATION_FILE) -> Calibration:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"The support-check calibration {path} is missing — run "
                            f"`python -m assistant eval --calibrate-support` to write it.")
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("method_version") != METHOD_VERSION:
        raise ConfigError(f"{path} was written for support-check method version {data.get('method_version')}, "
                            f"this eval uses {METHOD_VERSION} — run `python -m assistant eval --calibrate-support`.")
    data["misclassified"] = tuple(data.get("misclassified", ()))
    return Calibration(**data)


def staleness(calibration: Calibration, pairs_path: Path | str = PAIRS_FILE,
              embedder_fingerprint: str | None = None) -> list[str]:
    """Why the committed calibration may no longer fit (changed pairs, another model); empty when current."""
    warnings = []
    pairs_path = Path(pairs_path)
    if pairs_path.is_file() and calibration.pairs_sha256 and file_sha256(pairs_path) != calibration.pairs_sha256:
        warnings.append(f"{_shown(pairs_path)} changed since the support check was calibrated — run "
                        f"`python -m assistant eval --calibrate-support`.")
    if embedder_fingerprint and calibration.embedding_model not in ("unknown", embedder_fingerprint):
        warnings.append(f"The support check was calibrated with {calibration.embedding_model}, the index uses "
                        f"{embedder_fingerprint} — run `python -m assistant eval --calibrate-support`.")
    return warnings


def checker_for(embedder: Any, calibration: Calibration) -> SupportChecker:
    return SupportChecker(embedder, calibration.threshold)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


SupportFn = Callable[[str, Sequence[str]], bool]
