"""The red-flag guard: symptoms that need a clinician get a fixed "see a doctor" reply before anything else runs.

Every user turn, and the user's earlier turns, pass through `check()` before retrieval or
generation. When it fires, the system answers with the fixed `reply_text()` and nothing else:
there is no flag, setting or phrase that turns the guard off.

    rules.py     the rule table (first layer): exact, reviewable, with its sources
    matching.py  how a message is read and the rules applied to it
    reply.py     the fixed reply
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.models import GuardVerdict, RedFlag

from .matching import scan
from .reply import reply_text
from .rules import RULES, Rule

__all__ = ["RULES", "Rule", "check", "reply_text"]


def check(message: str, history: Sequence[str] = ()) -> GuardVerdict:
    """Check the current message and the user's earlier turns; a red flag in any turn fires.

    `history` holds the user's earlier turns, oldest first. Each category is reported once,
    from the most recent turn that mentions it.
    """
    if isinstance(history, str):
        history = (history,)
    turns = (*history, message)
    found: dict[str, RedFlag] = {}
    for turn in range(len(turns) - 1, -1, -1):
        for flag in scan(turns[turn], turn):
            found.setdefault(flag.category, flag)
    return GuardVerdict(tuple(found[rule.category] for rule in RULES if rule.category in found))

