"""Does each `serve --workers N` worker take its share? `python bench/worker_spread.py REV`.

`serve` at a git revision against the working tree (a throwaway worktree, as in serve_versions.py): each round
starts each version once (alternating which goes first), warms it up at 1, 8 and 32 clients, then times one level
of `--clients` concurrent keep-alive clients on the round's unique questions, the same for both versions, and reads
how much CPU each worker spent on it. Prints every round and the medians. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import QUESTIONS, ROOT, Server, bench_http, children, http_level  # noqa: E402
from serve_versions import checkout  # noqa: E402

from assistant.settings import Settings  # noqa: E402


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the code to compare against, e.g. HEAD~3 or a commit")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    revision, rounds, workers, clients = args.revision, args.rounds, args.workers, args.clients
    rates: dict[str, list[float]] = {revision: [], "working tree": []}
    with checkout(revision) as old:
        roots = {revision: old, "working tree": ROOT}
        for round_ in range(rounds):
            questions = QUESTIONS[300 + round_ * 300:600 + round_ * 300]
            for name in list(roots) if round_ % 2 == 0 else list(roots)[::-1]:
                server = Server(Settings().index_dir, workers, root=roots[name])
                try:
                    server.wait_until_ready()
                    time.sleep(1)
                    bench_http(server, QUESTIONS[-60:], 20)  # warm-up
                    serving = [pid for pid in children(server.process.pid) if cpu_s(pid) > 1.0]
                    before = {pid: cpu_s(pid) for pid in serving}
                    rate = asyncio.run(http_level(server.url, clients, questions))["answers_per_s"]
                    spent = sorted(round(cpu_s(pid) - before[pid], 2) for pid in serving)
                finally:
                    server.stop()
                rates[name].append(rate)
                print(f"round {round_ + 1} {name}: {rate:.1f} answers/s, CPU s per worker {spent}", flush=True)
    a, b = (statistics.median(r) for r in rates.values())
    print(f"\nmedians over {rounds} rounds, serve --workers {workers}, {clients} clients: {revision} {a:.1f}/s, "
          f"working tree {b:.1f}/s, ratio {b / a:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
