"""What kind of answer a question asks for, and whether a sentence is that kind of answer.

A "how long" question is answered by a duration, a "when" question by a time or a situation, a "who"
question by a person: a sentence on the right topic but of the wrong kind is not an answer, and the
composer prefers the kind asked for (and, for amounts, declines rather than answer without one).
Read from the question's own words, so "ok but how long tho" is an amount question whatever came before.

>>> kind_of("how many days a week should i strength train"), kind_of("is ice or heat better")
('amount', 'comparison')
>>> kind_of("ok so whats piriformis syndrome"), kind_of("who reviewed this article")
('definition', 'who_source')
"""

from __future__ import annotations

import re
from typing import Literal

from .decline import states_quantity

Kind = Literal["amount", "time", "who_source", "comparison", "cause", "how_to", "which", "definition", "yes_no",
               "other"]

_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in (
    ("amount", r"\bhow (many|much|long|often|far|soon|frequently)\b|\bwhat (dose|dosage|amount)\b|"
               r"\b(how many|number of) (times|days|reps|sets|minutes|weeks)\b"),
    ("time", r"\bwhen\b|\bwhat time\b|\b(at night|in the morning|time of day|particular time)\b"),
    ("who_source", r"\bwho\b|\b(author|wrote|written|reviewed|reviewer|publish\w*|source|sources|stud(y|ies)|"
                   r"research|reference\w*|cite[sd]?|citation|journal|paper)\b|\bwhat (date|year)\b"),
    ("comparison", r"\b(vs\.?|versus|better|worse|difference|differ|compared?|comparison|or should i|same as|"
                   r"rather than|instead of)\b|\b\w+ or \w+\b.*\?"),
    ("cause", r"\bwhy\b|\bwhat (causes?|caused|makes)\b|\bcauses? of\b|\breason\b|\bhow come\b"),
    ("how_to", r"\bhow (do|should|can|would|to|does one)\b|\bhow i\b|\bwhat (can|should) i do\b|\bsteps?\b|"
               r"\binstructions?\b|\btips?\b"),
    ("which", r"\bwhich\b|\bwhat (are|r) (the|some)\b|\bwhat (kinds?|types?|sorts?|exercises|stretches|"
              r"treatments|remedies|options|signs)\b|\blist\b|\bany (good |other )?(exercises|stretches|"
              r"treatments|remedies|options|moves)\b|\bwhat else\b"),
    ("definition", r"\bwhat(?:'?s| is| are| r)\b(?! (the )?(best|point|deal with)\b)|\bmeaning of\b|\bdefine\b|"
                   r"\bwhat does \w+( \w+)? mean\b"),
    ("yes_no", r"^\W*(is|are|am|do|does|did|can|could|should|shall|will|would|has|have|was|were|isnt|arent|"
               r"dont|doesnt|cant|shouldnt|wont|might|may)\b|\b(is|are|can|should|does|do) (it|that|this|i|they|"
               r"running|ice)\b"),
))


def kind_of(question: str) -> Kind:
    """The first kind whose words the question uses, in order of how much they constrain the answer."""
    text = question.lower().replace("’", "'")
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return "other"


_TIME = re.compile(r"\b(when|if|after|before|during|while|until|night|morning|evening|day|first|then|once|sooner|"
                   r"later|start|begin|stop\w*|immediately|right away|early|late|time|ahead of|following|"
                   r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d|(19|20)\d\d)\b", re.I)
_PERSON = re.compile(r"\b(Dr\.|PT|DPT|MD|says|said|physical therapist|surgeon|reviewer|Hinge Health|et al|"
                     r"[A-Z][a-z]+, [A-Z]\.)", re.U)


def fits(kind: Kind, sentence: str) -> bool:
    """Could this sentence be the kind of answer asked for? (Only kinds with a clear marker are checked.)"""
    if kind == "amount":
        return states_quantity(sentence)
    if kind == "time":
        return bool(_TIME.search(sentence))
    if kind == "who_source":
        return bool(_PERSON.search(sentence))
    return True
