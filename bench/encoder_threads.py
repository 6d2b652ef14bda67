"""Warm in-process answers with the query encoder on one thread (what a serving process uses per request) against
one thread per core (the default where questions come one at a time: `ask`, `eval`), in one process, interleaved
over rounds of the same unique questions.

`python bench/encoder_threads.py [--rounds 3]`: prints medians and p95 of both and their ratio. Nothing here
asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Hashable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import QUESTIONS  # noqa: E402

from assistant.chain import Assistant  # noqa: E402
from assistant.engine import Engine  # noqa: E402
from assistant.settings import get_settings  # noqa: E402


def answer_times(assistant: Assistant, questions: list[str]) -> list[float]:
    times = []
    for question in questions:
        assistant.engine._embedded.clear()  # every question embedded anew, as a unique question would be
        start = time.perf_counter()
        assistant._pipeline.invoke(assistant._start(question, []))  # the chain itself: the answer cache is not asked
        times.append(time.perf_counter() - start)
    return times


def alternate(ways: list[Hashable], rounds: int, run: Callable[[Hashable, bool], list[float]]):
    """Each way once per round, the order alternating so that a slow spell hits both alike; `run(way, warming)`
    gives its times. Round 0 only warms up. Returns every time and each round's median, by way."""
    times: dict[str, list[float]] = {way: [] for way in ways}
    medians: dict[str, list[float]] = {way: [] for way in ways}
    for round_ in range(rounds + 1):
        for way in ways if round_ % 2 == 0 else ways[::-1]:
            took = run(way, round_ == 0)
            if round_:
                times[way] += took
                medians[way].append(statistics.median(took))
    return times, medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    settings = get_settings()
    assistants = {threads: Assistant(Engine(settings.model_copy(update={"encoder_threads": threads})).warm_up())
                  for threads in (1, cores)}
    warm, questions = QUESTIONS[:20], QUESTIONS[20:420]
    times, medians = alternate(list(assistants), args.rounds,
                               lambda threads, warming: answer_times(assistants[threads], warm if warming else questions))
    for threads, run in times.items():
        print(f"encoder on {threads} thread(s): p50 {1000 * statistics.median(run):6.2f} ms, p95 "
              f"{1000 * np.percentile(run, 95):6.2f} ms; round medians "
              f"{', '.join(f'{1000 * m:.2f}' for m in medians[threads])} ms ({len(questions)} unique questions)")
    ratio = statistics.median(times[1]) / statistics.median(times[cores])
    print(f"1 thread / {cores} threads at the median: {ratio:.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
