"""Two steps of a cold start, each done the way it was before session 21 and the way it is now, alternating in one
process: the guard's English word list (sorted from a set, or sorted as pyspellchecker gives it and then
de-duplicated) and finding the precedents' answers in the index (with every labelled turn stemmed up front, or
only the nearest few stemmed when asked). Then `ask`'s whole cold start, for scale.

`python bench/cold_start_steps.py [--rounds 7] [--asks 5]` from the repository root, after `make index`. Prints
medians and ratios; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.chain import Assistant  # noqa: E402
from assistant.guard.typos import WordList  # noqa: E402
from assistant.lexical import _terms, tokenize  # noqa: E402


def words_before(words) -> np.ndarray:
    return np.array(sorted({w.encode() for w in words}))


def words_now(words) -> np.ndarray:
    return WordList(words)._words


def precedents_before(assistant: Assistant):
    resolved = precedents_now(assistant)
    _terms.cache_clear()  # as on a cold start: nothing stemmed yet
    return resolved, tuple(frozenset(t) for t in tokenize([q.split(" | ")[-1] for q in resolved.precedents.questions]))


def precedents_now(assistant: Assistant):
    _terms.cache_clear()
    return assistant.precedents.resolve(assistant.engine.document, assistant.engine.chunks, tokenize)


def timed(step, argument) -> float:
    start = time.perf_counter()
    step(argument)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--asks", type=int, default=5, help="cold `ask` runs for scale (0: none)")
    args = parser.parse_args()

    from spellchecker import SpellChecker

    dictionary = SpellChecker(language="en").word_frequency.dictionary
    assert (words_before(dictionary) == words_now(dictionary)).all(), "the word lists differ"
    assistant = Assistant()
    assistant.engine.warm_up()
    pairs = {"English word list": (words_before, words_now, dictionary),
             "precedents found in the index": (precedents_before, precedents_now, assistant)}
    for name, (before, now, argument) in pairs.items():
        times: dict[str, list[float]] = {"before": [], "now": []}
        for round_ in range(args.rounds):  # alternating which goes first
            order = (("before", before), ("now", now)) if round_ % 2 == 0 else (("now", now), ("before", before))
            for label, step in order:
                times[label].append(timed(step, argument))
        b, n = (statistics.median(times[k]) * 1000 for k in ("before", "now"))
        print(f"{name:32} before {b:7.1f} ms   now {n:7.1f} ms   {b / n:.2f}x   (medians of {args.rounds})")
    if args.asks:
        walls = []
        for _ in range(args.asks):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "assistant", "ask", "-q", "how long should i ice my hip"], cwd=ROOT,
                           check=True, capture_output=True)
            walls.append(time.perf_counter() - start)
        print(f"{'`ask` cold start, whole':32} median {statistics.median(walls):.2f} s of {args.asks} "
              f"(min {min(walls):.2f}, max {max(walls):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
