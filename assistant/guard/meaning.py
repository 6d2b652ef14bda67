"""The guard's second layer: a red flag recognised by what a message means, not by the rule table's words.

A logistic regression over three views of each part of a message: its sentence vector (the same
all-MiniLM-L6-v2 vector the answer path computes for that part, so the guard costs no second
embedding), TF-IDF of its words and word pairs, and TF-IDF of character 3-5-grams (which forgive
typos: "acident", "cant wlak"). It is fitted on `eval/guard/train.jsonl` by
`python -m assistant guard fit` and shipped as `meaning_model.npz`; its threshold is set on
out-of-fold scores so that it adds at most about 1 % false alarms to the rules'.

It can only add red flags: `check()` unions its verdict with the rule layer's and never drops one.
The category it reports is that of the nearest labelled red flag, and its tier is that category's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.models import RedFlag

from .rules import RULES
from .typos import TypoFixer

MODEL_FILE = Path(__file__).with_name("meaning_model.npz")
CONTEXT_TURNS = 3  # the last user turns read together, for a red flag that only shows across turns
_NEIGHBOURS = 5
_RULE_BY_CATEGORY = {rule.category: rule for rule in RULES}

Embed = Callable[[str], np.ndarray]


def readings(turns: Sequence[str]) -> list[tuple[int, str]]:
    """What the layer scores, with the turn each comes from: the last few turns together (when there are
    several), then each turn whole and each of its sentences, exactly as the answer path splits a question."""
    from assistant.query import plain_question, question_parts

    texts: list[tuple[int, str]] = []
    if len(turns) > 1:
        texts.append((len(turns) - 1, " ".join(plain_question(t) or t for t in turns[-CONTEXT_TURNS:])))
    for number, turn in enumerate(turns):
        texts.extend((number, part) for part in question_parts(plain_question(turn) or turn))
    return list(dict.fromkeys(texts))


@dataclass(frozen=True)
class MeaningModel:
    """Fitted weights: [sentence vector | word TF-IDF | character TF-IDF] · coef + intercept > threshold fires."""

    word_vocabulary: tuple[str, ...]
    word_idf: np.ndarray
    char_vocabulary: tuple[str, ...]
    char_idf: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    exemplars: np.ndarray  # sentence vectors of the labelled red flags
    exemplar_categories: tuple[str, ...]  # their rule categories
    typo_vocabulary: dict[str, int]  # the red-flag messages' words, for typos.TypoFixer
    meta: dict

    @cached_property
    def fix_typos(self) -> TypoFixer:
        return TypoFixer(self.typo_vocabulary)

    @cached_property
    def _vectorizers(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        words = TfidfVectorizer(**WORD_FEATURES, vocabulary={w: i for i, w in enumerate(self.word_vocabulary)})
        words.idf_ = self.word_idf
        chars = TfidfVectorizer(**CHAR_FEATURES, vocabulary={c: i for i, c in enumerate(self.char_vocabulary)})
        chars.idf_ = self.char_idf
        return words, chars

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Log-odds that each text reports a red flag (higher = more likely)."""
        words, chars = self._vectorizers
        dims = vectors.shape[1]
        n_words = len(self.word_vocabulary)
        dense = vectors @ self.coef[:dims]
        lexical = words.transform(texts) @ self.coef[dims : dims + n_words]
        characters = chars.transform(texts) @ self.coef[dims + n_words :]
        return dense + lexical + characters + self.intercept

    def category(self, vector: np.ndarray) -> str:
        """The category most of the nearest labelled red flags share (similarity-weighted)."""
        similarity = self.exemplars @ vector
        nearest = np.argsort(-similarity)[:_NEIGHBOURS]
        votes: dict[str, float] = {}
        for i in nearest:
            votes[self.exemplar_categories[i]] = votes.get(self.exemplar_categories[i], 0.0) + float(similarity[i])
        return max(votes, key=votes.get)

    def flags(self, turns: Sequence[str], embed: Embed) -> list[RedFlag]:
        """At most one red flag: the reading that scores highest, when it clears the threshold."""
        texts = readings(turns)
        if not texts:
            return []
        vectors = np.stack([embed(text) for _, text in texts])
        scores = self.scores([text for _, text in texts], vectors)
        best = int(np.argmax(scores))
        if scores[best] <= self.threshold:
            return []
        rule = _RULE_BY_CATEGORY[self.category(vectors[best])]
        turn, text = texts[best]
        return [RedFlag(rule.category, rule.tier, rule.reason, text if len(text) <= 120 else text[:117] + "…",
                        turn, layer="meaning")]

    # -- storage ---------------------------------------------------------------------------------
    def save(self, path: Path = MODEL_FILE) -> None:
        np.savez_compressed(
            path, word_vocabulary=np.array(self.word_vocabulary), word_idf=self.word_idf,
            char_vocabulary=np.array(self.char_vocabulary), char_idf=self.char_idf, coef=self.coef,
            intercept=np.array(self.intercept), threshold=np.array(self.threshold),
            exemplars=self.exemplars.astype(np.float16), exemplar_categories=np.array(self.exemplar_categories),
            typo_words=np.array(sorted(self.typo_vocabulary)),
            typo_counts=np.array([self.typo_vocabulary[w] for w in sorted(self.typo_vocabulary)]),
            meta=np.array(json.dumps(self.meta, sort_keys=True)))

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> MeaningModel:
        try:
            data = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            from assistant.errors import ConfigError

            raise ConfigError(f"The guard's meaning model {path} is missing — run `python -m assistant guard fit`."
                              ) from None
        return cls(tuple(data["word_vocabulary"].tolist()), data["word_idf"], tuple(data["char_vocabulary"].tolist()),
                   data["char_idf"], data["coef"], float(data["intercept"]), float(data["threshold"]),
                   data["exemplars"].astype(np.float32), tuple(data["exemplar_categories"].tolist()),
                   dict(zip(data["typo_words"].tolist(), data["typo_counts"].tolist())), json.loads(str(data["meta"])))


WORD_FEATURES = dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True, token_pattern=r"(?u)\b\w+\b")
CHAR_FEATURES = dict(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
