"""The answering chain: {question, history} → clean → guard → retrieve → decide → compose → verify.

`Assistant.answer()` is the one entry point every face (CLI, API, page, widget,
eval) calls; `Assistant.chain` is the same as a LangChain runnable (assistant/runnable.py).
The red-flag guard runs first and its branch ends the pipeline: no setting,
prompt or model output can reach the user once it has fired.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda

from . import about, decline, guard
from .clean import REFERENCES_HEADING
from .compose import cite_lines, compose
from .engine import Engine
from .errors import BadInput, MessageTooLong
from .generate import build_chat_model, generate
from .conversation import MAX_FOLLOW_UP_WORDS, Topic, is_follow_up, naming_a_place, own_subject, refers_back
from .guard.meaning import is_bare_ache
from .query import (as_the_runner, asks, in_the_article_s_words, plain_question, question_parts, sentences,
                    without_instructions)
from .lexical import tokenize
from .question_types import answers_amount, kind_of, states_the_amount
from .precedent import Precedents, ResolvedPrecedents
from .selection import Question, SentenceRanker
from .runnable import AnswerRunnable
from .models import Answer, AnswerSentence, Chunk, Citation, GuardVerdict, Hit
from . import support
from .verify import verified

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

DECLINE_MESSAGE = (
    "Sorry — I can only answer from the Hinge Health article “Hip Pain After Running” (Mar 26, 2024), "
    "and it doesn't cover that. I can help with what commonly causes hip pain in runners, at-home treatments, "
    "when to see a doctor, how to prevent hip pain, and the strengthening and stretching exercises it recommends."
)
DOCTOR_SECTION = "When to See a Doctor for Hip Pain"
CACHE_SIZE = 1024
ON_THE_TOPIC_WORDS = 6  # a question this short that only names what was just said continues it
MAX_SOURCED_CLAIMS = 3  # "what study is that from?" shows at most this many claims, each with its reference
# The words that ask where a claim comes from, not what it is about: "is there a SOURCE for it band too?"
_ASKING_FOR_A_SOURCE = frozenset({"source", "sources", "study", "studies", "info", "information", "research",
                                  "evidence", "reference", "references", "paper", "papers", "journal", "data", "stats",
                                  "numbers", "figure", "figures", "citation", "cite", "proof", "backup", "year",
                                  "use", "used", "uses", "using", "base", "based", "back", "backed", "support",
                                  "supported", "say", "says", "said", "come", "comes", "came", "find", "found", "show",
                                  "shows", "quote", "quoted", "mention", "mentioned", "list", "listed"})
# A short question for a detail of the reference-list entries just shown ("link pls", "author?", "year?"), which
# names no other subject and not the article itself.
MAX_ENTRY_DETAIL_WORDS = 4
_ENTRY_FIELDS = frozenset({"source", "published", "clinicians", "publisher"})
_BIBLIOGRAPHIC = re.compile(r"\b(?:year|yrs?|date|dated|title|journal|authors?|who wrote|when published)\b", re.I)
_NAMES_THE_ARTICLE = re.compile(r"\b(?:article|piece|page|post|blog|hinge|original|this|you)\b", re.I)
# "could that be…", "is this…": a question about what the sentence before it told ("is it ok to…" is not)
_ABOUT_WHAT_WAS_TOLD = re.compile(r"^\W*(?:(?:so|and|but|ok)\W+)?(?:is|are|was|could|can|would|will|does|do|did|might|may"
                                  r"|should)\s+(?:that|this|those|these)\b", re.I)
# A question that points at something its message said before it: "is THAT bad for my hips?" ("it band" does not)
_POINTS_BACK = re.compile(r"\b(?:that|this|those|these|them|they|their|it(?!\s+band)|its|it['’]s|such|so)\b", re.I)
# "when?", "what year", "date?" with nothing else: after an answer from the front matter, the publication date
_BARE_WHEN = re.compile(r"^\W*(?:and |so |ok )?(?:when|what year|which year|year|date|what date|dated|since when)\W*$", re.I)
# "which study": a study asked for by name, which an earlier answer of the conversation may hold
_NAMES_A_STUDY = re.compile(r"\b(?:stud(?:y|ies)|research|paper|trial)\b", re.I)
STUDY_LOOKBACK = 2  # answers searched, the last one first, for the study a "which study?" means
# "who did that 24% study", "where's that stat from": a figure the study is named by, the number itself when given
_NAMES_A_FIGURE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:%|percent)|\b(?:stats?|statistics?|percentages?|figures?|"
                             r"numbers?|percent)\b", re.I)
FIGURE_LOOKBACK = 3  # answers searched, the last one first, for the one that showed the figure asked about
TOPIC_WORDS = 40  # a conversation's topic is carried as at most this many words of the query that found it
MINIMAL_PAIR = 2  # a labelled turn differing from the question in at most this many words each way can contrast it
# What the user says is NOT the case: "my hip doesnt click or pop, its just tight" denies what a precedent asked about
# (the speller may have made "doesnt" "doesn").
_DENIED = re.compile(r"\b(?:not|no|never|without|(?:doesn|isn|aren|didn|hasn|haven)'?t?|don'?t|can'?t|nor)"
                     r"\s+((?:any\s+)?\w+(?:\s+or\s+\w+)?)", re.I)


def _same_word(stem: str, word: str) -> bool:
    """"click" is "clicks", "clicking", "clicky"; "pop" is "popping" (the index does not stem)."""
    return word.startswith(stem[:4] if len(stem) >= 4 else stem)


class Reading(NamedTuple):
    """How a question was read: what retrieval searched on, what it found, and the evidence for answering."""

    query: str
    vector: np.ndarray
    hits: list[Hit]
    evidence: decline.Evidence
    topic: Topic | None
    votes: dict[tuple[str, int], float]  # sentences that answered labelled turns near this one (precedent.py)


@dataclass
class Turn:
    """What flows through the chain; each step fills in its part."""

    question: str
    user_turns: list[str]
    verdict: GuardVerdict = GuardVerdict()
    asked: str = ""  # the question as read: plain, hurried typos corrected ("how many dyas" asks for days)
    query: str = ""
    query_vector: np.ndarray | None = None
    hits: list[Hit] = field(default_factory=list)
    topic: Topic | None = None
    votes: dict[tuple[str, int], float] = field(default_factory=dict)
    evidence: decline.Evidence | None = None
    about: tuple[str, ...] = ()  # what of the article itself it asks: its date, publisher, clinicians (about.py)
    sources: tuple[tuple[Chunk, int], ...] | None = None  # "what study is that from?": the reference lines the last
    # answer rests on; () when it rests on none (declined), None when the question is not one of these
    said_by: tuple[tuple[Chunk, int], ...] | None = None  # "who says that?": the lines naming who, and who they are
    timings_ms: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    def lap(self, step: str, since: float) -> None:
        self.timings_ms[step] = round((time.perf_counter() - since) * 1000, 3)


_UNWANTED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")  # controls, lone surrogates
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    r"""`text` without NUL, other control characters and unpaired surrogates; line breaks become `\n`, tabs stay.

    Applied to every message and earlier turn before anything reads them (the guard included), so
    `"fe\x00ver"` reaches the guard as `"fever"` and nothing unprintable is echoed back or stored.

    >>> clean_text("ice\x00 my hip\r\nplease\x07")
    'ice my hip\nplease'
    """
    return _UNWANTED.sub("", _BREAKS.sub("\n", text))


def user_turns(history: Iterable) -> list[str]:
    """The user's own earlier messages; assistant turns (answers, citations) are left out on purpose."""
    turns = []
    for item in history or ():
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict) and item.get("role") == "user" and isinstance(item.get("content"), str):
            turns.append(item["content"])
    return turns


_WHERE_ON_THE_HIP = re.compile(r"\b(?:front|outside|outer|side|inner|inside|back|groin|glutes?|butt|thighs?|it band"
                               r"|legs?|flexors?|knees?)\b", re.I)
_IT = re.compile(r"\b(?:it(?!\s+band)|this|that)\b(?!\s+(?:is|was|s|would|could|will|might|can)\b)", re.I)


def _asked_of_a_sore_hip(message: str) -> str | None:
    """A question after only "my hip is sore after my long run yesterday": that story is what every runner here
    brings, and its words ("sore", "yesterday") are ones the article hardly uses, so read whole the message looked
    off the article. Its question is read as asked of hip pain: "should i ice it?" → "should i ice my hip pain?"
    or "any tips?" → "any tips for my hip pain?" (a sore spot the article places, "the outside of my hip", keeps its
    story)."""
    parts = sentences(message)
    if len(parts) == 1:  # typed without a stop: "hip hurts after runs what can i take for it"
        words = message.split()
        parts = next(([" ".join(words[:i]), " ".join(words[i:])] for i in range(2, len(words) - 1)
                      if asks(" ".join(words[i:])) and is_bare_ache(" ".join(words[:i]))), parts)
    told = [p for p in parts if not asks(p)]
    asked = [p for p in parts if asks(p)]
    if (not told or not asked or len(parts) > 4
            or not all(is_bare_ache(p) and not _WHERE_ON_THE_HIP.search(p) for p in told)):
        return None
    question = " ".join(asked)
    return (_IT.sub("my hip pain", question, count=1) if _IT.search(question)
            else f"{question.rstrip(' ?!.')} for my hip pain?")


def _from_front_matter(answer: Answer) -> bool:
    """Every passage the answer cites is the article's front matter (who wrote, reviewed and published it)."""
    return all(c.heading_path[-1] in (about.ABOUT_SECTION, about.EXPERTS_SECTION) for c in answer.citations)


def _subject_terms(question: str) -> list[str]:
    """The stemmed words a source question names its subject with, not those asking for a source: "is there a
    SOURCE for IT BAND too?" → it, band."""
    return tokenize([" ".join(w for w in own_subject(question) if w not in _ASKING_FOR_A_SOURCE)])[0]


class Assistant:
    def __init__(self, engine: Engine | None = None, decline_model: decline.DeclineModel | None = None,
                 chat_model: BaseChatModel | None = None, ranker: SentenceRanker | None = None):
        self.engine = engine or Engine()
        self.settings = self.engine.settings
        self.decline_model = decline_model or decline.DeclineModel.load()
        self.exemplars = decline.Exemplars.load() if decline.EXEMPLARS_FILE.exists() else None
        if self.settings.decline_threshold is not None:
            self.decline_model = replace(self.decline_model, threshold=self.settings.decline_threshold)
        if chat_model is None and self.settings.llm:
            chat_model = build_chat_model(self.settings.llm, self.settings.llm_base_url)
        self.chat_model = chat_model
        self.support = support.checker_for(self.engine.embedder, support.load_calibration())
        self.ranker = ranker or SentenceRanker.load()
        self.precedents = Precedents.load()
        self._resolved: tuple[tuple[str, int], ResolvedPrecedents] | None = None
        guard.warm_up()
        self._pipeline = self._build_pipeline()
        self.chain = AnswerRunnable(self)  # the public runnable; the pipeline over a `Turn` stays internal
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._cache_lock = threading.Lock()

    def warm_up(self) -> Assistant:
        """Load the index and the model, and find the precedents' answers in that index (143 ms here), so the
        first question waits for neither."""
        self.engine.warm_up()
        self._precedents_now()
        return self

    def _build_pipeline(self) -> Runnable:
        """The steps over an already cleaned `Turn` (see `_start`); only `answer` runs it. Three runnables, not
        one per step: LangChain's callback and config handling on each step cost 3.5 ms per answer at the median
        (41.1 → 37.6 ms, measured A/B in one process, 2026-12-01)."""
        return RunnableLambda(self._guard) | RunnableBranch(
            (lambda turn: turn.verdict.fired, RunnableLambda(self._red_flag)), RunnableLambda(self._reply))

    def _reply(self, turn: Turn) -> Answer:
        """Retrieve, decide whether the article answers, then compose (or decline)."""
        decided = self._decide(self._retrieve(turn))
        return decided if isinstance(decided, Answer) else self._compose(decided)

    def answer(self, question: str, history: Iterable = ()) -> Answer:
        """The answer to a question in its conversation; repeated questions come from a small LRU cache."""
        turn = self._start(question, history)
        self.engine.follow_index()
        key = (self.engine.generation.name, turn.question, tuple(turn.user_turns))
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        answer = self._pipeline.invoke(turn)
        with self._cache_lock:
            if self._cache and next(iter(self._cache))[0] != key[0]:
                self._cache.clear()  # the index changed: earlier answers may cite passages that moved
            self._cache[key] = answer
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return answer

    def _start(self, question: str, history: Iterable) -> Turn:
        """Validate and clean the input: the question and the user's earlier turns, at most `max_history_turns`
        of them (older ones are dropped), each within `max_message_chars` once cleaned."""
        if not isinstance(question, str) or not clean_text(question).strip():
            raise BadInput("The question is empty — type a question about hip pain after running.")
        if isinstance(history, (str, bytes, dict)):
            raise BadInput('The history must be a list of earlier turns: [{"role": "user", "content": "…"}, …].')
        question = clean_text(question).strip()
        limit = self.settings.max_message_chars
        if len(question) > limit:
            raise MessageTooLong(f"The question is {len(question)} characters long; the limit is {limit}. "
                                 f"Please shorten it.")
        turns = [clean_text(t).strip() for t in user_turns(history)][-self.settings.max_history_turns:]
        longest = max(map(len, turns), default=0)
        if longest > limit:
            raise MessageTooLong(f"An earlier message in this conversation is {longest} characters long; the limit "
                                 f"is {limit}. Start a new conversation.")
        return Turn(question=question, user_turns=[t for t in turns if t])

    # -- steps --------------------------------------------------------------------------------
    def _guard(self, turn: Turn) -> Turn:
        start = time.perf_counter()
        turn.verdict = guard.check(turn.question, turn.user_turns, embed=self.engine.embed_many)
        turn.lap("guard", start)
        return turn

    def _red_flag(self, turn: Turn) -> Answer:
        """The fixed "see a doctor" reply, citing the article's own list of warning signs."""
        chunk = next(c for c in self.engine.chunks if c.heading_path[-1] == DOCTOR_SECTION and c.kind == "list")
        lead = next(i for i, s in enumerate(chunk.sentences) if s.text.startswith("See a doctor"))
        shown = chunk.sentences[lead:]
        document = self.engine.document
        citation = Citation(1, chunk.id, chunk.heading_path, document.text[shown[0].start:shown[-1].end],
                            shown[0].start, shown[-1].end, document.text[chunk.start:chunk.end], chunk.start)
        sentences = tuple(AnswerSentence(s.text, (1,), is_item=i > 0) for i, s in enumerate(shown))
        return self._finish(turn, Answer(turn.question, "red_flag", sentences, (citation,),
                                         red_flags=turn.verdict.flags, message=guard.reply_text(turn.verdict)))

    def read(self, question: str, earlier_user_turns: list[str], leave_out: str | None = None) -> Reading:
        """Retrieve for a question; when it has several sentences, keep the reading best backed by the article.

        A follow-up is read with the conversation's topic (see conversation.py) and its own words count double; when
        that reading is declined and the turn read alone is not ("can i still run on it?" after bursitis), alone,
        unless it names no subject of its own ("how much?" after Tylenol asks for a dose: alone it asks nothing).
        A short turn that names a subject of its own ("how many days a week") is read alone first; when the
        article does not answer it alone, it is read again as a follow-up. The calibration of the decline model
        goes through this same method, so it sees exactly what the chain sees. `leave_out` names a labelled file
        whose questions are no precedent (the ranker is fitted on each file with its own precedents left out).
        """
        fix = self.engine.speller
        topic = functools.cache(lambda: self.topic(earlier_user_turns))  # derived once, and only when needed
        best, readings = None, []
        as_asked = as_the_runner(plain_question(question), earlier_user_turns)
        message = without_instructions(fix(in_the_article_s_words(as_asked))) or question
        if earlier_user_turns:
            message = naming_a_place(message, lambda: self._items_listed(earlier_user_turns))
        parts = [*self._parts(message), *filter(None, [_asked_of_a_sore_hip(message)])]
        self.engine.embed_many(parts)  # each part is read, alone or with the topic: embedded in one encoder call
        for part in parts:
            follows = bool(earlier_user_turns) and is_follow_up(part) and not self._asks_for_a_source_of_its_own(part)
            if (earlier_user_turns and not follows and len(part.split()) <= ON_THE_TOPIC_WORDS and topic()
                    and self._on_the_topic(part, topic())):
                reading = self._reading(part, topic(), continues=True, leave_out=leave_out)  # "what kind of stretches?"
                follows = True
            else:
                reading = self._reading(part, topic() if follows else None, leave_out=leave_out)
            if (earlier_user_turns and not follows and len(part.split()) <= MAX_FOLLOW_UP_WORDS
                    and self.decline_model.declines(reading.evidence) and topic()):
                continued = self._reading(part, topic(), continues=True, leave_out=leave_out)
                if not self.decline_model.declines(continued.evidence):
                    reading = continued
            if follows and own_subject(part) and self.decline_model.declines(reading.evidence):
                # the topic drowned it: read it alone ("how much?" alone has nothing to read)
                alone = self._reading(part, None, leave_out=leave_out)
                if not self.decline_model.declines(alone.evidence):
                    reading = alone
            if best is None or reading.evidence.strength > best.evidence.strength:
                best = reading
            readings.append((part, reading))
        if self.decline_model.declines(best.evidence) and self._resembles_answered(message):
            # "Training for a marathon. How fast can I bump my weekly volume…?": the story is better backed but
            # declined; the question the user asked is answered on its own.
            # The whole message holds the question too, however it is typed ("…if i swap out a few sessions because
            # my hip hurts will i still be ready": no question mark, no question word first).
            asked = [r for part, r in readings if (asks(part) or part == readings[0][0])
                     and not self.decline_model.declines(r.evidence)]
            if asked:
                return max(asked, key=lambda r: r.evidence.strength)
        return best

    def _resembles_answered(self, message: str) -> bool:
        """Is the whole message nearer the labelled questions the article answers than those it does not? A story
        that is out of scope ("I am pregnant 4 month…") makes its question out of scope too, even when the question
        alone ("is safe to continue running?") is one the article answers."""
        return self.exemplars is None or self.exemplars.resemblance(self.engine.embed(message)) > 0

    @staticmethod
    def _parts(message: str) -> list[str]:
        """The readings of a message (query.question_parts), less the telling sentences that follow a question able
        to stand on its own: "difference between it band and bursitis? both outer hip" does not ask about "both outer
        hip". A story told before the question stays a reading, as it often holds the subject ("dont have a
        diagnosis yet. can i still keep running?"), and so does all of a message whose question points back at it
        ("is that bad for my hips?"). A question whose subject is that story ("Could that be hard on my hips?" after
        "I run on concrete sidewalks.") is not a reading alone: all its words are known and say nothing."""
        parts = question_parts(message)
        parts = [p for i, p in enumerate(parts) if i < 2 or not _ABOUT_WHAT_WAS_TOLD.search(p)]
        first = next((i for i, p in enumerate(parts[1:], 1) if asks(p) and not _POINTS_BACK.search(p)), None)
        return parts if first is None else [*parts[:first + 1], *(p for p in parts[first + 1:] if asks(p))]

    def _reading(self, part: str, topic: Topic | None, continues: bool = False,
                 leave_out: str | None = None) -> Reading:
        """One reading of a question or one of its sentences. With a `topic`, its own words count as much as the
        topic's; the passages the topic cited stay candidates when it has no subject of its own, or when it
        `continues` the topic because alone it would be declined."""
        query = f"{topic.query} {part} {part}" if topic else part
        vector = self.engine.embed(query)
        if topic:  # its own words count as much as the topic it continues
            vector = vector + self.engine.embed(part)
            vector = vector / np.linalg.norm(vector)
        on = topic.chunk_ids if topic else ()  # the passages the conversation was last on
        if topic and own_subject(part) and not continues:  # its own words pick the passage
            topic = replace(topic, chunk_ids=())
        votes = self.votes(vector, part, leave_out, on)
        searched, hits = self._passages(query, vector, topic, {chunk_id for chunk_id, _ in votes})
        evidence = self._evidence(query, vector, searched, part, refers=bool(topic) and refers_back(part))
        if topic and not refers_back(part) and decline.unknown_words(part, self.engine.lexical):
            alone = self.engine.embed(part)  # "what about my diet?": judge the new subject on its own
            if self.decline_model.declines(self._evidence(part, alone, self._passages(part, alone)[0], part)):
                evidence = replace(evidence, new_subject=True)
        return Reading(query, vector, hits, evidence, topic, votes)

    def topic(self, earlier_user_turns: list[str]) -> Topic | None:
        """The latest earlier turn that got an answer, re-answered from the user's own words (usually cached); when
        none did, the latest declined one's words (no passages); none after a red flag."""
        declined = None
        for i in range(len(earlier_user_turns) - 1, -1, -1):
            earlier = self.answer(earlier_user_turns[i], earlier_user_turns[:i])
            if earlier.status == "answered":
                cited = tuple(dict.fromkeys(c.chunk_id for c in earlier.citations))
                return Topic(" ".join(earlier.query.split()[-TOPIC_WORDS:]), cited)
            if earlier.status == "red_flag":
                return None
            declined = declined or earlier
        if declined is not None and declined.query:  # nothing answered yet: "what should i do instead" is about
            return Topic(" ".join(declined.query.split()[-TOPIC_WORDS:]), ())  # what was asked, not about nothing
        return None

    def _evidence(self, query: str, vector: np.ndarray, hits: list[Hit], own_words: str,
                  refers: bool = False) -> decline.Evidence:
        evidence = decline.gather(query, vector, hits, self.engine.sentence_vectors, self.engine.lexical, own_words,
                                  refers)
        if self.exemplars is not None:
            evidence = replace(evidence, resemblance=self.exemplars.resemblance(vector))
        return evidence

    def _passages(self, query: str, vector: np.ndarray, topic: Topic | None = None,
                  voted: frozenset[str] | set[str] = frozenset()) -> tuple[list[Hit], list[Hit]]:
        """The passages searched (the top k, and for a follow-up the passages its topic cited), which the decline
        decision weighs; and those plus the passages that answered the nearest labelled questions (precedent.py),
        which the composer chooses from. Reference-list entries only when the question asks for a source."""
        k = self.settings.top_k
        ranked = self.engine.passages(query, vector)
        cited = set(topic.chunk_ids) if topic else set()
        searched = [h for i, h in enumerate(ranked) if i < k or h.chunk.id in cited]
        return searched, [h for i, h in enumerate(ranked) if i < k or h.chunk.id in cited or h.chunk.id in voted]

    def votes(self, vector: np.ndarray, own_words: str, leave_out: str | None = None,
              topic_ids: Sequence[str] = ()) -> dict[tuple[str, int], float]:
        """The sentences that answered labelled turns near this one, with their cosine (precedent.py). A minimal
        pair is judged on what the user typed in this turn against what the labelled turn's writer typed."""
        resolved = self._precedents_now()
        if not resolved:
            return {}
        lexical = self.engine.lexical
        ours = set(tokenize([own_words])[0])
        denied = set(tokenize([" ".join(_DENIED.findall(own_words))])[0])

        def contrast(theirs: frozenset[str], sentences: tuple[tuple[str, int], ...]) -> bool:
            said = set().union(*(lexical.sentence_terms[chunk_id][i] for chunk_id, i in sentences))
            if any(_same_word(d, t) and any(_same_word(d, u) for u in said) for d in denied for t in theirs):
                return True  # they asked about a click and got the doctor list; this user says there is none
            only_theirs, only_ours = theirs - ours, ours - theirs
            if len(only_theirs) > MINIMAL_PAIR or len(only_ours) > MINIMAL_PAIR:
                return False  # worded differently, not one detail swapped
            return bool(only_theirs & said) and any(lexical.in_corpus(t) and t not in said for t in only_ours)

        return resolved.votes(vector, leave_out, contrast, frozenset(topic_ids))

    def _vouched(self, vector: np.ndarray) -> bool:
        """A labelled turn the article answers is much nearer than any it does not (precedent.py)."""
        resolved = self._precedents_now()
        return bool(resolved and resolved.vouch(vector))

    def _precedents_now(self) -> ResolvedPrecedents | None:
        """The precedents, their answers found in the index generation being served."""
        precedents, resolved = self.precedents, self._resolved
        if precedents is None:
            return None
        key = (self.engine.generation.name, id(precedents))
        if resolved is None or resolved[0] != key:
            resolved = self._resolved = (key, precedents.resolve(self.engine.document, self.engine.chunks, tokenize))
        return resolved[1]

    def _retrieve(self, turn: Turn) -> Turn:
        start = time.perf_counter()
        reading = self.read(turn.question, turn.user_turns)
        turn.query, turn.query_vector, turn.hits, turn.evidence, turn.topic, turn.votes = reading
        asked = turn.asked = self.engine.speller(plain_question(turn.question))
        turn.said_by = self._speakers_of_last_answer(asked, turn.user_turns)  # before "whose advice?" in general
        if turn.said_by is None:
            turn.sources = self._entry_details(asked, turn.user_turns)
        if turn.said_by is None and turn.sources is None:
            turn.about = (about.asked_about(asked, self._people,
                                            lambda: self._person_in_focus(turn.user_turns, asked))
                          or self._date_of_the_article(asked, turn.user_turns))
            turn.sources = None if turn.about else self._sources_of_last_answer(turn.question, turn.user_turns)
        turn.lap("retrieve", start)
        return turn

    def _entry_details(self, question: str, earlier_user_turns: list[str]) -> tuple[tuple[Chunk, int], ...] | None:
        """"link pls", "author?", "year?" right after an answer that showed reference-list entries (alone, or with
        the claim they back: "where's the 73% from" then "what year was it"): the link, authors and date of those
        entries, which they hold, not the article's own front matter. None for any other question, and for one
        that names the article ("when was this article published?")."""
        words = question.lower().split()
        if (not earlier_user_turns or len(words) > MAX_ENTRY_DETAIL_WORDS or _NAMES_THE_ARTICLE.search(question)
                or not (_BIBLIOGRAPHIC.search(question) or set(about.asked_about(question)) & _ENTRY_FIELDS)):
            return None
        earlier = self._last_answer(earlier_user_turns)
        return self._entries_shown(earlier, alone=False) if earlier.status == "answered" else None

    def _date_of_the_article(self, question: str, earlier_user_turns: list[str]) -> tuple[str, ...]:
        """"when?" right after an answer from the front matter ("who published this?"): the publication date."""
        if not earlier_user_turns or not _BARE_WHEN.search(question):
            return ()
        earlier = self._last_answer(earlier_user_turns)
        return ("published",) if earlier.status == "answered" and _from_front_matter(earlier) else ()

    def _entries_shown(self, answer: Answer, alone: bool = True) -> tuple[tuple[Chunk, int], ...] | None:
        """The reference-list entries an answer showed, when it cited nothing else (or, not `alone`, whatever else
        it cited); None when it showed none."""
        cited = self._cited_chunks(answer)
        entries = [chunk for chunk in cited if chunk.kind == "reference"]
        if not entries or (alone and len(entries) < len(cited)):
            return None
        shown = {s.text for s in answer.sentences}
        return tuple((chunk, i) for chunk in entries for i, sentence in enumerate(chunk.sentences)
                     if sentence.text in shown)

    def _sources_of_last_answer(self, question: str,
                                earlier_user_turns: list[str]) -> tuple[tuple[Chunk, int], ...] | None:
        """For a follow-up that asks where the last answer came from ("what study is that from?", "source?"), the
        reference-list entries its sentences rest on (the article's curated quotes), or () when it rests on none;
        None for any other question. The last answer is re-derived from the user's own earlier turns, as the
        topic is. "which study?" after an answer that cites none means the study an answer just before it named
        ("73% had abnormalities on MRIs" → "so what does that mean" → "which study"), so those are searched too."""
        if not earlier_user_turns or not decline.asks_for_study(question) or not (
                refers_back(question) or len(question.split()) <= 3):
            return None
        if figure := _NAMES_A_FIGURE.search(question):  # the answer that showed it, which may not be the last
            shown = re.compile(rf"\b{re.escape(figure[1])}\s*(?:%|percent)" if figure[1] else r"\d\s*(?:%|percent)")
            for earlier in self._answers_back(earlier_user_turns, FIGURE_LOOKBACK):
                if any(shown.search(sentence.text) for sentence in earlier.sentences):
                    return self._sources_of(earlier, question)
            if figure[1] or re.search(r"\bpercent", figure[0], re.I):
                return None  # "what was that percentage again": no answer showed one, so it is searched for
        found = self._sources_of(self._last_answer(earlier_user_turns), question)
        if found == () and _NAMES_A_STUDY.search(question):
            for earlier in self._answers_back(earlier_user_turns, STUDY_LOOKBACK, skip=1):
                if before := self._sources_of(earlier, question):
                    return before
        return found

    def _answers_back(self, earlier_user_turns: list[str], count: int, skip: int = 0) -> Iterator[Answer]:
        """The answers to the user's last `count` turns, the last one first, less the `skip` latest; each re-derived
        (usually cached) only when the one after it did not do."""
        for back in range(skip, min(count, len(earlier_user_turns))):
            yield self._last_answer(earlier_user_turns[:len(earlier_user_turns) - back])

    def _sources_of(self, earlier: Answer, question: str) -> tuple[tuple[Chunk, int], ...] | None:
        """The reference-list entries (with the claims they back) that one earlier answer rests on; () for none."""
        if earlier.status != "answered" or _from_front_matter(earlier):
            return None  # "who wrote this?" then "source?": the front matter is its own source
        shown = {s.text for s in earlier.sentences}
        entries = {c.number for c in earlier.citations if c.heading_path[-1] == REFERENCES_HEADING}
        sourced = [s.text for s in earlier.sentences if entries & set(s.citations)
                   or self.engine.document.references_for(s.text)]  # the claims shown with a study, and the studies
        subject = _subject_terms(question)
        if set(filter(self.engine.lexical.in_corpus, subject)) - set(tokenize([" ".join(sourced)])[0]):
            return None  # "is there a source for it band too?" after an arthritis study: a subject of its own
        if (entries_shown := self._entries_shown(earlier)) is not None:
            return entries_shown  # "what journal?" after a reference entry: the entries shown hold it
        cited = self._cited_chunks(earlier)
        entries = {n: chunk for chunk in self.engine.chunks if chunk.kind == "reference"
                   for n in chunk.reference_numbers}  # reference number → its reference-list entry
        for only_shown in (True, False):  # the sentences shown first, then the rest of the passages they came from
            lines: dict[tuple[str, int], tuple[Chunk, int]] = {}
            claims = 0
            for chunk in cited:
                for i, sentence in enumerate(chunk.sentences):
                    numbers = {r.number for r in self.engine.document.references_for(sentence.text)}
                    if not numbers or (only_shown and sentence.text not in shown) or claims == MAX_SOURCED_CLAIMS:
                        continue
                    claims += 1
                    lines[(chunk.id, i)] = (chunk, i)  # the claim, then the entries it rests on
                    for entry in (entries[n] for n in sorted(numbers) if n in entries):
                        lines.update(((entry.id, j), (entry, j)) for j in range(len(entry.sentences)))
            if lines:
                return tuple(lines.values())
        return ()

    def _on_the_topic(self, question: str, topic: Topic) -> bool:
        """"what kind of stretches?" after the warm-up tip: a short question whose every subject word the passages
        just cited use ("dynamic stretches such as…") asks about them, though it has words of its own."""
        subject = set(tokenize([" ".join(own_subject(question))])[0])
        terms = self.engine.lexical.sentence_terms
        said = set().union(*(sentence for chunk_id in topic.chunk_ids for sentence in terms[chunk_id]))
        return bool(subject) and subject <= said

    def _asks_for_a_source_of_its_own(self, question: str) -> bool:
        """"is there a source for bursitis too?": a source question that names a subject the article has is read
        on its own words, not with the topic before it (whose study it does not ask for); so is one that names a
        figure the article gives ("the 73% figure, what's the source for that" after a question about the reviewers)."""
        figure = _NAMES_A_FIGURE.search(question)
        return decline.asks_for_study(question) and (any(map(self.engine.lexical.in_corpus, _subject_terms(question)))
                                                     or bool(figure and figure[1] and self.engine.lexical.in_corpus(figure[1])))

    def _shown_whole(self, earlier_user_turns: list[str]) -> frozenset[str]:
        """The passages an earlier answer of this conversation showed every sentence of (re-derived from the user's
        own turns, usually cached): a follow-up on one of them needs only the sentence that answers it and its
        label, not the passage again."""
        whole = set()
        for i, turn in enumerate(earlier_user_turns):
            earlier = self.answer(turn, earlier_user_turns[:i])
            if earlier.status == "answered":
                shown = {s.text for s in earlier.sentences}
                whole.update(chunk.id for chunk in self._cited_chunks(earlier)
                             if all(s.text in shown for s in chunk.sentences))
        return frozenset(whole)

    def _last_answer(self, earlier_user_turns: list[str]) -> Answer | None:
        """The answer to the user's previous turn, re-derived from their own words (usually cached)."""
        return self.answer(earlier_user_turns[-1], earlier_user_turns[:-1]) if earlier_user_turns else None

    def _items_listed(self, earlier_user_turns: list[str]) -> list[str]:
        """The things the last answer listed, in order: its sentences that open a bullet of the article ("Apply
        ice.", "Squats"), whether it showed them as a list or ran them into its text."""
        last = self._last_answer(earlier_user_turns)
        text = self.engine.document.text
        return [s.text for s in last.sentences if s.is_item or f"\n- {s.text}" in text] if last else []

    def _cited_chunks(self, answer: Answer) -> list[Chunk]:
        """The passages an answer cites, each once, in the order it cites them."""
        return [self.engine.chunk_by_id[chunk_id] for chunk_id in dict.fromkeys(c.chunk_id for c in answer.citations)]

    def _person_in_focus(self, earlier_user_turns: list[str], question: str = "") -> str | None:
        """The clinician a follow-up's "she" points at: the one the last answer named last, else the user's
        turns, else the one the article quotes throughout. When the last answer named several and the question
        names a role ("is he a surgeon?" after both reviewers), the one of them with that role."""
        if not earlier_user_turns:
            return None
        last = self._last_answer(earlier_user_turns)
        texts = [" ".join(s.text for s in last.sentences)] if last else []
        if texts and (fits := about.named_with_role(texts[0], question, self.engine.chunks)):
            return fits
        for text in [*texts, *reversed(earlier_user_turns)]:
            if named := about.speaker(text, self._people):
                return named
        return about.most_quoted(self.engine.chunks)

    def _speakers_of_last_answer(self, question: str,
                                 earlier_user_turns: list[str]) -> tuple[tuple[Chunk, int], ...] | None:
        """For "who says that?" after an answer, its sentences that name who said it (as the article words
        them), then that clinician's front-matter line; None when the question is not one of these or the last
        answer quotes no one."""
        if not about.asks_who_said(question) or not (refers_back(question) or len(question.split()) <= 3):
            return None
        last = self._last_answer(earlier_user_turns)
        if last is None or last.status != "answered":
            return None
        shown = {s.text for s in last.sentences}
        # a clinician quoted first, shown or in the rest of the passages; the publisher's team ("As our Hinge Health
        # care team says…") only when the passages quote no one
        for speaker in (lambda text: about.speaker(text, self._people), about.team_saying):
            saying = [(chunk, i, s.text in shown, name) for chunk in self._cited_chunks(last)
                      if chunk.heading_path[-1] not in (about.ABOUT_SECTION, about.EXPERTS_SECTION)
                      for i, s in enumerate(chunk.sentences) if (name := speaker(s.text))]
            for only_shown in (True, False):  # the sentences shown first, then the rest of their passages
                lines = [(chunk, i, name) for chunk, i, is_shown, name in saying if is_shown or not only_shown]
                if lines:
                    named = tuple(dict.fromkeys(name for *_, name in lines))
                    said = [(chunk, i) for chunk, i, _ in lines[:MAX_SOURCED_CLAIMS]]
                    if not only_shown:  # the claim shown was a quotation with its speaker named before it ("“A good
                        # rule of thumb is…”"): the claim too, after the line that names who said it
                        said += [(chunk, i) for chunk in dict.fromkeys(chunk for chunk, _ in said)
                                 for i, s in enumerate(chunk.sentences) if s.text in shown and s.text.startswith("“")]
                    said.sort(key=lambda line: line[0].sentences[line[1]].start)
                    return (*dict.fromkeys(said), *about.answer_lines(named, self.engine.chunks))
        return None

    def _decide(self, turn: Turn) -> Turn | Answer:
        if turn.sources == ():
            return self._declined(turn)  # the last answer rests on no study the article cites: say so, never guess
        if turn.about or turn.sources or turn.said_by:
            return turn  # the front matter answers it, whatever retrieval found
        if decline.ranks_what_the_article_only_lists(turn.question, self.engine.lexical, self.engine.chunks):
            return self._declined(turn)
        if not self.decline_model.declines(turn.evidence):
            return turn
        if turn.evidence.other_body_part or turn.evidence.new_subject:
            return self._declined(turn)  # "do knee shots last forever": the article is about hips
        if decline.answered_by_temporarily(turn.question, turn.hits) or self._amount_stated_on_the_topic(turn):
            return turn  # said in so many words, though the labelled questions nearest it are not answered
        return turn if self._vouched(turn.query_vector) else self._declined(turn)

    def _amount_stated_on_the_topic(self, turn: Turn) -> bool:
        """"how many days?" after the advice to rest "just for a few days": a short follow-up asking an amount that
        a passage the conversation is on states, in the unit asked. The labelled questions nearest it ask amounts
        the article never gives (doses, weeks of a shot), so the decline model reads it as unanswerable."""
        if not turn.user_turns or len(turn.question.split()) > MAX_FOLLOW_UP_WORDS:
            return False
        topic, asked = self.topic(turn.user_turns), turn.asked
        lexical = self.engine.lexical
        subject = [t for t in tokenize([" ".join(own_subject(asked))])[0] if lexical.in_corpus(t)]  # "hold" in "how
        # long do i hold it" is not about the rest passage, whatever amounts it states
        return topic is not None and any(
            states_the_amount(asked, sentence.text) for hit in turn.hits
            if hit.chunk.id in topic.chunk_ids and all(t in lexical.terms[hit.chunk.id] for t in subject)
            for sentence in hit.chunk.sentences)

    @property
    def _people(self) -> list[str]:
        return about.people(self.engine.chunks)

    def _compose(self, turn: Turn) -> Answer:
        """The LLM's answer when one is configured and anything of it survives the verifier, else the extractive one."""
        start = time.perf_counter()
        sentences, citations = (), ()
        lines = about.answer_lines(turn.about, self.engine.chunks) if turn.about else list(
            turn.sources or turn.said_by or ())
        if lines:  # exact lines of the front matter, as a reader would say them: no model rewords them
            composed = cite_lines(lines, self.engine.document, as_given=bool(turn.said_by))
            said = tuple(replace(s, text=about.readable(s.text)) for s in composed.sentences)
            sentences, citations = verified(said, composed.citations, self.engine.document)
        elif self.chat_model is not None:
            generated = generate(self.chat_model, turn.question, turn.hits, self.support, self.engine.document)
            sentences, citations = verified(generated.sentences, generated.citations, self.engine.document,
                                            self.support)
        if not sentences and not lines:
            question = replace(self.question(turn.question, turn.user_turns, turn.query, turn.query_vector,
                                             turn.topic, turn.votes), just_shown=self._shown_whole(turn.user_turns))
            composed = compose(question, turn.hits, self.engine.sentence_vectors, self.engine.lexical,
                               self.engine.document, self.ranker, self.settings.max_sentences,
                               self.settings.max_words, self.engine.chunks)
            sentences, citations = verified(composed.sentences, composed.citations, self.engine.document)
        turn.lap("compose", start)
        if not sentences or not any(answers_amount(turn.asked, s.text) for s in sentences):
            return self._declined(turn)  # nothing left, or a "how long" question the passages give no duration for
        return self._finish(turn, Answer(turn.question, "answered", sentences, citations, hits=tuple(turn.hits),
                                         query=turn.query))

    def use_precedents(self, precedents: Precedents | None) -> None:
        """Vote with other labelled questions from now on (calibration rebuilds them); cached answers are dropped."""
        with self._cache_lock:
            self.precedents, self._resolved = precedents, None
            self._cache.clear()

    def use_ranker(self, ranker: SentenceRanker) -> None:
        """Compose with another sentence ranker from now on (calibration refits it); cached answers are dropped."""
        with self._cache_lock:
            self.ranker = ranker
            self._cache.clear()

    def question(self, text: str, earlier_user_turns: list[str], query: str, vector: np.ndarray,
                 topic: Topic | None, votes: dict[tuple[str, int], float]) -> Question:
        """What the sentence ranker reads about a question, from how it was read (`read`)."""
        return Question(text=text, query=query, vector=vector,
                        own_vector=self.engine.embed(self.engine.speller(plain_question(text)) or text),
                        terms=set(tokenize([query])[0]), kind=kind_of(text),
                        wants_amount=decline.asks_for_quantity(query), follow_up=bool(earlier_user_turns),
                        topic_ids=frozenset(topic.chunk_ids if topic else ()), votes=votes)

    def _declined(self, turn: Turn) -> Answer:
        return self._finish(turn, Answer(turn.question, "declined", (), hits=tuple(turn.hits),
                                         message=DECLINE_MESSAGE, query=turn.query))

    def _finish(self, turn: Turn, answer: Answer) -> Answer:
        turn.lap("total", turn.started)
        return replace(answer, timings_ms=dict(turn.timings_ms))
