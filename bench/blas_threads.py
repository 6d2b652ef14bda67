"""Serving with one OpenBLAS thread per call (HIP_BLAS_THREADS=1, the default) against OpenBLAS's own default
(HIP_BLAS_THREADS=0, one thread per core), on the same machine in one run.

Requests run side by side in threads, one core's worth each; the precedent vote and the resemblance feature are
numpy products that OpenBLAS would split over every core again, so concurrent requests fight over the cores.

`python bench/blas_threads.py [--rounds 3]`: each round starts `serve` once per setting (alternating which goes
first), sends POST /api/chat at 8 and 32 concurrent clients (every question unique) and has 32 chat page sessions
ask at once; prints the medians over rounds and their ratios. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import QUESTIONS, Server, bench_http, bench_page  # noqa: E402

from assistant.settings import Settings  # noqa: E402

SETTINGS = {"one BLAS thread (HIP_BLAS_THREADS=1)": "1", "OpenBLAS default (HIP_BLAS_THREADS=0)": "0"}
MEASURES = ("8 clients answers/s", "8 clients p95 ms", "32 clients answers/s", "32 clients p95 ms",
            "32 page sessions max s")


def one_run(threads: str, questions: list[str], requests: int) -> dict[str, float]:
    os.environ["HIP_BLAS_THREADS"] = threads
    server = Server(Settings().index_dir, 1)
    try:
        server.wait_until_ready()
        bench_http(server, questions[:30], 10)  # warm-up
        http = bench_http(server, questions, requests)
        page = bench_page(server, questions[-32:])
    finally:
        try:
            server.stop()
        except subprocess.TimeoutExpired:  # page clients may hold connections open
            os.killpg(server.process.pid, signal.SIGKILL)
    return {"8 clients answers/s": http["clients_8"]["answers_per_s"], "8 clients p95 ms": http["clients_8"]["p95_ms"],
            "32 clients answers/s": http["clients_32"]["answers_per_s"],
            "32 clients p95 ms": http["clients_32"]["p95_ms"], "32 page sessions max s": page["whole_answer_max_s"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=150, help="requests per HTTP concurrency level")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {name: [] for name in SETTINGS}
    for round_ in range(args.rounds):
        order = list(SETTINGS) if round_ % 2 == 0 else list(reversed(SETTINGS))
        for name in order:
            offset = (round_ * len(SETTINGS) + order.index(name)) * 3 * args.requests % len(QUESTIONS)
            questions = (QUESTIONS[offset:] + QUESTIONS[:offset])[:3 * args.requests + 32]
            runs[name].append(one_run(SETTINGS[name], questions, args.requests))
            print(f"round {round_ + 1} {name}: {runs[name][-1]}", flush=True)
    print(f"\nmedians over {args.rounds} rounds, 1 worker, 2 cores")
    print(f"{'measure':26} {'1 thread':>10} {'default':>10} {'ratio':>7}")
    for measure in MEASURES:
        one, default = (statistics.median(r[measure] for r in runs[name]) for name in SETTINGS)
        print(f"{measure:26} {one:>10} {default:>10} {one / default:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
