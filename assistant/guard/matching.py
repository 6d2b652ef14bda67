"""How the rule layer reads a message: normalise, split into sentences and clauses, skip general questions,
match each rule within a clause, drop a match a negation governs.

  1. Normalised: NFKC, lower case, apostrophes dropped ("can't" -> "cant"), invisible characters removed,
     letters repeated 3+ times collapsed ("feeeever" -> "fever"), punctuation turned into word breaks.
  2. Split into sentences (. ! ? : newline) and clauses (; , brackets, dashes, "but", "although", "and"
     before a new subject ...), so a negation or a pattern never reaches across "no fever but I fell".
  3. A sentence that is a generic question about a symptom ("is clicking in the hip serious?") is
     informational and skipped; anything said about "I / my / me" is a report and is checked.
  4. Each rule's patterns are searched within clauses; a match is dropped only when a negation
     ("no", "never", "don't have any" ...) stands right before it.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import replace
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

from assistant.models import RedFlag

from . import context
from .context import Clause
from .rules import BENIGN_SIGNS, NEGATIONS, RULES, Rule, expand

def _compile(patterns: tuple[str, ...]) -> re.Pattern | None:
    return re.compile(r"\b(?:%s)\b" % "|".join(f"(?:{expand(p)})" for p in patterns), re.MULTILINE) if patterns else None


_COMPILED = tuple((rule, _compile(rule.patterns), _compile(rule.paired), _compile(rule.together)) for rule in RULES)

_TOKEN = re.compile(
    r"(?P<word>[^\W_]+(?:['’‘ʼ`´′][^\W_]+)*)"
    r"|(?P<sentence>[.!?:\n]+)"
    r"|(?P<comma>,)"
    r"|(?P<clause>[;()\[\]{}—–]|\s-+\s)"
)
_APOSTROPHES = re.compile(r"['’‘ʼ`´′]")
_REPEATS = re.compile(r"([^\W\d_])\1{2,}")  # a letter typed 3+ times
_BREAK_IN_WORD = re.compile(r"(?<=[^\W\d_])\n+(?=[^\W\d_])")  # "f\nell"
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_WITHOUT = re.compile(r"\bw/o(?:ut)?\b", re.I)  # "ran 10k w/o any numbness": the shorthand denies like "without"

# Words that start a new clause; "and" does only before a new subject ("no fever and I fell").
_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "yet", "except", "whereas"})
_NEW_SUBJECT = frozenset({"i", "im", "ive", "id", "my", "it", "its", "then", "now", "also", "she", "he", "they",
                          "we", "theres", "there", "the"})
_LIST_WORDS = frozenset({"and", "or", "nor"})

# Negation scope: a negation cue, then only these words, then the match ("I don't have any numbness").
_NEGATION_CUES = frozenset(NEGATIONS) | {"nearly", "almost", "nothing", "nothin"}  # "nearly came off my bike" did not
_NEGATION_FILLERS = frozenset({
    "a", "an", "the", "any", "some", "have", "has", "had", "having", "get", "gets", "got", "getting", "feel",
    "feels", "felt", "feeling", "notice", "noticed", "see", "seen", "saw", "hear", "heard", "experience",
    "experienced", "experiencing", "really", "actually", "even", "ever", "once", "been", "be", "is", "are", "was",
    "were", "it", "its", "there", "theres", "of", "sign", "signs", "history", "symptom", "symptoms", "evidence",
    "kind", "sort", "much", "major", "such", "recent", "previous", "prior", "real", "new", "obvious",
    "significant", "serious", "i", "im", "ive", "think", "believe", "do", "did", "does", "am", "my", "at", "all",
    "whatsoever", "with", "that", "or", "nor", "suffered", "noticeable",
    "hurt", "go", "travel", "shoot", "radiate", "spread", "move", "extend",  # "it doesn't travel down my leg"
    "hurts", "travels", "shoots", "radiates", "spreads", "moves", "extends", "runs",  # "nothing shoots down my leg"
    "anything", "going", "goes", "like", "kind",  # "no numbness or anything going down my leg"
    "in", "on", "at", "one", "burning", "pain", "shooting", "tingling", "numbness", "aching", "weird", "look",
    "looks", "seem", "seems", "sound", "sounds",  # "no burning
})  # down my leg", "not in one spot on the bone"
_NEGATION_WINDOW = 10

# A generic question about a symptom is informational; one about "me / my ..." is a report.
_WH_WORDS = frozenset({"what", "whats", "whatre", "when", "whens", "why", "whys", "how", "hows", "which", "who",
                       "whos", "where", "wheres", "define", "explain", "describe"})
_YES_NO_WORDS = frozenset({"is", "isnt", "are", "arent", "can", "could", "does", "do", "did", "should", "would",
                           "will", "any", "anything", "must", "may", "might"})
_LEAD_FILLERS = frozenset({"hi", "hey", "hello", "ok", "okay", "so", "um", "umm", "hmm", "well", "also", "and",
                           "but", "btw", "quick", "question", "q", "please", "thanks", "doc", "coach", "general",
                           "curious", "just", "wondering", "at", "in", "on", "for", "by", "from", "to"})
# In a question with no "I / my", these say it is about people in general ("does a hip that gives way always mean…").
_GENERIC = frozenset({"someone", "somebody", "anyone", "people", "runners", "you", "your", "always", "usually",
                      "generally", "typically", "common"})
# "is it normal that…", "does anyone else get…": a question about one's own symptom, so a report.
_ABOUT_ME = re.compile(r"\b(?:(?:is|isnt) (?:it|this|that) normal (?:that|for|to)|anyone else|anybody else)\b")
_FIRST_PERSON = frozenset({"i", "im", "ive", "id", "ill", "me", "my", "mine", "myself", "we", "us", "our", "ours",
                           "this", "these"})


_Word = tuple[str, int, int]  # normalised word, start and end in the message


class _Sentence(NamedTuple):
    clauses: list[list[_Word]]
    words: list[str]
    asks: bool  # ended with "?"


class _Document(NamedTuple):
    """The report clauses of one turn, one per line, and where each word came from in the message."""

    text: str
    starts: list[int]
    spans: list[tuple[int, int]]
    clauses: list[Clause]  # one per line of `text`, after the earlier turns' (and before the later turns')
    first_line: int = 0  # where this turn's clauses start in `clauses`


def _normalise_word(raw: str) -> str:
    word = raw.lower()
    return word if word.isalnum() else _APOSTROPHES.sub("", word)


def _split_clauses(words: list[_Word]) -> list[list[_Word]]:
    """Split a run of words at clause words ("but") and at "and" before a new subject."""
    clauses: list[list[_Word]] = [[]]
    for i, item in enumerate(words):
        next_word = words[i + 1][0] if i + 1 < len(words) else ""
        if item[0] in _CLAUSE_WORDS or (item[0] == "and" and next_word in _NEW_SUBJECT):
            clauses.append([])
        else:
            clauses[-1].append(item)
    return [c for c in clauses if c]


def _comma_joins_list(items: list[tuple], i: int) -> bool:
    """True for a comma between list items: ", or ...", ", chills, ..." or ", chills or ..."."""
    after = items[i + 1 : i + 3]
    if not after or after[0][0] != "w":
        return False
    if after[0][1] in ("or", "nor"):
        return True
    return len(after) == 2 and (after[1][0] == "comma" or (after[1][0] == "w" and after[1][1] in _LIST_WORDS))


def _sentences(text: str) -> list[_Sentence]:
    """Tokenise into sentences of clauses; a comma inside a list ("fever, chills or ...") does not split."""
    items: list[tuple] = []  # ("w", word, start, end) | ("comma"|"clause", start, end) | ("sentence", asks)
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word":
            items.append(("w", _normalise_word(m.group()), m.start(), m.end()))
        elif kind == "sentence":
            items.append(("sentence", "?" in m.group()))
        else:
            items.append((kind, m.start(), m.end()))
    items.append(("sentence", False))

    sentences: list[_Sentence] = []
    clauses: list[list[_Word]] = []
    run: list[_Word] = []
    for i, item in enumerate(items):
        if item[0] == "w":
            run.append(item[1:])
        elif item[0] == "comma" and _comma_joins_list(items, i):
            run.append(("or", *item[1:]))  # "no fever, chills or sweats" reads as "no fever or chills or sweats"
        else:
            clauses.extend(_split_clauses(run))
            run = []
            if item[0] == "sentence" and clauses:
                words = [w for clause in clauses for w, _, _ in clause]
                sentences.append(_Sentence(clauses, words, item[1]))
                clauses = []
    return sentences


def _is_informational(sentence: _Sentence) -> bool:
    """A question about symptoms in general ("is clicking in the hip serious?"), not about the user."""
    words = sentence.words
    lead = 0
    while lead < len(words) and words[lead] in _LEAD_FILLERS:
        lead += 1
    words = words[lead:]
    if words[:2] == ["tell", "me"]:
        words = ["what", *words[2:]]
    if not words:
        return False
    if not _FIRST_PERSON.isdisjoint(words) or _ABOUT_ME.search(" ".join(words)):
        return False
    if words[0] in _WH_WORDS or (words[0] in _YES_NO_WORDS and sentence.asks):
        return True
    rest = words[1:] if words[0] == "thats" else words[2:] if words[:2] == ["that", "is"] else []
    if sentence.asks and rest[:1] and rest[0] in ("what", "called", "why", "how"):
        return True  # "and that's what sciatica is?": checking a word just read, not telling of a symptom
    generic = not _GENERIC.isdisjoint(words)
    if generic and (sentence.asks or words[0] in _YES_NO_WORDS):
        return True
    if any(word == "you" and i and words[i - 1] in _YES_NO_WORDS for i, word in enumerate(words)):
        return True  # "… should you see someone"
    # "is acupuncture good for sciatica", "does the it band go down to the knee": a question, even unpunctuated
    return words[0] in _YES_NO_WORDS and len(words) >= 4


# "tendon bursitis, is it worse at night": a topic of at most this many words, then a question about it
_TOPIC_WORDS = 4
_ASKING = frozenset({"is", "isnt", "are", "does", "do", "can", "could", "will", "would", "should"})
_ASKED_OF = frozenset({"it", "its", "that", "this", "they", "the", "there", "a", "an"})


def _names_a_topic_then_asks(sentence: _Sentence) -> bool:
    """A short topic, then a general question about it: "tendon bursitis, is it worse at night", "labral tear -
    does it click?". The question is not a report; the topic clause is still read ("fell on a trail, is it bad?")."""
    topic, rest = sentence.clauses[0], sentence.clauses[1:]
    if not rest or len(topic) > _TOPIC_WORDS or not _FIRST_PERSON.isdisjoint(sentence.words):
        return False
    words = [w for clause in rest for w, _, _ in clause]
    asked = sentence.asks or (words[0] in _ASKING and words[1:2] and words[1] in _ASKED_OF)  # not "did the exercises"
    return bool(asked) and _is_informational(_Sentence(rest, words, sentence.asks))


def _document(text: str) -> _Document:
    """Join the clauses of every non-informational sentence, one clause per line."""
    lines: list[str] = []
    starts: list[int] = []
    spans: list[tuple[int, int]] = []
    clauses: list[Clause] = []
    position = 0
    sentences = _sentences(text)
    for number, sentence in enumerate(sentences):
        kept = sentence.clauses
        informational = _is_informational(sentence)
        if (informational or _names_a_topic_then_asks(sentence)) and not any(
                context.ADMITS.search(" ".join(later.words)) for later in sentences[number + 1 :]):
            if informational:
                continue  # but "does night pain mean something serious? i get it every night" is about the user
            kept = sentence.clauses[:1]  # the topic only: "tendon bursitis" of "tendon bursitis, is it worse at night"
        for clause in kept:
            words = [w for w, _, _ in clause]
            line = " ".join(words)
            if _REPEATS.search(line):  # "feeeever" -> "fever"
                words = [_REPEATS.sub(r"\1", w) for w in words]
                line = " ".join(words)
            for word, (_, start, end) in zip(words, clause):
                starts.append(position)
                spans.append((start, end))
                position += len(word) + 1
            lines.append(line)
            clauses.append(Clause(tuple(words), number, sentence.asks))
    return _Document("\n".join(lines), starts, spans, clauses)


def _negated(doc: _Document, start: int) -> bool:
    """True when a negation cue right before `start`, in the same clause, governs the match: "no numbness", or
    the last item of a denied list ("no weird bladder stuff or numb bits")."""
    before = doc.text[doc.text.rfind("\n", 0, start) + 1 : start]
    words = before.split()[-_NEGATION_WINDOW:]
    listed = 0  # words of earlier list items, once an "or" / "nor" has been passed
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if word in _NEGATION_CUES:
            return True
        coordinated = i + 1 < len(words) and words[i + 1] in ("or", "nor")
        if word in _NOT_A_LIST:
            return False
        if word not in _NEGATION_FILLERS and not coordinated:
            if not listed or listed > 3:
                return False
            listed += 1
        if word in ("or", "nor") and not listed:
            listed = 1
    return False


# "I don't know whether it's my back or numbness": a doubt, not a list of denied signs.
_NOT_A_LIST = frozenset({"know", "sure", "whether", "if", "tell", "why", "how", "what", "but", "and", "because", "until"})


def _original(text: str, doc: _Document, start: int, end: int) -> str:
    """The user's own words behind the normalised span [start, end)."""
    first = bisect_right(doc.starts, start) - 1
    last = bisect_right(doc.starts, end - 1) - 1
    return text[doc.spans[first][0] : doc.spans[last][1]]


def readings(message: str, fix: Callable[[str], str] | None = None) -> list[str]:
    """The ways a message can be read; a red flag in any of them fires.

    "w/o" is read as "without", the word every denial and exception knows ("ran 10k w/o any numbness").
    A reading with typos fixed (`fix`) is checked too. A line break between two letters ("i f\nell",
    from a stray U+0085 or U+2028 that became a line break) is read both as a break and as nothing: no
    one means to split a word, but "fell\nmy hip" may be two lines, so both readings are checked.
    """
    text = _WITHOUT.sub("without", _INVISIBLE.sub("", unicodedata.normalize("NFKC", message)))
    texts = [text, _BREAK_IN_WORD.sub("", text)]
    if fix is not None:
        texts.append(fix(texts[-1]))
    return list(dict.fromkeys(texts))


def _reports(doc: _Document, rule: Rule, start: int, end: int) -> bool:
    """The match doc.text[start:end] is not negated, and is about the user (or someone they look after) now."""
    if _negated(doc, start):
        return False
    line = doc.text.count("\n", 0, start)
    line_start = doc.text.rfind("\n", 0, start) + 1
    first = doc.text.count(" ", line_start, start)
    last = doc.text.count(" ", line_start, max(start, end - 1))
    return context.is_report(doc.clauses, doc.first_line + line, first, last, rule.history_counts)


def _said_anywhere(regex: re.Pattern, docs: list[_Document]) -> bool:
    """`regex` matches, un-negated, somewhere in these turns ("grandma (84) lives with us" … "she fell")."""
    return any(not _negated(doc, m.start()) for doc in docs for m in regex.finditer(doc.text))


def scan(message: str, turn: int, earlier: Sequence[str] = (), later: Sequence[str] = (),
         fix: Callable[[str], str] | None = None) -> Iterator[RedFlag]:
    """Yield the first reported match of every rule in one user turn, over every reading of it.

    `earlier` and `later` hold the user's other turns: the other half of a paired rule may be said in any
    of them, and a later one may say that it is over ("it was a bee sting, gone now"). `fix` corrects
    typos for one more reading.
    """
    seen: set[str] = set()
    others: list[_Document] | None = None
    before = [replace(c, sentence=-1000 - i) for i, c in enumerate(c for t in earlier for c in _document(t).clauses)]
    after = [replace(c, sentence=-1 - i) for i, c in enumerate(c for t in later for c in _document(t).clauses)]
    for text in readings(message, fix):
        doc = _document(text)
        doc = doc._replace(clauses=before + doc.clauses + after, first_line=len(before))
        for rule, regex, paired, together in _COMPILED:
            if rule.category in seen:
                continue
            candidates = [(regex, m) for m in regex.finditer(doc.text)] if regex else []
            if paired is not None:
                if others is None:
                    others = [_document(t) for other in (*earlier, *later) for t in readings(other)]
                if _said_anywhere(together, [doc, *others]):
                    candidates += [(paired, m) for m in paired.finditer(doc.text)]
            match = next((m for m in _with_later_starts(candidates, doc.text)
                          if _reports(doc, rule, m.start(), m.end())), None)
            if match:
                seen.add(rule.category)
                yield RedFlag(rule.category, rule.tier, rule.reason, _original(text, doc, match.start(), match.end()),
                              turn)


def _with_later_starts(candidates: list[tuple[re.Pattern, re.Match]], text: str) -> Iterator[re.Match]:
    """Each match, then (only if none of them is reported) the matches inside one that start a new subject: the
    leftmost match can begin in a negated phrase that the rest does not share ("its not an ache its a 10 out of
    10" first matches "ache its a 10 out of 10", which "not" governs). "no sharp pain going down my leg" has no new
    subject inside, so its negation holds."""
    yield from (m for _, m in candidates)
    for regex, m in candidates:
        space = text.find(" ", m.start(), m.end())
        while space >= 0:
            later = regex.search(text, space + 1)
            if later is None or later.start() >= m.end():
                break
            if text[later.start():].split(" ", 1)[0] in _NEW_SUBJECT:
                yield later
            space = text.find(" ", later.start(), m.end())


_BENIGN = _compile(tuple(sign.pattern for sign in BENIGN_SIGNS))


def describes_benign_sign(message: str) -> bool:
    """The message describes a sign the article explains as common and self-treatable (rules.BENIGN_SIGNS)."""
    return any(_BENIGN.search(_document(text).text) for text in readings(message))

