"""Warm in-process answers with the dense leg ranked in memory (since session 27) against the same assistant asking
Chroma for the ranking (before), in one process, alternating rounds of the same unique questions.

`python bench/dense_leg.py [--rounds 4]` against the local index, or with `CHROMA_HOST`/`CHROMA_PORT` set against a
Chroma server (where the old way paid a round trip per question). Prints medians, p95 and their ratio; nothing here
asserts a timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import QUESTIONS  # noqa: E402
from encoder_threads import alternate, answer_times  # noqa: E402

from assistant.chain import Assistant  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    assistant = Assistant().warm_up()
    engine = assistant.engine
    retriever, generation = engine.retriever, engine.generation.name
    in_memory = retriever.similarity
    by_chroma = lambda vector: dict(engine.store.query(generation, vector, len(engine.chunks)))  # noqa: E731
    ways = {"in memory": in_memory, "Chroma query": by_chroma}
    warm, questions = QUESTIONS[:20], QUESTIONS[20:420]

    def run(way: str, warming: bool) -> list[float]:
        retriever.similarity = ways[way]
        return answer_times(assistant, warm if warming else questions)

    times, medians = alternate(list(ways), args.rounds, run)
    for way, run in times.items():
        print(f"dense leg by {way:12}: p50 {1000 * statistics.median(run):6.2f} ms, p95 "
              f"{1000 * np.percentile(run, 95):6.2f} ms; round medians "
              + ", ".join(f"{1000 * m:.2f}" for m in medians[way]))
    ratio = statistics.median(times["Chroma query"]) / statistics.median(times["in memory"])
    print(f"{len(questions)} unique questions × {args.rounds} rounds on {engine.store.location}; "
          f"Chroma query / in memory at the median: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
