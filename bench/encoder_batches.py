"""Warm in-process answers with each message's texts embedded in one encoder call (since session 27:
`Engine.embed_many`, the guard's readings together, then the answer path's parts together) against one call per
text (before), in one process, alternating rounds of the same unique questions. Also times the guard's readings
of the messages that have two or more, on their own, both ways.

`python bench/encoder_batches.py [--rounds 4] [--threads N]` (default: one thread per core, as `ask` and `eval`
run; a serving process runs one per request). Prints medians, p95 and their ratio; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import QUESTIONS  # noqa: E402
from encoder_threads import alternate, answer_times  # noqa: E402

from assistant.chain import Assistant  # noqa: E402
from assistant.engine import Engine  # noqa: E402
from assistant.guard.meaning import readings  # noqa: E402
from assistant.settings import get_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    settings = get_settings().model_copy(update={"encoder_threads": args.threads})
    assistant = Assistant(Engine(settings)).warm_up()
    encoder = assistant.engine.embedder
    batched = encoder.encode
    one_by_one = lambda texts, progress=False: np.concatenate([batched([t]) for t in texts])  # noqa: E731
    ways = {"one call per message": batched, "one call per text": one_by_one}
    warm, questions = QUESTIONS[:20], QUESTIONS[20::12]  # 419 spread over the set: 1 in 11 has several sentences
    several = [texts for texts in (list(dict.fromkeys(t for _, t in readings([q]))) for q in questions)
               if len(texts) >= 2]
    readings_times: dict[str, list[float]] = {way: [] for way in ways}

    def run(way: str, warming: bool) -> list[float]:
        encoder.encode = ways[way]
        took = answer_times(assistant, warm if warming else questions)
        for texts in [] if warming else several:
            start = time.perf_counter()
            ways[way](texts)
            readings_times[way].append(time.perf_counter() - start)
        return took

    times, medians = alternate(list(ways), args.rounds, run)
    encoder.encode = batched
    for way, run in times.items():
        print(f"{way:22}: answer p50 {1000 * statistics.median(run):6.2f} ms, p95 {1000 * np.percentile(run, 95):6.2f}"
              f" ms (round medians " + ", ".join(f"{1000 * m:.2f}" for m in medians[way]) + "); the guard's readings"
              f" of a message that has 2+ p50 {1000 * statistics.median(readings_times[way]):.2f} ms")
    before, now = times["one call per text"], times["one call per message"]
    print(f"{len(questions)} unique questions ({len(several)} with 2+ readings) × {args.rounds} rounds, encoder on "
          f"{args.threads} thread(s); one call per text / per message: p50 "
          f"{statistics.median(before) / statistics.median(now):.2f}×, p95 "
          f"{np.percentile(before, 95) / np.percentile(now, 95):.2f}×, readings "
          f"{statistics.median(readings_times['one call per text']) / statistics.median(readings_times['one call per message']):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
