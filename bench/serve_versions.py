"""`serve` at a git revision against the working tree, on the same machine in one run: `python bench/serve_versions.py REV`.

The revision is checked out into a throwaway `git worktree` (removed at the end) that uses this checkout's exported
encoder (`models/`) and index (`index/`), so both serve the same index with their own code. Each round starts
`serve --workers N` (1 unless `--workers`) once per version (alternating which goes first) and sends POST /api/chat
at 1, 8 and 32 concurrent clients, every question unique and the same for both versions (until session 29 each
version got other questions in a round, and long messages are slower); it prints the medians over rounds and their
ratios. The HTTP figures of one `make bench` move by 20 % between runs on this machine (the load generator shares
its cores): a change to the answer path shows here, against the code before it, or not at all. Nothing here asserts
a timing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench import QUESTIONS, ROOT, Server, bench_http  # noqa: E402

from assistant.settings import Settings  # noqa: E402

MEASURES = {"1 client answers/s": ("clients_1", "answers_per_s"), "8 clients answers/s": ("clients_8", "answers_per_s"),
            "8 clients p95 ms": ("clients_8", "p95_ms"), "32 clients answers/s": ("clients_32", "answers_per_s"),
            "32 clients p95 ms": ("clients_32", "p95_ms"), "errors": ("clients_32", "errors")}


@contextmanager
def checkout(revision: str):
    """A worktree of `revision` that serves this checkout's encoder export and index."""
    folder = Path(tempfile.mkdtemp(prefix="serve-versions-")) / "checkout"
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), revision], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        (folder / "models").symlink_to(ROOT / "models")
        for entry in (ROOT / "index").iterdir():
            if not (folder / "index" / entry.name).exists():
                (folder / "index" / entry.name).symlink_to(entry)
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the code to compare against, e.g. HEAD~3 or a commit")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--requests", type=int, default=150, help="requests per concurrency level")
    parser.add_argument("--workers", type=int, default=1, help="worker processes of each `serve`")
    args = parser.parse_args()
    index = Settings().index_dir
    with checkout(args.revision) as old:
        versions = {args.revision: old, "working tree": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in versions}
        for round_ in range(args.rounds):
            order = list(versions) if round_ % 2 == 0 else list(versions)[::-1]
            for name in order:
                offset = round_ * 3 * args.requests % len(QUESTIONS)  # both versions get the same questions
                questions = (QUESTIONS[offset:] + QUESTIONS[:offset])[:3 * args.requests]
                server = Server(index, args.workers, root=versions[name])
                try:
                    server.wait_until_ready()
                    bench_http(server, QUESTIONS[-60:], 20)  # warm-up
                    runs[name].append(bench_http(server, questions, args.requests))
                finally:
                    server.stop()
                print(f"round {round_ + 1} {name}: " + ", ".join(
                    f"{m} {runs[name][-1][level][key]}" for m, (level, key) in MEASURES.items()), flush=True)
    print(f"\nmedians over {args.rounds} rounds, serve --workers {args.workers}")
    print(f"{'measure':22} {args.revision:>14} {'working tree':>14} {'ratio':>7}")
    for measure, (level, key) in MEASURES.items():
        a, b = (statistics.median(r[level][key] for r in runs[name]) for name in versions)
        print(f"{measure:22} {a:>14.1f} {b:>14.1f} {a / b if b else float('nan'):>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
