"""Three exports of the query encoder, timed on the same unique questions in one process, interleaved:

- `plain`: the transformer traced as transformers runs it (scaled-dot-product attention), no fusion — the export
  before session 15;
- `fused`: what `Embedder.export` writes now — traced with plain ("eager") attention, which ONNX Runtime's
  transformer optimizer fuses into one Attention kernel per layer;
- `int8`: `fused` with its MatMul weights quantized to int8 per channel (dynamic quantization). Measured, not
  shipped: the eval's retrieval recall@3 and key facts dropped with it (bench/README.md).

`python bench/encoder_exports.py [--rounds 6]`: one thread per session, as serving runs it; prints each export's
median time per question, its ratio to `plain`, and its cosine to `plain` (min and median). Nothing here asserts a
timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import QUESTIONS  # noqa: E402

from assistant.embedding import Embedder, QueryEncoder  # noqa: E402


def sessions(folder: Path) -> dict[str, object]:
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    embedder = Embedder()
    embedder.trace(folder / "plain.onnx")  # the model's own attention, no fusion
    embedder.export(folder / "fused.onnx")
    quantize_dynamic(str(folder / "fused.onnx"), str(folder / "int8.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, op_types_to_quantize=["MatMul"], extra_options={"DefaultTensorType": 1})
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 1, 1
    return {name: onnxruntime.InferenceSession(str(folder / f"{name}.onnx"), options,
                                               providers=["CPUExecutionProvider"])
            for name in ("plain", "fused", "int8")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-encoders-") as folder:
        runs = sessions(Path(folder))
        encoder = QueryEncoder(Path(folder) / "fused.onnx")  # its tokenizer only: each export gets the same inputs
        feeds = [encoder.feed([question]) for question in QUESTIONS[20:420]]
        vectors = {name: np.concatenate([run.run(None, feed)[0] for feed in feeds]) for name, run in runs.items()}
        medians: dict[str, list[float]] = {name: [] for name in runs}
        for round_ in range(args.rounds):  # alternate the order, so no export always runs first
            for name in (list(runs) if round_ % 2 else list(reversed(runs))):
                times = []
                for feed in feeds:
                    start = time.perf_counter()
                    runs[name].run(None, feed)
                    times.append(time.perf_counter() - start)
                medians[name].append(statistics.median(times))
    base = statistics.median(medians["plain"])
    print(f"{len(feeds)} unique questions x {args.rounds} rounds, one thread; median of the rounds' medians")
    for name, rounds in medians.items():
        cosine = (vectors[name] * vectors["plain"]).sum(axis=1)
        print(f"{name:6} {statistics.median(rounds) * 1000:6.2f} ms  {base / statistics.median(rounds):4.2f}x "
              f"faster than plain  cosine to plain: min {cosine.min():.4f}, median {np.median(cosine):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
