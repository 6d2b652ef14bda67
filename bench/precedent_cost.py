"""What retrieval by precedent costs a warm answer: the same unique questions answered with and without the
precedents, alternating which goes first, in one process. Prints medians and the ratio.

    .venv/bin/python bench/precedent_cost.py [--questions 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.chain import Assistant  # noqa: E402
from assistant.evaluation.answer_set import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    texts = list(dict.fromkeys(t.text for f in sorted((ROOT / "eval" / "answers").glob("*.jsonl"))
                               for item in load(f) for t in item.turns[:1]))[: args.questions]
    with_them, without = Assistant(), Assistant()
    without.use_precedents(None)
    for text in texts[:20]:  # warm up both (models, caches of the article's own vectors)
        with_them.answer(text + " ?"), without.answer(text + " ?")
    times: dict[str, list[float]] = {"with precedents": [], "without": []}
    for i, text in enumerate(texts):
        pair = [("with precedents", with_them), ("without", without)]
        for name, assistant in pair if i % 2 else pair[::-1]:
            with assistant._cache_lock:
                assistant._cache.clear()  # every answer is computed, never served from the answer cache
            start = time.perf_counter()
            assistant.answer(text)
            times[name].append((time.perf_counter() - start) * 1000)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:16} warm answer p50 {value:6.2f} ms  p95 {statistics.quantiles(times[name], n=20)[-1]:6.2f} ms"
              f"  ({len(times[name])} unique questions)")
    print(f"ratio with/without: {medians['with precedents'] / medians['without']:.3f}")


if __name__ == "__main__":
    main()
