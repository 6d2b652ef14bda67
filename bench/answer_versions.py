"""Warm in-process answers at a git revision against the working tree: `python bench/answer_versions.py REV`.

The revision is checked out into a throwaway `git worktree` on this checkout's encoder export and index (as
`serve_versions.py` does). Each round answers one slice of unique questions twice, once per version, each in a fresh
process that warms up on other questions first, alternating which version goes first; the slices differ between
rounds. It prints each version's p50, p95 and mean per round, then the medians over rounds and their ratios (above
1: the working tree is faster). One process answers at a time, on one core's worth of Python, as `ask` and `eval`
do. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench import QUESTIONS, ROOT  # noqa: E402
from serve_versions import checkout  # noqa: E402

# Run inside each version's checkout: warm up, then time `Assistant.answer` on each question read from stdin.
_TIMER = """
import json, sys, time
sys.path.insert(0, ".")
from assistant.chain import Assistant
questions = json.load(sys.stdin)
assistant = Assistant().warm_up()
for question in questions["warm"]:
    assistant.answer(question)
took = []
for question in questions["timed"]:
    start = time.perf_counter()
    assistant.answer(question)
    took.append((time.perf_counter() - start) * 1000)
print(json.dumps(took))
"""
MEASURES = ("p50", "p95", "mean")


def timed_answers(root: Path, warm: list[str], timed: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _TIMER], cwd=root, input=json.dumps({"warm": warm, "timed": timed}),
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    took = np.array(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"p50": float(np.percentile(took, 50)), "p95": float(np.percentile(took, 95)), "mean": float(took.mean())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the code to compare against, e.g. HEAD~3 or a commit")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--questions", type=int, default=400, help="timed questions per round")
    args = parser.parse_args()
    warm = QUESTIONS[:30]
    with checkout(args.revision) as old:
        versions = {args.revision: old, "working tree": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in versions}
        for round_ in range(args.rounds):
            start = 30 + round_ * args.questions % (len(QUESTIONS) - 30)
            timed = (QUESTIONS[start:] + QUESTIONS[30:start])[:args.questions]
            for name in list(versions) if round_ % 2 == 0 else list(versions)[::-1]:
                runs[name].append(timed_answers(versions[name], warm, timed))
                print(f"round {round_ + 1} {name}: " + ", ".join(f"{m} {runs[name][-1][m]:.2f} ms" for m in MEASURES),
                      flush=True)
    print(f"\nmedians over {args.rounds} rounds of {args.questions} unique questions, warm, in process")
    print(f"{'measure':8} {args.revision:>14} {'working tree':>14} {'ratio':>7}")
    for measure in MEASURES:
        a, b = (statistics.median(r[measure] for r in runs[name]) for name in versions)
        print(f"{measure:8} {a:>11.2f} ms {b:>11.2f} ms {a / b:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
