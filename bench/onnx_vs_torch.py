"""Warm answers with the query encoder on ONNX Runtime (serving) against the same assistant with questions embedded
by sentence-transformers on torch (the path before the ONNX export), in one process, on the same unique questions.

`python bench/onnx_vs_torch.py`: prints medians and p95 of both and their ratio. Nothing here asserts a timing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import QUESTIONS  # noqa: E402

from assistant.chain import Assistant  # noqa: E402
from assistant.embedding import Embedder  # noqa: E402
from assistant.engine import Engine  # noqa: E402


def answer_times(assistant: Assistant, questions: list[str]) -> list[float]:
    times = []
    for question in questions:
        start = time.perf_counter()
        assistant._pipeline.invoke(assistant._start(question, []))  # the chain itself: the answer cache is not asked
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    import torch

    torch.set_num_threads(1)  # one question on one thread, as serving embedded before the export
    onnx, torch_path = Assistant(Engine().warm_up()), Assistant(Engine(embedder=Embedder()).warm_up())
    warm, questions = QUESTIONS[:20], QUESTIONS[20:420]
    for assistant in (onnx, torch_path):
        answer_times(assistant, warm)
    # Interleaved halves, so a slow spell of the machine hits both alike.
    results = {"onnx": [], "torch": []}
    for half in (questions[::2], questions[1::2]):
        results["onnx"] += answer_times(onnx, half)
        results["torch"] += answer_times(torch_path, half[::-1])
    for name, times in results.items():
        print(f"{name:5s}: p50 {1000 * statistics.median(times):6.2f} ms, p95 {1000 * np.percentile(times, 95):6.2f} ms "
              f"({len(times)} unique questions)")
    print(f"torch / onnx at the median: {statistics.median(results['torch']) / statistics.median(results['onnx']):.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
