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
from typing import Literal, get_args

from .decline import DOSE, asks_for_finding, states_quantity
from .stop_words import ENGLISH_STOP_WORDS

Kind = Literal["amount", "time", "who_source", "comparison", "cause", "how_to", "which", "definition", "yes_no",
               "other"]
KINDS: tuple[Kind, ...] = get_args(Kind)

_PATTERNS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple((kind, re.compile(pattern, re.I)) for kind, pattern in (
    ("amount", r"\bhow (many|much|long|often|far|soon|frequently)\b|\bwhat (dose|dosage|amount)\b|"
               r"\b(how many|number of) (times|days|reps|sets|minutes|weeks)\b"),
    # "when should i…", "so when can i run again", "when?" ask for a time; "how can i prevent it when running" and
    # "is it worse when i stop?" only set the scene
    ("time", r"^\W*(\w+ ){0,2}when\b|\bwhen (should|can|could|do|does|did|is|are|will|would|was|were|to|might|"
             r"may|shall)\b|\bwhen\W*$|\bwhat time\b|\b(at night|in the morning|time of day|particular time)\b"),
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
    """The first kind whose words the question uses, in order of how much they constrain the answer.

    >>> kind_of("when should i see a doctor"), kind_of("how can i prevent hip pain when running")
    ('time', 'how_to')
    """
    text = question.lower().replace("’", "'")
    if asks_for_finding(text):
        return "other"  # "what did the study find": a finding, not a source
    for kind, pattern in _PATTERNS:
        if pattern.search(text):
            return kind
    return "other"


_TIME = re.compile(r"\b(when|if|after|before|during|while|until|night|morning|evening|day|first|then|once|sooner|"
                   r"later|start|begin|stop\w*|immediately|right away|early|late|time|ahead of|following|"
                   r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d|(19|20)\d\d)\b", re.I)
_PERSON = re.compile(r"\b(Dr\.|PT|DPT|MD|says|said|physical therapist|surgeon|reviewer|Hinge Health|et al|"
                     r"[A-Z][a-z]+, [A-Z]\.)", re.U)


_ASKS_FREQUENCY = re.compile(r"\bhow (often|frequently)\b|\bhow many times?\b|\bhow many (\w+ )?(days|sessions|runs|workouts)\b.*"
                             r"\b(a|per|each|every) (day|week|month)\b", re.I)
_ASKS_DURATION = re.compile(r"\bhow (long|soon)\b|\b(until|til+) when\b|\bhow many (seconds|minutes|hours|days|weeks|"
                            r"months|years)\b", re.I)
_ASKS_COUNT = re.compile(rf"\bhow (many|much|far)\b|\bwhat (dose|dosage|amount)\b|\b({DOSE})\b", re.I)
_FREQUENCY = re.compile(r"\b(once|twice|daily|weekly|every|times? (a|per|each)|per (day|week|month)|a (day|week))\b", re.I)
_DURATION = re.compile(r"\b(\d+|an?|one|two|three|four|five|six|few|several|couple|short|some|long)\b[\w\s%-]{0,20}?"
                       r"(?<!per )(?<!each )(?<!every )(?<! a )\b(seconds?|secs?|minutes?|mins?|hours?|days?|weeks?|months?|years?"
                       r"|period|while)\b|\b(temporarily|briefly|permanently|forever)\b", re.I)
_NUMBER = r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|dozens?|hundreds?|thousands?)"
_PEOPLE = frozenset({"people", "ppl", "persons", "participants", "runners", "patients", "adults", "women", "men"})
_WHO_TOOK_PART = f"(?:{'|'.join(sorted(_PEOPLE | {'subjects'}))})"  # "how many runners were in…"
# "what percentage of runners get hip pain": a share, which only a percentage answers ("hip pain is very common" does not)
_ASKS_SHARE = re.compile(r"\bwhat (?:percent(?:age)?|proportion|fraction|share)\b|\bhow many percent\b", re.I)
_SHARE = re.compile(r"\d\s*(?:%|percent)", re.I)
# "how many runners were in the MRI study": its size, a count of people, which a share of them ("73% of participants")
# does not give
_ASKS_SAMPLE_SIZE = re.compile(
    rf"\bhow many (?:\w+ ){{0,2}}?{_WHO_TOOK_PART}\s+(?:were|was|are)\s+(?:in|part of|studied|tested|enrolled|included)\b"
    rf"|\bhow many (?:\w+ ){{0,2}}?{_WHO_TOOK_PART}\s+did\s+(?:the |that |this |they |it )?(?:\w+ )?(?:look at|include|test"
    rf"|study|use|follow|recruit|enrol+)\b|\bhow many {_WHO_TOOK_PART}\s+(?:took part|participated)\b"
    r"|\bhow many were (?:in|part of)\b|\bsample size\b|\bhow (?:big|large) was (?:the|that|this) (?:study|trial|research)\b",
    re.I)
_SAMPLE_SIZE = re.compile(rf"{_NUMBER}\s+(?:\w+\s+)?(?:people|participants|runners|adults|patients|subjects|women|men)\b",
                          re.I)
_UNITS = frozenset({"seconds", "minutes", "hours", "days", "weeks", "months", "years", "times", "miles", "km",
                    "kilometers", "percent"})


def answers_amount(question: str, sentence: str) -> bool:
    """Does the sentence give the amount asked for? "How long" wants a duration, "how often" a frequency, and
    "how many reps" a count of reps: "two to three times per week" answers the second, not the others.
    True when the question asks for no amount.

    >>> answers_amount("how long should i hold it", "Try two to three times per week.")
    False
    >>> answers_amount("for how long", "Avoid it, just for a few days, before nudging back.")
    True
    >>> answers_amount("how many sets of squats", "Strength train two to three times per week.")
    False
    >>> answers_amount("how many are in the hip", "Each hip has two major bursae that may become inflamed.")
    True
    >>> answers_amount("how many time in a week i do it", "Start once or twice a week and build up to daily.")
    True
    >>> answers_amount("whats a safe daily dose of ibuprofen", "Pain relievers such as ibuprofen can be helpful.")
    False
    >>> answers_amount("how many runners were in the MRI study", "73% of participants had hip abnormalities.")
    False
    >>> answers_amount("what percentage of runners get hip pain", "Although hip pain is very common, it is treatable.")
    False
    >>> answers_amount("how many marathons has she run", "Training for a 5K (or a marathon!).")
    False
    >>> answers_amount("how many strength sessions a week", "Strength training two to three times per week helps.")
    True
    >>> answers_amount("of those with arthritis on a scan, how many actually have pain", "only 24% of those reported pain")
    True
    """
    if _ASKS_SAMPLE_SIZE.search(question):
        return bool(_SAMPLE_SIZE.search(sentence))
    if _ASKS_SHARE.search(question):
        return bool(_SHARE.search(sentence))
    if _ASKS_FREQUENCY.search(question):
        return bool(_FREQUENCY.search(sentence))
    if _ASKS_DURATION.search(question):
        return bool(_DURATION.search(sentence))
    if not _ASKS_COUNT.search(question):
        return True
    if not states_quantity(sentence):
        return False
    # "how many reps": a count of reps, said of them ("two major bursae"); "how many people": a share answers it;
    # "how many are in the hip": a count of what the conversation is about
    counted = re.search(r"\bhow many (\w+)", question, re.I)  # not "how many actually…" or "…ended up…": no noun
    if counted and counted.group(1).lower() not in _UNITS | _PEOPLE | ENGLISH_STOP_WORDS \
            and not counted.group(1).lower().endswith(("ly", "ed")):
        stem = re.escape(counted.group(1).lower().rstrip("s")[:6])
        return bool(re.search(rf"{_NUMBER}\W+(?:\w+\W+){{0,2}}{stem}", sentence, re.I))
    return True


_AN_AMOUNT_OF = re.compile(r"\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|few|several|couple)\b"
                           r"[\w\s%-]{0,20}?\b(seconds?|minutes?|hours?|days?|weeks?|months?|years?|times?)\b", re.I)


def states_the_amount(question: str, sentence: str) -> bool:
    """Stricter than `answers_amount`: the sentence gives the very amount asked — a frequency for "how often", a
    number of the unit asked for "how many days" or "how long", never a dose — not just a word of time. Read on
    the question in plain words ("a wk" is "a week": query.plain_question).

    >>> states_the_amount("how many days", "Avoid it, just for a few days, before nudging back.")
    True
    >>> states_the_amount("how long do the shots last", "They reduce pain temporarily.")
    False
    >>> states_the_amount("how many days a week", "Strength training two to three times per week helps.")
    True
    >>> states_the_amount("how many weeks", "Avoid it, just for a few days, before nudging back.")
    False
    """
    if kind_of(question) != "amount" or re.search(rf"\b({DOSE})\b", question, re.I):
        return False
    if _ASKS_FREQUENCY.search(question):
        return bool(_FREQUENCY.search(sentence))
    unit = re.search(r"\bhow many (seconds|minutes|hours|days|weeks|months|years|times)\b", question, re.I)
    if unit:
        return any(m.group(2).lower().rstrip("s") == unit.group(1).lower().rstrip("s")
                   for m in _AN_AMOUNT_OF.finditer(sentence))
    if _ASKS_DURATION.search(question):
        return any(m.group(2).lower().rstrip("s") != "time" for m in _AN_AMOUNT_OF.finditer(sentence))
    return False


def fits(kind: Kind, sentence: str) -> bool:
    """Could this sentence be the kind of answer asked for? (Only kinds with a clear marker are checked.)"""
    if kind == "amount":
        return states_quantity(sentence)
    if kind == "time":
        return bool(_TIME.search(sentence))
    if kind == "who_source":
        return bool(_PERSON.search(sentence))
    return True
