"""One `serve` setting against another, on the same machine in one run: `python bench/serve_setting.py NAME A B`.

For example `HIP_ANSWER_THREADS 4 40` (answers computed at once per worker: the default against anyio's thread
pool size, what the API used before) or `HIP_BLAS_THREADS 1 0` (one OpenBLAS thread per call against one per core).
Each round starts `serve --workers 1` once per value (alternating which goes first), sends POST /api/chat at 8
and 32 concurrent clients (every question unique), has 32 chat page sessions ask at once and reads the worker's
peak resident memory; it prints the medians over rounds and their ratios. Nothing here asserts a timing.
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

MEASURES = ("8 clients answers/s", "8 clients p95 ms", "32 clients answers/s", "32 clients p95 ms",
            "32 page sessions max s", "peak RSS MB")


def one_run(name: str, value: str, questions: list[str], requests: int) -> dict[str, float]:
    os.environ[name] = value
    server = Server(Settings().index_dir, 1)
    try:
        server.wait_until_ready()
        bench_http(server, questions[:30], 10)  # warm-up
        http = bench_http(server, questions, requests)
        page = bench_page(server, questions[-32:])
        rss = max(server.peak_rss_mb())
    finally:
        try:
            server.stop()
        except subprocess.TimeoutExpired:  # page clients may hold connections open
            os.killpg(server.process.pid, signal.SIGKILL)
    return {"8 clients answers/s": http["clients_8"]["answers_per_s"], "8 clients p95 ms": http["clients_8"]["p95_ms"],
            "32 clients answers/s": http["clients_32"]["answers_per_s"],
            "32 clients p95 ms": http["clients_32"]["p95_ms"], "32 page sessions max s": page["whole_answer_max_s"],
            "peak RSS MB": rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the environment variable, e.g. HIP_ANSWER_THREADS")
    parser.add_argument("values", nargs=2, help="the two values to compare, e.g. 4 40")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=150, help="requests per HTTP concurrency level")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {value: [] for value in args.values}
    for round_ in range(args.rounds):
        order = list(args.values) if round_ % 2 == 0 else list(reversed(args.values))
        for value in order:
            offset = (round_ * 2 + order.index(value)) * 3 * args.requests % len(QUESTIONS)
            questions = (QUESTIONS[offset:] + QUESTIONS[:offset])[:3 * args.requests + 32]
            runs[value].append(one_run(args.name, value, questions, args.requests))
            print(f"round {round_ + 1} {args.name}={value}: {runs[value][-1]}", flush=True)
    first, second = args.values
    print(f"\nmedians over {args.rounds} rounds, 1 worker, {os.cpu_count()} cores")
    print(f"{'measure':26} {args.name + '=' + first:>24} {args.name + '=' + second:>24} {'ratio':>7}")
    for measure in MEASURES:
        a, b = (statistics.median(r[measure] for r in runs[value]) for value in args.values)
        print(f"{measure:26} {a:>24} {b:>24} {a / b:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
