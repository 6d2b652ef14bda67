"""What a follow-up is about: the topic of the conversation so far, re-derived from the user's own turns.

The topic is the latest earlier turn that got an answer: the words retrieval searched on for it and the
passages that answer cited. The server re-derives it by answering the user's earlier turns again (from the
answer cache, mostly), so a client cannot steer it by sending made-up assistant text. A turn that was
declined is skipped: "ok, and how long should i stretch?" after a declined diet question continues the hip
topic before it. When nothing was answered yet, the latest declined turn's words are the topic (with no passages):
"how long?" after a declined "i never warm up, is that bad?" is about warming up, not about nothing.

>>> is_follow_up("which ones?"), is_follow_up("what can i do in the meantime"), is_follow_up("is ice good for bursitis")
(True, True, False)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .query import content_words

MAX_FOLLOW_UP_WORDS = 14

# English's closed classes that point back: pronouns and demonstratives, "the other", "then", "instead",
# "in the meantime", "before/after that", "which of", "such as".
_REFERS_BACK = re.compile(
    r"\b(it|its|it[’']s|that|this|those|these|them|they|their|there|one|ones|other|others|same|either|both|"
    r"meantime|meanwhile|instead|then|else|more|again|too|last|former|latter|"
    r"which of|any of|each of|how so|why so|like what|such as|for example)\b", re.I)
# Openers that continue a conversation but may bring a new subject with them ("what about my diet?").
_CONTINUES = re.compile(r"^\W*(what about|how about|and|also|ok|okay|so|but|or|what if|then)\b|"
                        r"^\W*(how long|how many|how often|how much|for how long|when|where|why|which|what kind|"
                        r"what type)\W*$", re.I)


# Words that never name a subject of their own: a follow-up made of them ("is it worse at any particular
# time?") is about the topic, even when the article never uses the word.
GENERIC = frozenset({
    "particular", "particularly", "meantime", "meanwhile", "exactly", "actually", "really", "basically", "usually",
    "normally", "generally", "specifically", "forever", "ever", "always", "never", "sometimes", "often", "time",
    "times", "kind", "kinds", "sort", "sorts", "type", "types", "way", "ways", "ones", "thing", "things", "stuff",
    "part", "bit", "lot", "lots", "much", "many", "long", "good", "bad", "better", "worse", "best", "worst",
    "okay", "ok", "fine", "normal", "safe", "enough", "need", "needs", "want", "try", "tried", "work", "works",
    "help", "helps", "matter", "matters", "mean", "means", "meaning", "wait", "sure", "tho", "though", "yeah",
    "yes", "nope", "gonna", "wanna", "kinda", "sorta", "anyway", "cool", "thanks", "thank", "example", "instance",
    "year", "date", "feel", "feels", "felt", "feeling", "expect",
    "day", "days", "week", "weeks", "month", "months", "minute", "minutes", "hour", "hours", "later", "daily",
    "weekly",
    # asking why, or for more of what was just said: "why bother", "whats the point", "examples?", "any reason not to"
    "bother", "point", "purpose", "examples", "instances", "takeaway", "gist", "reason", "reasons",
})


_ASKING = frozenset({"tell", "know", "say", "says"})  # "can you tell me…" asks; it names nothing


# "the second one", "the 3rd", "and the last one you said": a place in the list the last answer showed. A bare ordinal
# needs "the" or "one" with it: "my first marathon", "the first time" and "first, how long…" are no place in a list.
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
             "5th": 4, "sixth": 5, "6th": 5, "last": -1, "final": -1}
_PLACE = re.compile(rf"\b(?:the|that|ur|your) ({'|'.join(_ORDINALS)})(?: (?:one|item|thing|option|bullet|point|tip|"
                    r"suggestion))?\b(?! (?:time|times|marathon|race|run|runs|week|weeks|day|days|mile|miles|study|"
                    r"question|sentence|answer|part|paragraph|half))", re.I)


def naming_a_place(question: str, listed: Callable[[], list[str]]) -> str:
    """The question with "the second one" replaced by the second of the things the last answer listed, in order
    (`listed()`, called only when the question names a place, as finding them re-reads the conversation): "how
    long for the 2nd one" after the home remedies is "how long for Apply ice". Unchanged when it names no place, or
    one the list does not have.

    >>> two = lambda: ["Warm-up.", "Cool down."]
    >>> naming_a_place("and the last one you said, why?", two), naming_a_place("how long for the 3rd one", two)
    ('and Cool down you said, why?', 'how long for the 3rd one')
    >>> naming_a_place("is that my first marathon problem", two)
    'is that my first marathon problem'
    >>> naming_a_place("whats the #1 thing then", two)  # the most important, not a place
    'whats the #1 thing then'
    """
    match = _PLACE.search(question)
    if not match:
        return question
    items = listed()
    if len(items) < 2:
        return question
    place = _ORDINALS[match.group(1).lower()]
    if place >= len(items):
        return question
    return question[:match.start()] + items[place].rstrip(".:") + question[match.end():]


def is_follow_up(question: str) -> bool:
    """Short, and pointing back ("is it worse at night?") or without a subject of its own ("for how long?")."""
    if len(question.split()) > MAX_FOLLOW_UP_WORDS:
        return False
    return refers_back(question) or bool(_CONTINUES.search(question.strip())) or not own_subject(question)


def refers_back(question: str) -> bool:
    """Does the question point at something said before ("is IT worse at night?", "which of THOSE")? Then a
    word the article never uses is a detail of the topic, not a new subject."""
    return bool(_REFERS_BACK.search(question))


def own_subject(question: str) -> list[str]:
    """The words that could name what a question is about: content words that are not generic ones."""
    return [w for w in content_words(question) if w not in GENERIC and w not in _ASKING and len(w) > 2]


@dataclass(frozen=True)
class Topic:
    """What the conversation was last about: the query that found it and the passages the answer cited (kept
    only for an elliptical follow-up such as "which ones?", which has no subject of its own)."""

    query: str
    chunk_ids: tuple[str, ...]
