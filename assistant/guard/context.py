"""Who and when: is a rule's match a report about the user, or someone they care for, now?

A red flag escalates when it is happening to the user, or to someone they look after, now. It does
not when the words are about:
  - a stranger, or an event the user only watched ("saw a runner wipe out at the race");
  - something that is over ("had a fever last month, fine now", "my hip used to click");
  - a hypothetical ("what should I do if I ever fall on a trail?").
History is the exception: a past stress fracture or a past cancer is a red flag by itself, so rules
that say so (`Rule.history_counts`) ignore "over". The word lists below are the whole of it, so a
reviewer can read what counts. When nothing here applies, the match stands: safety first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from .rules import SADDLE_AREA, UPPER_BODY

Who = Literal["self", "cared_for", "known", "stranger", "thing"]

SELF = frozenset({"i", "im", "ive", "id", "ill", "me", "my", "myself", "mine", "we", "us", "our"})
SUBJECTS = SELF - {"me", "us"}  # "the guy in front of me was limping" is about the guy
CARED_FOR = frozenset({
    "mom", "mum", "mother", "mommy", "mama", "dad", "father", "daddy", "papa", "parent", "parents", "grandma",
    "grandpa", "grandmother", "grandfather", "granny", "gran", "nan", "nana", "nanna", "grandad", "granddad",
    "son", "daughter", "kid", "kids", "child", "children", "baby", "toddler", "boy", "girl", "teen", "teenager",
    "husband", "wife", "hubby", "partner", "boyfriend", "girlfriend", "fiance", "fiancee", "stepson",
    "stepdaughter", "grandson", "granddaughter",
})
PRONOUNS = frozenset({"he", "she", "they", "him", "her", "his", "hes", "shes", "theyre", "them", "their"})
KNOWN = frozenset({
    "friend", "friends", "buddy", "pal", "mate", "teammate", "teammates", "coach", "roommate", "flatmate",
    "housemate", "instructor", "trainer", "colleague", "coworker", "neighbour", "neighbor", "brother",
    "sister", "cousin", "uncle", "aunt", "auntie", "boss", "classmate", "client",
}) | PRONOUNS
STRANGERS = frozenset({
    "someone", "somebody", "anyone", "anybody", "everyone", "guy", "guys", "man", "men", "woman", "women",
    "lady", "dude", "bloke", "runner", "runners", "people", "person", "stranger", "strangers", "player",
    "players", "cyclist", "walker", "competitor", "racer", "others", "someones", "somebodys", "sprinter",
    "athlete", "athletes", "pro", "pros", "footballer", "rider", "skier", "you", "your", "youre", "yours",
    "marathoner", "marathoners", "olympian", "olympians", "celebrity", "celeb", "youtuber", "influencer",
})
PEOPLE = CARED_FOR | KNOWN | STRANGERS
# Not a person at all: "my phone fell", "my motivation fell off", "the video had a clicking sound".
THINGS = frozenset({
    "phone", "watch", "keys", "key", "bottle", "bottles", "gel", "gels", "headphones", "earbuds", "airpods",
    "video", "vid", "vidoe", "clip", "youtube", "tv", "film", "movie", "show", "app", "song", "music", "podcast",
    "motivation", "pace", "mileage", "times", "splits", "temperature", "temp", "tree", "branch", "rock",
    "leaves", "rain", "snow", "brain", "mind", "metronome", "treadmill", "laptop", "bag", "hat", "car",
    "flask", "account", "bank", "wallet", "budget", "savings", "confidence", "ego", "pride", "rankings",
    "midsole", "garmin", "calendar", "schedule", "diary", "earbud", "stroller", "pram", "numbers", "sales", "stocks",
    "shares", "revenue", "profits", "grades", "scores", "ratings", "followers",
})  # not shoes, bike or chair: "in new shoes, now shooting pain…", "slid off his chair" are about a person
WITNESSING = frozenset({"saw", "see", "seen", "seeing", "watched", "watch", "watching", "witnessed", "showed"})

# Something that is over, said after it or in the same clause ("…, she was fine", "it healed in a week").
_OVER = re.compile(
    r"\b(?:(?:im|i am|its|it is|was|were|all|totally|completely|fully|100|feel|feeling|walked off|shes"
    r"|hes|theyre|shes been|hes been|both|everyone|they|we|been|ive been|felt|ive felt|she is|he is|they are) (?:\w+ )?"
    r"(?:fine|ok|okay|good|great|well|healed|recovered|100|healthy|settled)|all better|(?:feel|feeling|felt|much|way|loads|lots) better (?:now|since)"
    r"|(?:fine|ok|okay|good|great|healed|better|gone|normal) (?:\w+ ){0,3}(?:now|since|after|later|today)|long gone"
    r"|(?:its|thats|all) (?:totally |completely |long |all )?gone|(?:fine|ok|okay|normal|good) (?:\w+ ){0,2}for (?:ages|years"
    r"|months|weeks|a while|a long time)"
    r"|(?:that|it|this) was (?:just )?(?:my|a|her|his|our) \w+ (?:typing|joking|messing|on my phone|using my phone)"
    r"|(?:it|that|this) was (?:just |only )?(?:the )?(?:cold|rain|wet|weather|wind|snow|freezing|temperature|temp)\b"
    r"|(?:wasnt|was not|wasn t) me (?:typing|writing|who wrote)"
    r"|i (?:mean|meant) (?:what (?:if|should|would|do)|if|in case|hypothetically)"
    r"|(?:totally|completely|perfectly|back to|all) normal|(?:full|complete) recovery"
    r"|no (?:issues|problems|pain|trouble|symptoms) (?:since|after|now)|(?:walking|running|moving) (?:\w+ )?"
    r"(?:normally|fine|ok|okay) (?:now|again)|sunburn\w*"
    r"|pain ?free|no pain at all|(?:walking|moving|running) normally|(?:totally|completely|rock) solid|nothing since"
    r"|(?:scans?|x ?rays?|xrays?|mri|tests?|bloods?) (?:\w+ )?(?:(?:was|were|came back|all|are) )?(?:clear|normal|fine)"
    r"|(?:already|back) (?:\w+ )?(?:running|walking|playing|racing) (?:around )?(?:again|fine|normally)"
    r"|(?:shes|hes|theyre|im|were|shes been|hes been|is|are) (?:\w+ )?(?:running|walking|racing|training) again|no problems?"
    r"|(?:is|are|was|were|been|got|given) (?:\w+ )?all clear|the all clear|cancer free"
    r"|healed|recovered|cleared (?:right |straight )?up|went away|went (?:totally|completely|fully)|disappeared|go away|gone away|resolved|sorted|fixed|turn(?:s|ed)? out (?:to be|it was|that|my|the|it|i)"
    r"|never (?:came|come) back|settled (?:completely|fully|down)|(?:it|pain|that) settled|over it"
    r"|(?:from|because of|due to) (?:the )?(?:nerves|excitement|adrenaline|cold|heat|hot weather|weather|emotions?"
    r"|a hangover|hangover|menopause"
    r"|a bee sting|an? (?:ice bath|vaccine|booster|jab))|(?:its|it was|was|were|thats) (?:just )?(?:the )?(?:menopause|a bee sting"
    r"|nerves|the flu|covid|a cold|hay ?fever|allergies|a hangover)"
    r"|(?:it|its|that|thats|this|which|they|pain|clicking|popping|catching|limp|limping|numbness|tingling) (?:\w+ )?stopped"
    r"(?! (?:me|us|him|her|them|my|working|moving|responding))"
    r"|(?:hasnt|havent|never) (?:happened|bothered)\w*|wore off|wears off|worn off|stopped (?:when|after|once)"
    r"|(?:(?:it|that|this) (?:was|is)|its|thats) (?:just |only )?(?:a |an |the |from |because )?(?:(?!not |no |never )\w+ ){0,2}"
    r"(?:blister|sting|bite|cramp|bruise|chafing|marks|rash|welt|reaction|allergy)"
    r"|(?:from|because of|due to|cause|cos|coz|bc) (?:of )?(?:a |an |the |my |i )?(?:\w+ )?(?:wasp|bee|insect|bug|mosquito|spider"
    r"|tick|sting|bite|blister|chafing|laced|laces|shoes?|saddle|booster|vaccine|jab|antibiotics|sitting|sat)"
    r"|no (?:more|longer)|(?:off|done with) (?:them|the crutches|crutches)|(?<!get )(?<!gets )(?<!getting )(?<!to be )(?<!go )back (?:running|to normal|to running|racing|playing|training|at it|on the pitch|in action"
    r"|to (?:football|training|sport|work|school))|laughed it off|is done|its done"
    r"|(?:im|i am) not (?:actually )?(?:having|getting|experiencing|feeling) (?:it|that|any|them|this)"
    r"|(?:jogged|walked|ran|shook|brushed) (?:it )?off(?! the)|got (?:straight |right )?back up (?:and|laughing)"
    r"|a thing of the past|nothing (?:is )?wrong (?:now|yet|at the moment|right now|currently)"
    r"|(?:it|that|this) was (?:\w+ ){0,2}(?:years|months|decades|ages) ago)\b"
)
_NEGATED_OVER = re.compile(r"\b(?:not|never|isnt|hasnt|havent|wasnt|didnt|doesnt|dont|wont|cant|no) (?:\w+ )?$"
                           r"|\b(?:says|said|say|insists|insisted|claims|claimed|swears|thinks|reckons|tells me|told me)"
                           r" (?:\w+ ){0,2}$"  # "says he's fine" is what an injured person says, not a recovery
                           r"|\b(?:the )?(?:right|left|other|good) (?:one |side |hip |leg )?(?:is |feels |seems |s )?(?:\w+ )?$")
# ^ "my left hip is a 7/10 when I hop. right is totally fine": the other side is fine, not the symptom over
# A symptom named after a recovery undoes it: "she says she's fine but her hip hurts"; a denied one does not:
# "all better now, my hips never hurt during it" ("it won't stop hurting" is no denial).
_DENIED = re.compile(r"\b(?:not|never|isnt|wasnt|didnt|doesnt|dont|no|without) (?:(?!stop|stopped|quit)\w+ )?$")
_SYMPTOM = re.compile(r"\b(?:hurts?|hurting|sore|aches?|aching|achy|tender|painful|winc\w*|limp\w*|throb\w*"
                      r"|swollen|bruised|cant walk|moving slow\w*)\b")
# Long ago: a season or more back, or a habit that has ended ("used to").
_LONG_AGO = re.compile(
    r"\b(?:(?:years?|months?|decades?|ages) ago|in the (?:19)?[0-9]0s|(?:\d+|a few|a couple of|couple|several|two|three|many) "
    r"(?:years?|yrs|months?|winters?|summers?|seasons?) (?:ago|back)|last (?:year|season|summer|winter|spring|autumn|fall)"
    r"|a while (?:back|ago)|long (?:time )?ago|way back|back in|(?:years|months|decades) back|when (?:i|he|she|they) (?:was|were)"
    r"|as a (?:kid|child|teen|teenager)|in (?:college|high school|school|uni|university)|in (?:19|20)\d\d"
    r"|in (?:my|his|her|their) (?:teens|[1-9]0s|twenties|thirties|forties|fifties)"
    r"|used to)\b"
)
_PRESENT = re.compile(r"\b(?:now|these days|lately|currently|today|tonight|this (?:week|morning|month)|recently)\b")
_RETRACTION = re.compile(r"\b(?:forget|ignore|disregard|never ?mind|nvm|just kidding|jk|scratch that|pretend|lied"
                         r"|joking|kidding)\b")
# It goes on now: these keep a match a report whatever else the sentence says.
# "can I still race?" asks about running; it does not say a symptom goes on.
_STILL = re.compile(r"\b(?:(?<!can i )(?<!could i )(?<!should i )(?<!am i )still(?! (?:ok|okay|fine|good|safe|do|run|race"
                    r"|train|go|be|able|allowed|worth|want|planning|on track|racing|running|training|use)\b)"
                    r"|(?:keeps?|kept) (?:on )?(?:hurting|aching|coming back|getting"
                    r"|happening|clicking|popping|catching|locking|giving|(?<!and kept )(?<!and keeps )going)|getting worse|worse"
                    r"|(?<!feeling )(?<!sensation )came back(?! (?:a |after |within |in )(?:\w+ ){0,2}(?:mins?|minutes|secs?"
                    r"|seconds))|back again|right now|currently)\b")
# Hypotheticals: "what if", "in case", "if I ever", "if someone", "if I were to".
_STRONG_IF = frozenset({"hypothetically", "hypotheticaly", "suppose", "supposing", "imagine", "forbid", "story",
                        "novel", "character", "fictional", "screenplay"})
# Hearsay, not a report: "keep reading that night pain is a warning sign".
_HEARSAY = re.compile(r"\b(?:read|reading|heard|hear|says|say|told|saying) (?:that|online|somewhere)\b"
                      r"|\b(?:they|people|article|it|coach) says?\b(?! (?:i|my|me|im|its|hes|shes))")
# Said of the whole conversation: nothing is happening, the user is preparing ("just planning ahead").
_PLANNING = re.compile(r"\b(?:(?:just |only |im |i am |were )planning ahead|for future refe?rence|future refe?rence"
                       r"|just (?:curious|wondering|asking) (?:for|in) (?:the )?future|before (?:it|anything) happens)\b")
_ASKED_IF = frozenset({"what", "wat", "wut", "asked", "asking", "asks", "wondering", "wonder", "wondered", "ask"})
_IF_GENERIC = frozenset({"someone", "somebody", "anyone", "a", "an", "you", "your", "runners", "people"})
_IF_UNREAL = frozenset({"ever", "were", "got", "started", "ended", "developed", "was", "took", "slipped", "fell",
                        "did", "should", "would", "start", "develop", "couldnt", "could", "needed"})
_FEAR = frozenset({"scared", "afraid", "worried", "worry", "fear", "nervous", "terrified", "paranoid", "avoid",
                   "avoiding", "prevent", "preventing", "risk", "chance", "chances"})
_PAST = frozenset({"had", "felt", "got", "went", "was", "were", "did", "took", "fell", "broke", "woke", "lost"})
# An event still to come, the frame of an "if" question: "racing next month", "asking in advance".
_AHEAD = re.compile(r"\b(?:next (?:week|month|year|weekend|summer|spring|autumn|winter|season|sunday|saturday)|in advance"
                    r"|ahead of time|(?:this|on) (?:coming )?(?:sunday|saturday|weekend)|upcoming|coming up"
                    r"|(?:im|i am) (?:flying|travell?ing|doing|running|racing) (?:\w+ ){0,4}(?:next|in \d+|this (?:sunday|saturday|weekend))"
                    r"|(?:im|i am) (?:flying|travell?ing|heading) (?:out )?to"
                    r"|in (?:\d+|a few|two|three) (?:weeks|months) time)\b")
# It already happens, whenever it does: "what should I do if my hip locks up every time I run?"
_HABIT = re.compile(r"\b(?:every ?(?:time|run|day|night|step|stride|morning|mile)|whenever|each time|always|keeps?|again"
                    r"|happens|still|now|lately|recently|these days|(?:it|this) does)\b")
_SERIOUS = (r"(?:a |an )?(?:bad|warning|danger\w*|serious|worrying|worrisome|concerning|red flag|emergency|reason"
            r"|cause for concern|problem|something serious|worry)")
_IF_SOFT = frozenset({"get", "take", "fall", "have", "end", "go", "do"})  # unreal only in a question


@dataclass(frozen=True)
class Clause:
    """One clause of a turn, as the matcher split it, with the sentence it belongs to."""

    words: tuple[str, ...]
    sentence: int
    asks: bool  # its sentence ends with "?"


_EVENTS = frozenset({"crash", "crashes", "fall", "falls", "collision", "collisions", "accident", "pileup", "pile",
                     "wipeout", "smash", "tumble", "spill"})
_GROUPS = frozenset({"team", "xc", "club", "school", "class", "squad", "group", "gym", "track", "running", "crew"})


def _person(word: str) -> str:
    """The word as a person noun, possessives folded ("dads sciatica" is dad's): '' when it is none."""
    for form in (word, word[:-1] if word.endswith("s") else ""):
        if form in PEOPLE:
            return form
    return ""


def who(clauses: Sequence[Clause], at: int, first: int, last: int) -> Who:
    """Whose symptom: the person named nearest before the match in its sentence; the user when none is."""
    clause = clauses[at]
    matched = clause.words[first:last + 1]
    if SELF.intersection(matched) and not _only_where_it_left_from(matched):  # "a car hit me"
        return "self"
    if matched[0] in CARED_FOR:  # "saw a girl limping": the person is part of the match
        return _cared_for_or_stranger(list(clause.words[:first + 1]), first)
    if {"you", "your", "youre"}.intersection(matched):  # "a hop test if your hip hurts"
        return "stranger"
    before = [w for c in clauses[:at] if c.sentence == clause.sentence for w in c.words] + list(clause.words[:first])
    for i in range(len(before) - 1, -1, -1):
        word = before[i]
        if i + 1 < len(before) and word in ("my", "our") and _person(before[i + 1]):
            continue  # "my son", "my dads": the person named, not the user
        if word in SUBJECTS and not (i + 1 < len(before) and before[i + 1] in _GROUPS and i
                                     and _person(before[i - 1] if before[i - 1] not in ("in", "at", "on", "from") else before[max(0, i - 2)])):
            return "self"  # but "a guy in my club had…" is the guy's
        if word not in PEOPLE and _person(word):
            following = before[i + 1] if i + 1 < len(before) else ""
            if following in _GROUPS or _person(following):
                continue  # "a girl on my daughters xc team": the team's girl, not the daughter
            word = _person(word)  # "my dads sciatica" is the dad's
        if word == "partner" and i and before[i - 1] in ("training", "running", "workout", "gym", "race", "business"):
            return "known"
        if word in THINGS:
            return "thing"
        if (word in WITNESSING and matched[-1] in _EVENTS and i + 3 >= len(before)
                and not {"me", "us"}.intersection(clause.words[last + 1 : last + 4])
                and not re.search(r"\b(?:into|hit|hitting) (?:my|our)\b", " ".join(clause.words[last + 1 : last + 5]))):
            return "stranger"  # "witnessed a bike crash on my commute": an event the user watched; not "…crash into me"
        if word in CARED_FOR:
            person = _cared_for_or_stranger(before, i)
            if person == "stranger" and _COACH.search(_everything_said(clauses)):
                return "cared_for"  # "coach of a U12 club. one of the kids has had a limp": the coach's athlete
            return person
        if word in KNOWN:
            if word in PRONOUNS:  # "one of them fell": the group named just before, in the same clause
                return _antecedent(clauses, at, before[:i] if i and before[i - 1] == "of" else ())
            return "known"
        if word in STRANGERS:
            if {"my", "our"}.intersection(before[max(0, i - 3) : i]):
                return "cared_for"  # a coach's "one of my college runners"
            if (i + 1 < len(before) and before[i + 1] == "here") or before[max(0, i - 2) : i] in (["im", "a"], ["am", "a"]):
                return "self"  # "71 yr old runner here, fell on the ice", "im a runner with no period": the user
            if _COACH.search(_everything_said(clauses)):
                return "cared_for"  # "coach here. a runner went down hard": the coach's athlete
            return "stranger"
    return "self"


_FAMILY = CARED_FOR | {"brother", "sister", "cousin", "uncle", "aunt", "auntie"}
_COACH = re.compile(r"\b(?:coach here|(?:im|i am) (?:a |the |their |her |his )?(?:\w+ )?coach|i coach|as (?:a|their|her|his) coach"
                    r"|coach(?:ing)? (?:of|for) (?:a|an|the|my|our)|(?:i|we) (?:run|help (?:run|with|out with)|volunteer"
                    r" (?:at|with|for)) (?:a |an |the |my |our )?(?:\w+ ){0,2}(?:club|team|squad|group|class))\b")
_LEFT_FROM = frozenset({"off", "from", "of"})  # "fell off my wrist", "fell out of my pocket", "slipped from my hand"


def _only_where_it_left_from(matched: Sequence[str]) -> bool:
    """The user is in the match only as the place something came off ("my garmin fell off my wrist"): whose it
    is, is then decided by the subject before it. "fell on my hip" and "a car hit me" stay the user's."""
    at = [i for i, word in enumerate(matched) if word in SELF]
    return all(i and matched[i - 1] in _LEFT_FROM for i in at)


def _cared_for_or_stranger(words: Sequence[str], i: int) -> Who:
    """"my son", "11 yo boy", "dad (80)" are the user's to look after; "a kid", "the little girl" are not, and
    "my neighbour's son" is someone else's."""
    articles = {"a", "an", "the", "some", "that", "this", "another", "one", "other", "their", "his", "her", "someones"}
    j = i - 1 if i and _person(words[i - 1]) else i - 2  # "my friend's son", "my friend's little boy"
    owner = _person(words[j]) if j >= 0 and (words[j] not in PEOPLE or words[j].endswith("s")) else ""
    if owner and (owner not in _FAMILY or "my" not in words[max(0, j - 1) : j]):
        return "known"  # "my neighbour's son", "a friend's daughter"; but "my sister's boy" is family
    return "stranger" if articles.intersection(words[max(0, i - 2) : i]) else "cared_for"


def _antecedent(clauses: Sequence[Clause], at: int, said_before: Sequence[str] = ()) -> Who:
    """Whom "he / she / they" points back to: the nearest person named earlier in the turn; for "one of them",
    the group named before it in its own clause first ("watched the women's race and one of them fell")."""
    for words in (tuple(said_before), *(c.words for c in reversed(clauses[:at]))):
        for i in range(len(words) - 1, -1, -1):
            word = _person(words[i]) or words[i]
            if word in CARED_FOR:
                return _cared_for_or_stranger(words, i)
            if word in STRANGERS:
                return "stranger"
            if word in KNOWN - PRONOUNS:
                return "known"
    return "cared_for"  # named in an earlier turn ("my dad is 60…" / "he beat prostate cancer"): someone they ask for


def is_over(clauses: Sequence[Clause], at: int, first: int, last: int) -> bool:
    """The match is about something that has ended: long ago, or said to be over in this clause or after it
    (later turns included). A retraction ("forget what I said, I'm fine now") is not taken as a recovery."""
    if any(_RETRACTION.search(" ".join(c.words)) for c in clauses):
        return False
    clause = clauses[at]
    sentence = [c for c in clauses if c.sentence == clause.sentence]
    sentence_text = " ".join(" ".join(c.words) for c in sentence)
    if _said(_STILL, " ".join(clause.words)):
        return False
    after = " ".join(clause.words[last + 1 :] + tuple(w for c in sentence if clauses.index(c) > at for w in c.words))
    if (_LONG_AGO.search(sentence_text) and not _said(_STILL, sentence_text) and not _SYMPTOM.search(after)
            and not _PRESENT.search(" ".join(clause.words))):  # "cancer years ago and now hip pain at night"
        return True
    over = False
    signs = [w for w in clause.words[first : last + 1] if len(w) > 3 and w not in SELF | PEOPLE]
    for i, (words, asks) in enumerate([(clause.words[last + 1 :], clause.asks)]
                                      + [(c.words, c.asks) for c in clauses[at + 1 :]]):
        text = " ".join(words)
        if i and clauses[at + i].sentence < 0 and any(w in signs and _DENIED.search(" ".join(words[:j]) + " ")
                                                      for j, w in enumerate(words)):
            over = True  # a later turn takes the word back: "my hip feels numb | sorry, wrong word, not numb at all"
            continue
        if i and (_said(_STILL, text) or (over and _said(_SYMPTOM, text, _DENIED))):  # "…went away, but now it hurts"
            over = False
        if _ends(_NORMAL_AFTER.sub(" ", text) if asks else text):
            over = True
    return over


def _ends(text: str) -> bool:
    """`text` says something is over, and names no symptom after saying so ("my hip, which was totally fine, is
    aching" is not over)."""
    return any(not _NEGATED_OVER.search(text[: found.start()]) and not _said(_SYMPTOM, text[found.end() :], _DENIED)
               and not _BEFORE_ONSET.match(text, found.end()) for found in _OVER.finditer(text))


# "he was fine yesterday": how things were before it started, not a recovery.
_BEFORE_ONSET = re.compile(r" (?:\w+ )?(?:yesterday|this morning|last night|earlier|until|till|before (?:that|this|the)"
                           r"|at first|at the start|an hour ago|this time yesterday)\b")


# "Normal after a long flight?" asks whether something is normal; "it was fine after a week" says it was.
_NORMAL_AFTER = re.compile(r"\b(?:fine|ok|okay|good|great|better|normal) (?:\w+ ){0,3}after\b")


def _said(pattern: re.Pattern, text: str, negated: re.Pattern = _NEGATED_OVER) -> bool:
    """`pattern` occurs in `text` and is not negated ("hasn't healed", "never came back")."""
    return any(not negated.search(text[: found.start()]) for found in pattern.finditer(text))


def is_hypothetical(clauses: Sequence[Clause], at: int, first: int, last: int | None = None) -> bool:
    """The match sits in a hypothetical: "what if", "in case", "if I ever", "if someone", "suppose", or a fear
    of it ("scared of falling on the ice")."""
    clause = clauses[at]
    if clause.words[first].endswith("ing") and _FEAR.intersection(clause.words[max(0, first - 3) : first]):
        return True  # "scared of falling on the ice"
    last = first if last is None else last
    if any(w in _EVENTS and _FEAR.intersection(clause.words[max(0, first, i - 2) : i])
           for i, w in enumerate(clause.words[first : last + 1], first)):
        return True  # "how do I avoid falls on trails"
    earlier = [w for c in clauses[:at] for w in c.words]
    if _STRONG_IF.intersection(earlier + list(clause.words[:first])):  # "hypothetically: fever + hip pain"
        return True
    before = [w for c in clauses[:at] if c.sentence == clause.sentence for w in c.words] + list(clause.words[:first])
    sentence = _sentence(clauses, at)
    conditional = {"if", "would", "could"}.intersection(sentence)  # "would a fever be bad… for future reference"
    if re.search(r"\bin ?case\b", " ".join(before)) or _HEARSAY.search(" ".join(before)) or (
            conditional and _PLANNING.search(_everything_said(clauses))):
        return True
    after_match = sentence[sentence.index(clause.words[first]) + 1 :] if clause.words[first] in sentence else []
    if "would" in sentence and "if" in after_match and (
            "ever" in after_match[after_match.index("if") :] or after_match[-3:] in (["if", "it", "happened"],
                                                                                     ["if", "that", "happened"])):
        return True  # "would numbness down my leg be bad if it (ever) happened?"
    if (re.match(r"(?:\w+ )?would\b", " ".join(sentence)) and re.search(rf"\bbe (?:\w+ )?{_SERIOUS}\b", " ".join(after_match))
            and not ADMITS.search(" ".join(w for c in clauses[at + 1 :] for w in c.words))
            and not _PRESENT.search(" ".join(sentence))):
        return True  # "would numbness in my leg be a bad sign?": asked before anything happens
    if sentence[:2] in (["say", "i"], ["say", "my"], ["say", "someone"], ["lets", "say"]):
        return True  # "say i tripped on a trail, then what"
    for i in range(len(before) - 1, -1, -1):
        if before[i] not in ("if", "whether"):
            continue
        after = before[i + 1 : i + 4] + list(clause.words[first : first + 2])
        if (i and before[i - 1] in _ASKED_IF) or (after and after[0] in _IF_GENERIC):
            return True
        clause_if = before[i + 1 :] + list(clause.words[first : first + 4])  # "if my hip pain ever went down…"
        if "would" in before[:i] or _IF_UNREAL.intersection(clause_if):
            return True
        if "would" in sentence[sentence.index("if") + 1 :] if "if" in sentence else False:
            if any(w.endswith("ed") or w in _PAST for w in clause_if):  # "if my calf puffed up…, how would I tell"
                return True
        asks = clause.asks or bool({"should", "whats", "what", "does", "how"}.intersection(sentence))
        if (asks and len(before) - i <= 4 and _AHEAD.search(_everything_said(clauses))
                and not _HABIT.search(" ".join(sentence))):
            return True  # "flying to Tokyo next month: if my calf swelled up after the flight, what should I do?" (the
            # match is what "if" supposes, not what follows from it: "if I run 5k my leg goes numb" happens)
        if asks and after and after[0] not in SELF and not _person(after[0]) and SELF.isdisjoint(sentence):
            return True  # "if hip pain goes down the leg, does that mean…": a general question
        return bool(_IF_UNREAL.intersection(after[:3]) or (asks and _IF_SOFT.intersection(after[:3])))
    return False


# Everyday causes of a non-specific sign. Numbness or tingling from the cold, ice, a tight lace or sitting cross-legged;
# chills from rain or wet kit; sweats from the heating; a fever from strep "and my hips are fine". A sign with its
# cause named is not a report, unless it lasts ("for 3 weeks", "every run") or, for an illness elsewhere, the hip
# hurts too ("the flu and sudden hip pain" is a red flag).
_SENSORY = re.compile(r"numb\w*|tingl\w*|dead|fuzzy|asleep|pins")
_NERVE = re.compile(r"shoot\w*|radiat\w*|electric\w*|zing\w*|zap\w*|stabbing")  # only the body part can clear it

_CHILLS = re.compile(r"chills|chilly|shiver\w*")
_SWEATS = re.compile(r"sweat\w*")
_FEVER = re.compile(r"fe?ve?r\w*|temp\w*|febrile")
_COLD = (r"cold(?! (?:virus|bug|sore))|freezing|frozen|frost\w*|winter|snow\w*|wind\w*|degrees|minus \d+|icy"
         r"|ice ?(?:pack|bath)s?|iced|icing|ice(?! skating)")
_PRESSURE = (r"menthol|rub|cream|balm|deep heat|tiger balm|lotion|laces?|laced|lacing|waistband|belt"
             r"|(?:tight|new|too small) (?:\w+ )?(?:shoes|trainers|leggings|trousers|jeans|socks|compression \w+|boots)"
             r"|cross ?legged|kneel\w*|knelt|sat on|sitting on|saddle|bike seat|spin (?:bike|class)|on the (?:bike|toilet|loo)"
             r"|an(?:a)?esthetic|injection|dentist|numbing|massage gun")
_WEATHER = r"rain\w*|wet|soaked|drenched|soggy|damp|standing around|stood around|waiting around"
_HEAT = (r"heating|heater|radiator|aircon|air con|ac broke|heat ?wave|hot (?:night|room|weather|flat|house|bedroom)"
         r"|humid\w*|duvet|blanket|menopaus\w*|perimenopaus\w*|hot flush\w*|hot flash\w*|hangover|spicy"
         r"|(?:[2-4]\d|thirty|forty) degrees|heat|boiling|sweltering|scorching|(?:so|really|too|crazy) hot"
         r"|hrt|hormone \w+|the pill|antidepressants?|medication|meds")
_ILLNESS = (r"strep|covid|the flu|flu|(?:a|their|his|her|the|my|our) cold|head cold|sore throat|tonsil\w*|ear infection|chest infection|uti"
            r"|vaccin\w*|jab|booster|sinus\w*|stomach bug|tummy bug|a bug|virus|food poisoning|teething|chickenpox")
_CAUSES = {  # the sign's family -> what explains it
    "sensory": re.compile(rf"\b(?:{_COLD}|{_PRESSURE})\b"),
    "chills": re.compile(rf"\b(?:{_COLD}|{_WEATHER}|{_ILLNESS})\b"),
    "sweats": re.compile(rf"\b(?:{_HEAT}|{_ILLNESS})\b"),
    "fever": re.compile(rf"\b(?:{_ILLNESS})\b"),
}
_UNRELATED = re.compile(r"\b(?:(?:hips?|hip s|legs?) (?:is |are |feel |feels |seem |seems |themselves )?(?:totally |completely "
                        r"|all |perfectly |actually )?(?:fine|ok|okay|good|great)|no (?:hip|leg)(?: or (?:hip|leg))? (?:problems?|pain|issues?"
                        r"|symptoms?|trouble)|nothing to do with (?:running|my hips?|the hip|my legs?)|unrelated"
                        r"|nothing (?:wrong |going on )?with (?:my )?(?:hips?|legs?)"
                        r"|not (?:hip|running) related)\b")
_SADDLE = re.compile(rf"\b(?:{SADDLE_AREA}|bladder|bowel|pee|wee|toilet)\b")  # the rule table's saddle area
_HIP = frozenset({"hip", "hips", "groin", "leg", "legs", "thigh", "thighs", "knee", "butt", "glute", "glutes", "joint"})
_UPPER_BODY = frozenset(UPPER_BODY) | {"lip", "cheek", "fingertips", "thumb", "thumbs", "tongue", "tooth", "teeth", "jaw",
                                       "shoulder", "shoulders", "elbow", "elbows", "wrist", "wrists", "gums",
                                       "knuckle", "knuckles", "forearm", "forearms", "eye", "eyes", "eyelid"}
_LEG = _HIP | {"foot", "feet", "toe", "toes", "calf", "calves", "shin", "shins", "ankle", "ankles", "heel", "heels",
               "hamstring", "hamstrings", "bum", "buttock", "buttocks", "bottom", "back", "sole", "soles", "side"}
_AS_IF = frozenset({"like", "if", "though", "similar", "kinda", "kind"})  # "numb like after the dentist"
_NOT_CAUSE = frozenset({"without", "even", "no", "not", "never", "loose", "loosened"})  # "even with loose laces"
_CAUSAL = frozenset({"from", "because", "cause", "cos", "coz", "bc", "due", "in", "on", "when", "whenever", "after", "around",
                     "while", "sitting", "kneeling", "wearing", "since", "starting", "started",
                     "was", "its", "with", "by", "during", "at", "thanks", "of"})
_LASTS = re.compile(r"\b(?:for (?:\d+|a few|a couple of|couple of|several|two|three|four|many) (?:days|weeks|months)"
                    r"|every (?:run|day|night|time i run)|all (?:day|night|week)|constant\w*|(?:wont|doesnt|isnt) go\w*"
                    r"|on (?:every|all) (?:my )?runs|during (?:my |every |each )?runs?|since (?:my|the) (?:fall|crash))\b")


# A local sign (swelling, redness, a click) with a skin or outside cause: a sting, a bite, a rash, chafing, a punch.
_LOCAL = re.compile(r"swell\w*|swollen|puff\w*|red|redness|hot|warm|click\w*|popp?\w*|crack\w*|clunk\w*|lock\w*")
_LOCAL_CAUSE = re.compile(r"(?:stung|sting\w*|bite|bitten|bit|wasp|bee|hornet|mosquito|insect|bug bite|spider|rash|hives"
                          r"|chaf\w*|rubb\w*|rubbed|blister\w*|sunburn\w*|punch\w*|boxing|eczema|allerg\w*|splinter|graze"
                          r"|scratch\w*|cut)")
_UNSURE = frozenset({"thought", "thinking", "assumed", "figured", "maybe", "might", "unsure", "sure", "first"})


def _family(words: Sequence[str]) -> str:
    """Which non-specific sign the matched words name: "sensory", "chills", "sweats", "fever", "nerve" (a shooting
    pain), or "" (a specific one)."""
    for family, pattern in (("sensory", _SENSORY), ("sweats", _SWEATS), ("chills", _CHILLS), ("fever", _FEVER),
                            ("nerve", _NERVE), ("local", _LOCAL)):
        if any(pattern.fullmatch(word) for word in words):
            return family
    return ""


def is_explained(clauses: Sequence[Clause], at: int, first: int, last: int) -> bool:
    """The match is a non-specific sign whose everyday cause the user names: before it in its sentence, after it
    with a "from / because / in / when…" in between, or in a later turn; or one the user calls unrelated to the hip
    in any turn; or numbness of the face or hands only."""
    clause = clauses[at]
    family = _family(clause.words[first : last + 1])
    sentence = _sentence(clauses, at)
    if not family or _SADDLE.search(" ".join(sentence)):  # saddle numbness is never explained away
        return False
    later = _later_turns(clauses, at)
    hip_hurts = any(_said(_SYMPTOM, " ".join(c.words), _DENIED) and _HIP.intersection(c.words)  # not a sore throat
                    for c in clauses)
    body = [w for i, w in enumerate(sentence) if not (w == "back" and sentence[i + 1 : i + 2] in (["tooth"], ["teeth"]))]
    if family in ("sensory", "nerve") and _UPPER_BODY.intersection(body) and not _LEG.intersection(body):
        return True  # "ears and nose went numb at -10", "a shooting pain in a back tooth": not a leg sign at all
    if _LASTS.search(" ".join(sentence)) or _said(_STILL, " ".join(sentence)):
        return False
    if family == "local":  # only a skin or outside cause clears it, never "hips are fine": a hot calf is a clot sign
        if _UNSURE.intersection(sentence + later.split()):
            return False
        if _UPPER_BODY.intersection(body) and (_UNRELATED.search(" ".join(sentence)) or not _LEG.intersection(body)):
            return True  # "clicking in my jaw when I eat, not hip related", "a red hot swollen finger"
        start = next(i for i, c in enumerate(clauses) if c.sentence == clause.sentence)
        offset = sum(len(c.words) for c in clauses[start:at]) + first
        before, after = sentence[:offset], sentence[offset + last - first + 1 :]
        return any(_local_causes(words, linked) for words, linked in ((before[-8:], False), (after[:8], True),
                                                                       (later.split(), False)))
    if family == "nerve":  # only the body part can clear a shooting pain: "in my back teeth… nothing to do with my legs"
        return bool(_UPPER_BODY.intersection(body)) and bool(_UNRELATED.search(" ".join(sentence)))
    if _UNRELATED.search(_everything_said(clauses)) and not (family == "fever" and hip_hurts):
        return True
    start = next(i for i, c in enumerate(clauses) if c.sentence == clause.sentence)
    offset = sum(len(c.words) for c in clauses[start:at]) + first
    before, after = sentence[:offset], sentence[offset + last - first + 1 :]
    cause = _CAUSES[family]
    causes = [m.group() for m in (*_causes(cause, before), *_causes(cause, after, linked=True),
                                  *_causes(cause, later.split()), *_causes(cause, _earlier_turns(clauses, at)))]
    if family == "fever" or all(re.fullmatch(_ILLNESS, c) for c in causes):  # an illness, and the hip in the story
        return bool(causes) and not any(_HIP.intersection(c.words) for c in clauses)
    return bool(causes)


_DENIES = frozenset({"no", "not", "never", "without", "isnt", "wasnt", "nothing", "any", "dont", "didnt"})
_LOCAL_CAUSAL = _CAUSAL | {"where"}  # "red where my waist pack rubbed"


def _local_causes(words: list[str], linked: bool) -> bool:
    """A skin or outside cause named in `words`, not denied ("no bite or sting") and not somewhere else on the body
    ("a bee sting on my arm")."""
    for i in range(len(words)):
        if not _LOCAL_CAUSE.fullmatch(words[i]) or _AS_IF.intersection(words[max(0, i - 4) : i]):
            continue
        if linked and not _LOCAL_CAUSAL.intersection(words[max(0, i - 3) : i]):
            continue
        if not _DENIES.intersection(words[max(0, i - 4) : i]) and not _UPPER_BODY.intersection(words[i + 1 : i + 4]):
            return True
    return False


def _causes(cause: re.Pattern, words: list[str], linked: bool = False) -> Iterator[re.Match]:
    """Each cause named in `words`: not in a simile ("like sitting on ice") or denied ("even without ice"); after
    the sign (`linked`), only with a "from / because / in / when…" just before it."""
    for i in range(len(words)):
        found = cause.match(" ".join(words[i:]))
        if not found or _AS_IF.intersection(words[max(0, i - 4) : i]) or _NOT_CAUSE.intersection(words[max(0, i - 2) : i]):
            continue
        if linked and not _CAUSAL.intersection(words[max(0, i - 4) : i]):  # "numb because i tied my laces"
            continue
        yield found


def _everything_said(clauses: Sequence[Clause]) -> str:
    """Every turn of the conversation, one string: for a frame said anywhere ("coach here", "racing next month")."""
    return " ".join(w for c in clauses for w in c.words)


def _sentence(clauses: Sequence[Clause], at: int) -> list[str]:
    """The words of the sentence clause `at` belongs to."""
    return [w for c in clauses if c.sentence == clauses[at].sentence for w in c.words]


def _earlier_turns(clauses: Sequence[Clause], at: int) -> list[str]:
    """The words of the user's turns before the one clause `at` belongs to ("had the flu jab yesterday" | "bit
    feverish today"): theirs are numbered from -1000 down."""
    return [w for c in clauses[:at] if c.sentence <= -1000 and clauses[at].sentence > -1000 for w in c.words]


def _later_turns(clauses: Sequence[Clause], at: int) -> str:
    """What the user said in the turns after the one clause `at` belongs to (their clauses have negative numbers)."""
    return " ".join(w for c in clauses[at + 1 :] if c.sentence < 0 for w in c.words)


# A question about warning signs in general: "what are the signs of a hip stress fracture", "for kids, when is a limp
# worth taking to the doctor?", "she mentioned 'night pain' as a warning sign, what does that mean?".
_ABOUT_SIGNS = re.compile(
    r"\b(?:(?:warning |danger )?signs?|symptoms?|red flags?) (?:of|for|in|to|that|which|should|would|mean)\b"
    r"|\blook(?:ing)? out for|\bwatch (?:out )?for|\bwhat does (?:\w+ ){0,5}mean\b|\bwhat (?:(?:would|does|do) )?(?:counts? as|is meant by)"
    r"|\bworth (?:seeing|taking|checking|getting|a trip)|\bwhen (?:is|are) (?:a |an )?\w+ (?:\w+ )?(?:worth|serious|a concern|a worry)"
    r"|\bbefore (?:i|you|we|one|they) (?:should|need to|have to|must) (?:go|see|get)"
    r"|\b(?:does|do|can|could) (?:\w+ ){1,5}(?:mean|indicate|signal|point to)\b"  # "does night pain mean something serious"
    r"|\b(?:is|are|isnt) (?:\w+ ){1,5}(?:a )?(?:bad|warning|danger) sign|\b(?:is|are) (?:\w+ ){1,5}(?:always )?(?:serious|a red flag|an emergency)\b")
_OWN = frozenset({"my", "im", "ive", "mine", "myself", "id"})  # "what signs should make me send them to a doctor"
ADMITS = re.compile(r"\b(?:(?:i|ive|im|i am|i do) (?:\w+ )?(?:have|had|got|get|getting|having|feel|feeling) (?:it|that|this|them|those"
                     r"|both|all)|happening to me|thats me|like mine|i do|i have|(?:its|it is|thats) (?:\w+ )?(?:there|happening)"
                     r"|(?:ive|i have|i) (?:\w+ )?(?:done|tried) (?:everything|all of (?:it|that|this|them))"
                     r"|right now)\b")


def asks_about_signs(clauses: Sequence[Clause], at: int, first: int, last: int) -> bool:
    """The match is part of a general question about warning signs, with no "my" in it and none admitted after."""
    clause, sentence = clauses[at], _sentence(clauses, at)
    if not (clause.asks or {"what", "whats", "when", "how", "why", "which"}.intersection(sentence[:5])):
        return False
    text = " ".join(sentence)
    if not _ABOUT_SIGNS.search(text) or _OWN.intersection(sentence):
        return False
    if any(w in CARED_FOR and sentence[max(0, i - 1)] in ("my", "our") for i, w in enumerate(sentence)):
        return False  # "when is my son's limp worth taking to the doctor" is about him
    later = " ".join(w for c in clauses[at + 1 :] for w in c.words)
    return not ADMITS.search(later)


_CLICK = re.compile(r"cli(?:ck|k|c)\w*|clunk\w*|crack\w*|pop(?:s|ping|ped)?|snap\w*")
_SOUND = frozenset({"sound", "sounds", "noise", "noises", "noisy"})
_PAIN = re.compile(r"pain\w*|hurt\w*|sore\w*|ach\w*|tender|agony|ouch|ow|owie|sharp|stab\w*|twinge\w*")
_MOVING = re.compile(r"strides?|steps?|squat\w*|lung\w*|lift\w*|stand\w*|stood|walk\w*|stretch\w*|bend\w*|bent"
                     r"|rotat\w*|mov\w*|kick\w*|swing\w*|climb\w*|stairs|sit\w*|sat")  # "clicking sound every stride"


def is_a_sound_of_a_thing(clauses: Sequence[Clause], at: int, first: int, last: int) -> bool:
    """A clicking *sound* in a chat with no body part and no pain in it: "my playlist has a clicking sound",
    "heard a clicking noise, it was a stone in my shoe". A click the user feels is not a sound of a thing."""
    if not any(_CLICK.fullmatch(word) for word in clauses[at].words[first : last + 1]):
        return False
    said = _everything_said(clauses)
    words = said.split()
    return (bool(_SOUND.intersection(_sentence(clauses, at))) and not (_LEG | _HIP).intersection(words)
            and not any(_PAIN.fullmatch(w) or _MOVING.fullmatch(w) for w in words) and not _SYMPTOM.search(said))


def is_report(clauses: Sequence[Clause], at: int, first: int, last: int, history_counts: bool) -> bool:
    """True when the words first..last of clause `at` report a red flag of the user's, or of someone they look
    after, that matters now."""
    if (is_hypothetical(clauses, at, first, last) or is_explained(clauses, at, first, last)
            or asks_about_signs(clauses, at, first, last) or is_a_sound_of_a_thing(clauses, at, first, last)):
        return False
    person = who(clauses, at, first, last)
    if person in ("stranger", "thing"):
        return False
    if person == "known":  # someone else's injury: theirs, not the user's history, and only while it lasts
        sentence, later = _sentence(clauses, at), _later_turns(clauses, at)  # later: "| I only saw it"
        witnessed = (WITNESSING.intersection(sentence + later.split()) and not _said(_STILL, " ".join(sentence))
                     and not _said(_STILL, later) and not _said(_SYMPTOM, later, _DENIED))
        return not (witnessed or history_counts or is_over(clauses, at, first, last))
    if person == "cared_for" and history_counts:  # "mum had breast cancer 10 yrs ago, all clear": not the user's history
        return not is_over(clauses, at, first, last)
    return history_counts or not is_over(clauses, at, first, last)
