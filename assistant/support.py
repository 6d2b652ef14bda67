"""Does a passage support a sentence? An offline check shared by the answer verifier and the eval.

Exact containment settles verbatim (extractive) sentences. Anything else — an
LLM's paraphrase — needs both (a) every number it states to appear in the
passage and (b) an alignment score at or above a threshold calibrated on the
labelled pairs of `eval/support_pairs.yaml` (`python -m assistant calibrate`).
The score averages the share of the sentence's content words found in the
passage with the best cosine between the sentence and one passage sentence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from . import sentences as splitter
from .lexical import tokenize

CALIBRATION_FILE = Path(__file__).with_name("support_calibration.json")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?%?")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split()).lower()


class SupportCheck:
    def __init__(self, embedder, threshold: float | None = None):
        self.embedder = embedder
        self.threshold = threshold if threshold is not None else load_threshold()

    def score(self, sentence: str, passage: str) -> float:
        """Alignment in [0, 1]; 1.0 for a sentence the passage contains verbatim."""
        if normalise(sentence) in normalise(passage):
            return 1.0
        words = set(tokenize([sentence])[0])
        recall = len(words & set(tokenize([passage])[0])) / len(words) if words else 0.0
        parts = [s.text for s in splitter.split(passage)] or [passage]
        vectors = self.embedder.encode([sentence] + parts)
        cosine = float(np.max(vectors[1:] @ vectors[0]))
        return 0.5 * recall + 0.5 * cosine

    def numbers_match(self, sentence: str, passage: str) -> bool:
        """A number the sentence states must be in the passage: a changed figure is never "supported"."""
        return set(_NUMBER.findall(sentence)) <= set(_NUMBER.findall(passage))

    def supports(self, sentence: str, passage: str) -> bool:
        return self.numbers_match(sentence, passage) and self.score(sentence, passage) >= self.threshold


def load_threshold(path: Path = CALIBRATION_FILE) -> float:
    if not path.exists():
        return 0.75  # used only until `python -m assistant calibrate` has written the calibrated value
    return float(json.loads(path.read_text())["threshold"])


def calibrate(check: SupportCheck, pairs_file: Path) -> dict:
    """Pick the threshold that maximises balanced accuracy on labelled (sentence, passage, supported) pairs."""
    import yaml

    pairs = yaml.safe_load(pairs_file.read_text())["pairs"]
    scored = [(check.score(p["sentence"], p["passage"]), check.numbers_match(p["sentence"], p["passage"]),
               bool(p["supported"])) for p in pairs]
    best = (0.0, 0.0)
    for threshold in sorted({s for s, _, _ in scored}):
        said = [(ok and s >= threshold, label) for s, ok, label in scored]
        tpr = sum(a and b for a, b in said) / max(1, sum(b for _, b in said))
        tnr = sum(not a and not b for a, b in said) / max(1, sum(not b for _, b in said))
        if (tpr + tnr) / 2 > best[0]:
            best = ((tpr + tnr) / 2, threshold)
    return {"threshold": round(best[1], 6), "balanced_accuracy": round(best[0], 4), "pairs": len(pairs),
            "calibrated_on": str(pairs_file)}
