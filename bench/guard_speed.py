"""How fast is the red-flag guard? Rerun with `python bench/guard_speed.py` from the repo root.

Times `check()` on every phrasing of the guard's test table (tests/test_guard.py, the one source of
truth), one call per sample, over many rounds. A baseline measured in the same run, one precompiled
`re.search` of a single simple pattern over the same messages, makes the numbers comparable across
machines. Prints numbers only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.guard import check  # noqa: E402


def load_messages() -> tuple[str, ...]:
    """Every message of the test table (positives, negatives, multi-turn turns, bypass attempts)."""
    spec = importlib.util.spec_from_file_location("test_guard", ROOT / "tests" / "test_guard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ALL_MESSAGES


def sample(fn: Callable[[str], object], messages: tuple[str, ...], rounds: int) -> list[float]:
    """Microseconds per call, one sample per message per round."""
    timer = time.perf_counter_ns
    samples = []
    gc.disable()
    try:
        for _ in range(rounds):
            for message in messages:
                start = timer()
                fn(message)
                samples.append((timer() - start) / 1000)
    finally:
        gc.enable()
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="passes over the table (default 200)")
    rounds = parser.parse_args().rounds

    messages = load_messages()
    baseline_regex = re.compile(r"\bhip\b")
    for message in messages:  # warm up
        check(message)

    guard = sample(check, messages, rounds)
    baseline = sample(baseline_regex.search, messages, rounds)

    guard_median, baseline_median = statistics.median(guard), statistics.median(baseline)
    guard_p95, baseline_p95 = p95(guard), p95(baseline)
    print(f"messages: {len(messages)}, rounds: {rounds}, calls: {len(guard)}, python {sys.version.split()[0]}")
    print(f"guard.check      median {guard_median:8.1f} µs/message   p95 {guard_p95:8.1f} µs/message")
    print(f"baseline search  median {baseline_median:8.2f} µs/message   p95 {baseline_p95:8.2f} µs/message")
    print(f"ratio guard/baseline: median {guard_median / baseline_median:.0f}x, p95 {guard_p95 / baseline_p95:.0f}x")


if __name__ == "__main__":
    main()
