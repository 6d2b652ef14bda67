"""The slips of a hurried typist: one letter dropped, added or changed, or two neighbours swapped ("sourse",
"refrence", "lnog"). Both spellers correct a word one slip away: the guard's typo reading (guard/typos.py) and the
answer path's reading of the question (query.Speller)."""

from __future__ import annotations

from collections.abc import Sequence

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_slip_from(word: str) -> frozenset[str]:
    """Every string one slip from `word` (`word` itself included, as a letter may be "changed" to itself).

    Not cached here: the set of a 9-letter word holds about 500 strings (39 KB), and a cache of the unknown words a
    worker met held 131 MB after 3,000 of them (tests/test_guard.py); callers keep what they found instead.

    >>> "sourse" in one_slip_from("source"), "refrence" in one_slip_from("reference"), "studdy" in one_slip_from("study")
    (True, True, True)
    >>> "stuff" in one_slip_from("study"), "sores" in one_slip_from("source")
    (False, False)
    """
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return frozenset({a + b[1:] for a, b in splits if b}
                     | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
                     | {a + c + b[1:] for a, b in splits if b for c in LETTERS}
                     | {a + c + b for a, b in splits for c in LETTERS})


def swapped_once(typed: str, word: str) -> bool:
    """`typed` is `word` with one pair of neighbouring letters swapped ("lnog", "dyas").

    >>> swapped_once("lnog", "long"), swapped_once("long", "long"), swapped_once("lgno", "long")
    (True, False, False)
    """
    if len(typed) != len(word) or typed == word:
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, word)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]]


def slips_to(words: Sequence[str]) -> dict[str, str]:
    """Every spelling one slip from one of `words` that keeps its first letter, with the word it slipped from (the
    first of `words` when two could be meant): "sourse" → "source", "ofen" → "often".

    >>> slips_to(("source", "often"))["sourse"], slips_to(("source", "often"))["ofen"], "often" in slips_to(("often",))
    ('source', 'often', False)
    """
    slipped: dict[str, str] = {}
    for word in words:
        for slip in one_slip_from(word):
            if slip != word and slip[0] == word[0]:
                slipped.setdefault(slip, word)
    return slipped

