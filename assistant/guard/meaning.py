"""The guard's second layer: a red flag recognised by what a message means, not by the rule table's words.

A logistic regression over three views of each part of a message: its sentence vector (the same
all-MiniLM-L6-v2 vector the answer path computes for that part, so the guard costs no second
embedding), TF-IDF of its words and word pairs, and TF-IDF of character 3-5-grams (which forgive
typos: "acident", "cant wlak"). It is fitted on `eval/guard/train.jsonl` by
`python -m assistant guard fit` and shipped as `meaning_model.npz`; its threshold is set on
out-of-fold scores so that it adds at most about 1 % false alarms to the rules'.

It is a safety net under the rule table: `check()` asks it only when the rules are quiet, so it can
add a red flag and never drop or change one. The category it reports is that of the nearest labelled
red flags, and its tier is that category's rule's. It does not escalate a sign the article itself
explains as common (`rules.BENIGN_SIGNS`).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.models import RedFlag

from .matching import describes_benign_sign
from .rules import RULES
from .typos import TypoFixer

MODEL_FILE = Path(__file__).with_name("meaning_model.npz")
CONTEXT_TURNS = 3  # the last user turns read together, for a red flag that only shows across turns
_NEIGHBOURS = 5
_RULE_BY_CATEGORY = {rule.category: rule for rule in RULES}

Embed = Callable[[list[str]], np.ndarray]  # texts → their sentence vectors, one row each (ideally cached)


def readings(turns: Sequence[str]) -> list[tuple[int, str]]:
    """What the layer scores, with the turn each comes from: the last few turns together (when there are
    several), then the latest turn's parts: the whole turn and each of its sentences (query.message_parts).

    An earlier turn inside that window is read only together with what the user said after it, so
    "i think i hurt my hip" followed by "actually no, i didnt fall, its just tight" is read as one
    story, not as an alarm on its first half. Turns older than the window are still read alone: a
    red flag said long ago in a chat, and never taken back, keeps firing.
    """
    from assistant.query import message_parts, plain_question

    texts: list[tuple[int, str]] = []
    window = max(0, len(turns) - CONTEXT_TURNS)
    if len(turns) > 1:
        texts.append((len(turns) - 1, " ".join(plain_question(t) or t for t in turns[window:])))
    for number, turn in enumerate(turns):
        if number < window or number == len(turns) - 1:
            texts.extend((number, part) for part in message_parts(plain_question(turn) or turn))
    return list(dict.fromkeys(texts))


_PART = r"(?:hips?|groin|glutes?|butt|hip flexors?|thighs?|it band|legs?)"
# Where on the hip, when it is where the article explains ordinary causes: the front (a tight hip flexor), the outside
# (the IT band, bursitis). Not the back (sciatica) nor the groin (a femoral stress fracture can start there).
_SIDE = r"(?:(?:outer|front|outside|side) (?:(?:part|bit) )?(?:of )?(?:(?:my|the|right|left|ma) )*)"
_ACHE = r"(?:sore|hurts?|hurting|aches?|aching|achy|tight|stiff|painful|tender|niggly|bothering me)"
_SORE = r"(?:sore|achy|stiff|tight)"  # soreness, which an intensifier ("pretty sore") does not make severe
_DAY = r"(?:yesterday|today|tonight|this morning|last night|earlier|(?:on |last |this )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|(?:at |on |this |last )?(?:the )?weekend)"
# The run it followed, as the words-only text reads it ("ran 15k sunday," -> "ran k sunday"): a distance, a kind of
# run or race, and when, and nothing else.
_RUN = (r"(?:i |just |i just )?(?:ran|run|did|done|finished|completed|raced|had|went for)"
        r"(?: (?:a|an|my|the|first|k|km|kms|mi|miles?|milers?|half|full|marathon|long|easy|hard|tempo|trail|hill|hilly|race|"
        r"run|runs|workout|session|intervals|sprints?|parkrun|training))+"
        rf"(?: {_DAY})?(?: (?:and|now|so|but)){{0,2}} ")
# A race ahead, as the words-only text reads it ("i have a 10k race in 3 weeks and" -> "i have a k race in weeks and"):
# its "in 3 weeks" is when the race is, not how long it has hurt.
_RACE_WORD = r"(?:k|km|half|full|marathon|ultra|trail|race)"
_RACE = rf"(?:{_RACE_WORD}|meet)(?: (?:{_RACE_WORD}|meet))*"
_SPAN = r"(?:a |a few |few |two |three |four |five |six |eight |ten )?(?:days?|weeks?|months?)"
_RACE_AHEAD = (r"(?:i have|i ve got|ive got|i got|got|i m training for|im training for|training for|signed up for)"
               rf"(?: (?:a|an|my|first))?(?: {_RACE_WORD})+(?: in {_SPAN})?"
               r"(?: (?:and|but|so|now))? "
               # "my marathon is in 6 weeks and", "race is in a month and", "16 weeks out from my first marathon and"
               rf"|(?:(?:my|the|a|our) )?(?:first )?{_RACE}(?: (?:is|s))? in {_SPAN}(?: (?:and|but|so|now))? "
               rf"|{_SPAN} (?:out )?(?:from|until|till|to|before) (?:(?:my|the|a|our) )?(?:first )?{_RACE}"
               r"(?: (?:and|but|so|now))? ")
# How new the runner is ("new runner, 3 weeks in," -> "new runner weeks in"; "started running 3 months ago, now"):
# how long they have run, not how long it has hurt.
_NEW_RUNNER = (r"(?:(?:(?:i m|im|i am|as) )?(?:a )?(?:new runner|beginner|(?:i )?(?:just )?started running)"
               r"(?: (?:a few |few |a couple of |couple )?(?:days?|weeks?|months?) (?:in|ago))?"
               # "i am running since 3 months and": how long they have run, in a learner's English
               r"|(?:i m|im|i am|i ve been|ive been|i have been) running (?:for|since) (?:a few |few |a couple of |couple )?"
               r"(?:days?|weeks?|months?|years?)(?: now)?)(?: (?:and|now|so|but))* ")
# When it hurts, if it is said: today, after runs, for a few days (not weeks: that is the policy's not_improving).
_WHEN = (rf"(?:{_DAY}|after (?:my |a |the )?(?:long |easy |hard |(?:almost |nearly )?(?:every|each) )?runs?|after running|after my run|the next day|"
         r"the day after|since yesterday|since (?:the |last )?(?:weekend|week|(?:mon|tues|wednes|thurs|fri|satur|sun)day)|"
         r"for (?:a few |a couple of |a couple |couple |two |three )?days|a bit|a little)")
_GREETING = r"(?:(?:hi|hey|hello|hola|yo) (?:there )?)?"
_BARE_ACHE = re.compile(
    rf"{_GREETING}(?:{_RACE_AHEAD}|{_RUN}|{_NEW_RUNNER})?(?:(?:my|the|both|right|left|ma|me) )*{_SIDE}?{_PART}"
    rf"(?: (?:is|are|r|feels?|feeling|been|has been|have been))?"
    rf"(?: (?:just )?(?:has |have )?(?:started|starting|starts|began|begun)(?: to)?)?"  # its onset: "started hurting"
    rf"(?: (?:(?:a bit|a little|a lil|kinda|kind of|bit|slightly|mildly|quite) {_ACHE}|(?:pretty|really|very) {_SORE})"
    rf"| {_ACHE})(?: {_WHEN}){{0,2}}"  # "really sore" after a long run is muscle soreness; "really hurts" is not cleared
    rf"|(?:{_RUN})?(?:a |my )?(?:(?:a bit|a little|kinda|slightly|mildly) )?(?:sore|achy|tight|stiff|painful|tender) {_PART}"
    rf"(?: {_WHEN}){{0,2}}")


def is_bare_ache(text: str) -> bool:
    """Only "my hip is sore" / "hip hurts after runs" / "sore hip", in any case and punctuation, perhaps after the run
    it followed and with when ("ran 15k sunday, hip is sore today", "hip hurts after my runs since last week").

    >>> is_bare_ache("My hip hurts."), is_bare_ache("hip is sore"), is_bare_ache("sore hip after run")
    (True, True, True)
    >>> is_bare_ache("did 8k yesterday and my hip is sore."), is_bare_ache("Ran a half on Sunday, hip aches today")
    (True, True)
    >>> is_bare_ache("my hip started hurting."), is_bare_ache("hip has started to ache after runs")
    (True, True)
    >>> is_bare_ache("my hip started hurting after i fell"), is_bare_ache("my hip started hurting 6 weeks ago")
    (False, False)
    >>> is_bare_ache("i have a 10k race in 3 weeks and my hip started hurting"), is_bare_ache("hip hurts for 3 weeks")
    (True, False)
    >>> is_bare_ache("race is in a month and my hip is sore."), is_bare_ache("my marathon is in 6 weeks and my hip hurts")
    (True, True)
    >>> is_bare_ache("16 weeks out from my first marathon and my hips are sore"), is_bare_ache("race in 3 weeks, hip hurt for 2 weeks")
    (True, False)
    >>> is_bare_ache("did an 18 miler yesterday and my hip is really sore today."), is_bare_ache("hip really hurts")
    (True, False)
    >>> is_bare_ache("new runner, 3 weeks in, and my hip aches after runs.")
    True
    >>> is_bare_ache("started running 3 months ago, now my hip hurts after almost every run")
    True
    >>> is_bare_ache("hola, I am running since 3 months and my hip is very sore after the long runs.")
    True
    >>> is_bare_ache("I am running since 3 months and my hip hurts for 3 weeks")
    False
    >>> is_bare_ache("new runner and my hip has hurt for 3 weeks"), is_bare_ache("new runner, fell, hip hurts")
    (False, False)
    >>> is_bare_ache("my hip hurts so bad"), is_bare_ache("hip still sore after 3 weeks")
    (False, False)
    >>> is_bare_ache("hip hurts at night"), is_bare_ache("had a fall and my hip hurts")
    (False, False)
    >>> is_bare_ache("hip sore for 3 weeks"), is_bare_ache("ran 10k and now my hip hurts every night")
    (False, False)
    >>> is_bare_ache("my hip is sore after my long run yesterday"), is_bare_ache("hip aches after a hard run")
    (True, True)
    >>> is_bare_ache("did a half sunday and now the outside of my right hip aches"), is_bare_ache("front of hip is sore")
    (True, True)
    >>> is_bare_ache("the back of my hip hurts"), is_bare_ache("the front of my hip hurts so bad")
    (False, False)
    """
    return bool(_BARE_ACHE.fullmatch(" ".join(re.findall(r"[a-z]+", text.lower().replace("’", "'")))))


def _asked_after_a_bare_ache(text: str) -> str:
    """A reading that only says the hip is sore and then asks ("did an 18 miler yesterday and my hip is really sore
    today. what can i do at home to feel better") is read as its questions: the ache holds no red flag, and with it
    the whole message scored as one (cannot bear weight, trauma) where neither part alone did. A story beside the ache
    is kept whole ("sf in my shin in college, now 28 and running again. hip feels a bit sore").

    >>> _asked_after_a_bare_ache("Ive got a half marathon in 6 weeks and my hip is sore. should i rest?")
    'should i rest?'
    >>> _asked_after_a_bare_ache("my hip is sore. it went numb last night. should i rest?")
    'my hip is sore. it went numb last night. should i rest?'
    """
    from assistant.query import asks, sentences

    parts = sentences(text)
    aches = [s for s in parts if is_bare_ache(s)]
    asked = [s for s in parts if s not in aches]
    if len(parts) > 1 and aches and asked and all(asks(s) for s in asked):
        return " ".join(asked)
    return text


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
    def _weights(self) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
        """(idf, coefficient) of every word n-gram and character n-gram."""
        dims = len(self.coef) - len(self.word_vocabulary) - len(self.char_vocabulary)
        word_coef = self.coef[dims : dims + len(self.word_vocabulary)]
        char_coef = self.coef[dims + len(self.word_vocabulary) :]
        return ({w: (float(i), float(c)) for w, i, c in zip(self.word_vocabulary, self.word_idf, word_coef)},
                {g: (float(i), float(c)) for g, i, c in zip(self.char_vocabulary, self.char_idf, char_coef)})

    def scores(self, texts: Sequence[str], vectors: np.ndarray) -> np.ndarray:
        """Log-odds that each text reports a red flag (higher = more likely).

        The TF-IDF parts are computed here exactly as scikit-learn's TfidfVectorizer would (sublinear tf,
        l2 norm; tests/test_guard.py checks they agree) but without its per-call overhead: a dot product
        over the n-grams a short text has takes microseconds.
        """
        words, chars = self._weights
        dense = vectors @ self.coef[: vectors.shape[1]]
        lexical = [_tfidf_dot(word_ngrams(t), words) + _tfidf_dot(char_ngrams(t), chars) for t in texts]
        return dense + np.array(lexical) + self.intercept

    def category(self, vector: np.ndarray) -> str:
        """The category most of the nearest labelled red flags share (similarity-weighted)."""
        similarity = self.exemplars @ vector
        nearest = np.argsort(-similarity)[:_NEIGHBOURS]
        votes: dict[str, float] = {}
        for i in nearest:
            votes[self.exemplar_categories[i]] = votes.get(self.exemplar_categories[i], 0.0) + float(similarity[i])
        return max(votes, key=votes.get)

    def flags(self, turns: Sequence[str], embed: Embed) -> list[RedFlag]:
        """At most one red flag: the reading that scores highest, when it clears the threshold. A reading that only
        says the hip is sore ("my hip hurts.", before "any tips?") is the ordinary ache the article is about, and
        the policy's harmless `mild_ache`: it holds nothing to read a red flag in, so it is not scored. Nor is a
        reading that describes a sign the article explains as common (`rules.BENIGN_SIGNS`): "so frustrated, cant run
        like before" read together with the next turn is still the article's frustrated runner."""
        texts = [(turn, text) for turn, text in dict.fromkeys((turn, _asked_after_a_bare_ache(text))
                                                               for turn, text in readings(turns))
                 if not is_bare_ache(text) and not describes_benign_sign(text)]
        if not texts:
            return []
        vectors = embed([text for _, text in texts])  # one encoder call for the message's readings
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


def _tfidf_dot(ngrams: list[str], weights: dict[str, tuple[float, float]]) -> float:
    """coef · tfidf(ngrams), with sublinear tf and the l2 norm over the n-grams in the vocabulary."""
    total = norm = 0.0
    for gram, count in Counter(ngrams).items():
        known = weights.get(gram)
        if known is not None:
            value = (1.0 + math.log(count)) * known[0]
            total += value * known[1]
            norm += value * value
    return total / math.sqrt(norm) if norm else 0.0


_TOKEN = re.compile(r"(?u)\b\w+\b")
_SPACES = re.compile(r"\s\s+")


def word_ngrams(text: str) -> list[str]:
    """Words and word pairs, as WORD_FEATURES has scikit-learn split them."""
    tokens = _TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def char_ngrams(text: str) -> list[str]:
    """Character 3-5-grams within padded words, as CHAR_FEATURES ("char_wb") has scikit-learn split them."""
    grams = []
    for word in _SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        for n in range(3, 6):
            grams.extend(word[i : i + n] for i in range(max(1, len(word) - n + 1)))
            if len(word) <= n:
                break
    return grams


WORD_FEATURES = dict(ngram_range=(1, 2), sublinear_tf=True, lowercase=True, token_pattern=r"(?u)\b\w+\b")
CHAR_FEATURES = dict(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
