"""May the int8 export serve? `python bench/int8_check.py`: the eval and the guard's sets with each encoder.

Issue 14 lets the int8 encoder (the shipped fused export with its MatMul weights quantized per channel, 1.75× faster
per question: encoder_exports.py) serve only if recall@3 and the eval do not drop. This exports it to a temporary
folder, then runs `eval` and `guard score` on every `eval/guard/*.jsonl` set twice, in fresh processes: with the
shipped encoder and with the int8 one. The index keeps sentence-transformers' fp32 vectors, so the int8 run relaxes
the start-up same-model check from cosine 0.999 to 0.98. Prints every eval metric that differs and the guard's
totals. Needs a built index (`make index`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUN = """import sys, assistant.engine as engine
engine.SAME_MODEL_COSINE = 0.98
from assistant.__main__ import main
sys.exit(main(sys.argv[1:]))"""


def assistant(args: list[str], encoder: Path | None) -> str:
    env = {**os.environ, **({"HIP_ENCODER_PATH": str(encoder)} if encoder else {})}
    done = subprocess.run([sys.executable, "-c", RUN, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # 1: a gate missed, still a result
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout


def guard_totals(encoder: Path | None) -> dict[str, list[int]]:
    totals = {"red flags caught": [0, 0], "urgent tier": [0, 0], "false alarms": [0, 0]}
    for data in sorted((ROOT / "eval" / "guard").glob("*.jsonl")):
        for line in assistant(["guard", "score", "-q", str(data)], encoder).splitlines():
            for name, total in totals.items():
                if match := re.match(rf"\s*{name}\s+(\d+)/(\d+)", line):
                    total[0] += int(match[1])
                    total[1] += int(match[2])
    return totals


def main() -> int:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from assistant.embedding import Embedder

    with tempfile.TemporaryDirectory() as folder:
        fused, int8 = Path(folder) / "fused.onnx", Path(folder) / "int8.onnx"
        Embedder().export(fused)
        quantize_dynamic(str(fused), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"], extra_options={"DefaultTensorType": 1})
        metrics = {}
        for name, encoder in (("shipped", None), ("int8", int8)):
            out = Path(folder) / f"eval-{name}"
            assistant(["eval", "-q", "--out", str(out)], encoder)
            scores = json.loads((out / "result.json").read_text())["metrics"]
            metrics[name] = ({k: v["score"] for k, v in scores.items()}, guard_totals(encoder))
    (shipped, shipped_guard), (quantized, quantized_guard) = metrics["shipped"], metrics["int8"]
    print(f"{'eval metric':40} {'shipped':>9} {'int8':>9}")
    for key, value in shipped.items():
        if abs(value - quantized[key]) > 1e-9:
            print(f"{key:40} {value:9.3f} {quantized[key]:9.3f}")
    print("\nguard, every eval/guard set:")
    for key, (hit, total) in shipped_guard.items():
        print(f"{key:18} shipped {hit}/{total}, int8 {quantized_guard[key][0]}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
