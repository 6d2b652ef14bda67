"""How fast is the red-flag guard? Rerun with `python bench/guard_speed.py` from the repo root.

Times `check()` one message at a time on the guard's test table (tests/test_guard.py) and on the
labelled messages of eval/guard/train.jsonl (longer, as people write them), three ways:
  - the rule table alone (`check(message)`);
  - both layers, with the message's sentence vectors already computed, as in the product, where the
    answer path embeds the same parts and `Engine.embed_many` keeps them (`check(message, embed=cached)`):
    what the guard adds on top of the embedding it shares;
  - one embedding of the message (sentence-transformers, one thread), for scale.
A baseline measured in the same run, one precompiled `re.search` of a single simple pattern over the
same messages, makes the numbers comparable across machines.

`--answers` (needs the index: `make index`) also times whole answers to everyday questions, cache
cleared, with the guard's meaning layer on and off in alternating rounds of the same process: what
it adds where users feel it. Prints numbers only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.guard_set import load  # noqa: E402
from assistant.guard import check, meaning_model  # noqa: E402
from assistant.guard.meaning import readings  # noqa: E402


def table_messages() -> list[str]:
    """Every message of the test table (positives, negatives, multi-turn turns, bypass attempts)."""
    spec = importlib.util.spec_from_file_location("test_guard", ROOT / "tests" / "test_guard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.ALL_MESSAGES)


def sample(fn: Callable[[str], object], messages: list[str], rounds: int) -> list[float]:
    """Milliseconds per call, one sample per message per round."""
    timer = time.perf_counter_ns
    samples = []
    gc.disable()
    try:
        for _ in range(rounds):
            for message in messages:
                start = timer()
                fn(message)
                samples.append((timer() - start) / 1e6)
    finally:
        gc.enable()
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over each message set (default 5)")
    parser.add_argument("--messages", type=int, default=400, help="labelled messages sampled (default 400)")
    parser.add_argument("--answers", action="store_true", help="also time whole answers with the layer on and off")
    args = parser.parse_args()

    from assistant.embedding import Embedder
    import re

    embedder = Embedder()
    labelled = [e.text for e in load(ROOT / "eval/guard/train.jsonl")]
    sets = {"test table": table_messages(), "labelled messages": random.Random(0).sample(labelled, args.messages)}
    vectors = {}
    for messages in sets.values():
        texts = sorted({t for m in messages for _, t in readings([m])})
        vectors.update(zip(texts, embedder.encode(texts)))
    cached = lambda texts: np.stack([vectors[t] for t in texts])  # noqa: E731 — Engine.embed_many, once the parts are embedded
    meaning_model()  # loaded once per process, as in the app
    baseline_regex = re.compile(r"\bhip\b")
    embedder.encode(["warm up"])

    print(f"python {sys.version.split()[0]}, rounds {args.rounds}; milliseconds per message")
    print(f"{'set':18} {'measure':34} {'median':>8} {'p95':>8} {'× baseline':>11}")
    for name, messages in sets.items():
        for message in messages:
            check(message, embed=cached)  # warm up: compiled patterns, the typo cache
        baseline = sample(baseline_regex.search, messages, args.rounds)
        rows = {
            "rule table only": sample(check, messages, args.rounds),
            "both layers, vectors shared": sample(lambda m: check(m, embed=cached), messages, args.rounds),
            "one embedding (for scale)": sample(lambda m: embedder.encode([m]), messages[:100], 1),
        }
        base = statistics.median(baseline)
        print(f"{name:18} {'baseline re.search':34} {base:8.4f} {p95(baseline):8.4f} {1:>10.0f}×")
        for label, samples in rows.items():
            median = statistics.median(samples)
            print(f"{name:18} {label:34} {median:8.3f} {p95(samples):8.3f} {median / base:>10.0f}×")
    if args.answers:
        answers_with_and_without_the_meaning_layer(rounds=4 * args.rounds)


EVERYDAY = ("how long should i ice my hip", "what stretches help tight hip flexors", "is it ok to run with bursitis",
            "how do i increase my mileage safely", "what causes it band pain on the outside of the hip",
            "should i see a physical therapist", "my hip hurts after long runs what can i do",
            "can i take ibuprofen before a run")


def answers_with_and_without_the_meaning_layer(rounds: int) -> None:
    """Whole answers, cache cleared so each embeds its question once; each question is answered with the layer on
    and off back to back (alternating which goes first), and the paired differences give the layer's cost."""
    from assistant import guard
    from assistant.chain import Assistant

    assistant = Assistant()
    assistant.answer("warm up")
    original = guard.check
    rules_only = lambda message, history=(), embed=None: original(message, history)  # noqa: E731

    def answer(question: str, with_meaning: bool) -> float:
        guard.check = original if with_meaning else rules_only
        assistant._cache.clear()
        assistant.engine._embedded.clear()
        return assistant.answer(question).timings_ms["total"]

    on, off, added = [], [], []
    try:
        for round_ in range(rounds):
            for question in EVERYDAY:
                order = (True, False) if round_ % 2 else (False, True)
                times = {variant: answer(question, variant) for variant in order}
                on.append(times[True])
                off.append(times[False])
                added.append(times[True] - times[False])
    finally:
        guard.check = original
    print(f"whole answers ({len(on)} pairs): rule table only {statistics.median(off):.2f} ms, both layers "
          f"{statistics.median(on):.2f} ms at the median; paired difference median {statistics.median(added):+.2f} ms "
          f"({statistics.median(on) / statistics.median(off):.3f}×)")


if __name__ == "__main__":
    main()
