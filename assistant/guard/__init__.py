"""The red-flag guard: symptoms that need a clinician get a fixed "see a doctor" reply before anything else runs.

Every user turn, and the user's earlier turns, pass through `check()` before retrieval or
generation. When it fires, the system answers with the fixed `reply_text()` and nothing else:
there is no flag, setting or phrase that turns the guard off. Two layers, and a red flag from
either fires:

    rules.py     the rule table: exact, reviewable, with its sources
    matching.py  how a message is read and the rules applied to it (typos.py: one more reading)
    context.py   who and when: a stranger's fall, a fever that is over, a hypothetical do not count
    meaning.py   the meaning layer: a classifier over the message's sentence vector and its words,
                 fitted by fitting.py on labelled messages; asked when the rules are quiet, it can add
                 a red flag, never remove one
    reply.py     the fixed reply
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from assistant.models import GuardVerdict, RedFlag

from . import typos
from .matching import describes_benign_sign, scan
from .meaning import Embed, MeaningModel
from .reply import reply_text
from .rules import RULES, Rule

__all__ = ["RULES", "Rule", "check", "meaning_model", "reply_text", "warm_up"]

_loaded: MeaningModel | None = None
_lock = threading.Lock()


def meaning_model() -> MeaningModel:
    """The shipped meaning model (meaning_model.npz), loaded once."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = MeaningModel.load()
        return _loaded


def rule_flags(turns: Sequence[str], fix: Callable[[str], str] | None = None) -> dict[str, RedFlag]:
    """The rule table's red flags by category, each from the most recent turn that says it."""
    found: dict[str, RedFlag] = {}
    for turn in range(len(turns) - 1, -1, -1):
        for flag in scan(turns[turn], turn, turns[:turn], turns[turn + 1 :], fix=fix):
            found.setdefault(flag.category, flag)
    return found


def warm_up() -> None:
    """Load the meaning model and the typo reading's English dictionary now, not on a user's first question."""
    typos.english_words()
    meaning_model()


def check(message: str, history: Sequence[str] = (), embed: Embed | None = None) -> GuardVerdict:
    """Check the current message and the user's earlier turns; a red flag in any turn fires.

    `history` holds the user's earlier turns, oldest first. Each category is reported once, from the
    most recent turn that mentions it. With `embed` (texts → the sentence vectors the answer path uses, one
    row each, ideally cached), the meaning layer runs too; without it, only the rule table does.
    """
    if isinstance(history, str):
        history = (history,)
    turns = (*history, message)
    model = meaning_model()
    found = rule_flags(turns, model.fix_typos)
    if embed is not None and not found:  # a safety net under the rules: their verdict, when they have one, stands
        for flag in model.flags(turns, embed):
            if not describes_benign_sign(turns[flag.turn]):
                found.setdefault(flag.category, flag)
    return GuardVerdict(tuple(found[rule.category] for rule in RULES if rule.category in found))
