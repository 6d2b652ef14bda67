"""Serving embeds questions with the exported ONNX encoder: same vectors as the index, no torch in the process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import onnx
import pytest

from assistant.embedding import QueryEncoder
from assistant.engine import Engine, store_for
from assistant.errors import IndexNotReady
from assistant.indexing import build
from assistant.settings import ROOT, Settings

_SERVE_ONE_QUESTION = textwrap.dedent("""
    import json, sys
    from fastapi.testclient import TestClient
    from assistant.web.app import app
    with TestClient(app) as client:
        reply = client.post("/api/chat", json={"message": "how long should i ice my hip"})
    heavy = sorted({name.split(".")[0] for name in sys.modules} & {"torch", "sentence_transformers", "transformers",
                                                                   "sklearn"})
    print(json.dumps({"status": reply.status_code, "answer": reply.json().get("status"), "heavy": heavy}))
""")


def test_serving_never_imports_torch_or_sentence_transformers(built_settings):
    """The app answers a question through its API without loading torch, transformers or scikit-learn."""
    run = subprocess.run([sys.executable, "-c", _SERVE_ONE_QUESTION], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, env={**os.environ, "HIP_INDEX_DIR": str(built_settings.index_dir),
                                           "HIP_FEEDBACK_PATH": "off"})
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {"status": 200, "answer": "answered", "heavy": []}


def test_question_vectors_equal_the_index_vectors(engine, embedder):
    """Every chunk re-embedded by the ONNX encoder lands on the vector sentence-transformers stored in Chroma."""
    assert isinstance(engine.embedder, QueryEncoder)
    stored = engine.store.chunk_vectors(engine.generation.name, [c.id for c in engine.chunks])
    onnx_vectors = engine.embedder.encode([c.embedding_text for c in engine.chunks])
    cosines = [float(stored[c.id] @ v) for c, v in zip(engine.chunks, onnx_vectors)]
    assert min(cosines) > 0.9999, min(cosines)
    questions = ["my hip hurts after long runs", "wat is bursitis", "Can I keep running with hip pain?"]
    assert np.allclose(engine.embedder.encode(questions), embedder.encode(questions), atol=1e-5)


def test_texts_embedded_together_get_the_vectors_each_gets_alone(built_settings):
    """A message's parts go to the encoder in one padded batch: a short part padded to the longest must keep its
    own vector, or the same question would be answered differently alone and inside a longer message."""
    texts = ["hip?", "how long should i ice my hip after a long run on the road",
             "my hip has been achy for about two weeks since i started doing track intervals and hill repeats, "
             "my coach says push through it but i am not sure that is smart", "clamshells"]
    encoder = QueryEncoder(built_settings.encoder_path)
    together = encoder.encode(texts)
    alone = np.concatenate([encoder.encode([text]) for text in texts])
    assert np.abs(together - alone).max() < 1e-5
    engine = Engine(built_settings, embedder=encoder)
    assert np.abs(engine.embed_many(texts[::-1]) - alone[::-1]).max() < 1e-5


def test_texts_are_batched_by_length_so_padding_costs_less_than_calls():
    import doctest

    from assistant import embedding

    assert doctest.testmod(embedding).failed == 0
    lengths = sorted([7, 9, 11, 12, 14, 30, 33, 120])
    split = embedding.batches(lengths, 32)
    assert [i for batch in split for i in batch] == list(range(len(lengths)))  # every text once, in order
    assert [list(b) for b in split][-1] == [7]  # the long message alone: padding six parts to it would cost more
    assert all(len(b) <= 3 for b in embedding.batches(list(range(1, 10)), 3))


def test_the_export_runs_each_layers_attention_as_one_fused_kernel(built_settings, embedder):
    """ONNX Runtime's optimizer fused the traced attention (a transformers upgrade that changes the traced pattern
    would silently leave the slower unfused graph): one Attention node per layer, one embedding layer norm."""
    ops = [node.op_type for node in onnx.load(str(built_settings.encoder_path)).graph.node]
    layers = embedder.model[0].auto_model.config.num_hidden_layers
    assert (ops.count("Attention"), ops.count("EmbedLayerNormalization")) == (layers, 1), sorted(set(ops))


def test_a_missing_or_foreign_encoder_is_refused_with_the_command_that_fixes_it(built_settings, tmp_path):
    missing = QueryEncoder(tmp_path / "nowhere.onnx")
    with pytest.raises(IndexNotReady, match="python -m assistant index"):
        missing.encode(["hip pain"])

    foreign = tmp_path / "foreign.onnx"
    graph = onnx.load(str(built_settings.encoder_path))
    onnx.helper.set_model_props(graph, {"model": "someone/else@123", "format": "onnx-fp32-meanpool-l2-v1"})
    onnx.save(graph, str(foreign))
    with pytest.raises(IndexNotReady, match="another model.*python -m assistant index"):
        QueryEncoder(foreign).encode(["hip pain"])


def test_a_rebuild_exports_the_encoder_only_when_it_is_missing(built_settings, embedder, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(built_settings.index_dir, index)
    shutil.copy(built_settings.encoder_path, tmp_path / "encoder.onnx")
    for weights in built_settings.encoder_path.parent.glob("*.data"):  # the graph names its weights file beside it
        shutil.copy(weights, tmp_path / weights.name)
    settings = Settings(index_dir=index, encoder_path=tmp_path / "encoder.onnx")
    assert "Exported" not in build(settings, store_for(settings), embedder, progress=False).summary()
    settings.encoder_path.unlink()
    with pytest.raises(IndexNotReady, match="python -m assistant index"):
        Engine(settings).warm_up()
    report = build(settings, store_for(settings), embedder, progress=False)
    assert report.noop and f"Exported the query encoder to {settings.encoder_path}" in report.summary()
    assert Engine(settings).retrieve("how long should i ice my hip", k=1)[0].chunk.label == "Apply ice."


def _weights_files(folder, stem="all-MiniLM-L6-v2"):
    return sorted(p.name for p in folder.glob(f"{stem}.*.data"))


def test_the_encoder_weights_sit_in_one_file_beside_it_which_serving_maps_instead_of_copying(built_settings, engine):
    """The graph file is small and its weights are one content-named file beside it, as readable as the graph;
    ONNX Runtime maps that file into a serving process (42 MB less held by each worker than a copy)."""
    folder = built_settings.encoder_path.parent
    [weights] = _weights_files(folder)
    assert built_settings.encoder_path.stat().st_size < 1_000_000 < (folder / weights).stat().st_size
    assert (folder / weights).stat().st_mode & 0o777 == built_settings.encoder_path.stat().st_mode & 0o777
    engine.embed("does my hip need rest")
    maps = open("/proc/self/maps").read()  # noqa: SIM115
    assert str((folder / weights).resolve()) in maps


def test_exporting_again_leaves_one_weights_file_and_a_lost_one_is_refused_with_the_fix(embedder, tmp_path):
    """A second export over the first replaces it and leaves no stale weights behind; an encoder whose weights
    file went missing is refused with the command that exports it again, not with ONNX Runtime's own error."""
    target = tmp_path / "models" / "encoder.onnx"
    embedder.export(target)
    (target.parent / "encoder.0123456789ab.data").write_bytes(b"left by an older export")
    embedder.export(target)
    [weights] = _weights_files(target.parent, "encoder")
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(["encoder.onnx", weights])
    assert QueryEncoder(target).encode(["hip pain"]).shape == (1, 384)
    for weights in target.parent.glob("*.data"):
        weights.unlink()
    with pytest.raises(IndexNotReady, match="cannot be loaded.*python -m assistant index"):
        QueryEncoder(target).encode(["hip pain"])


def test_a_serving_process_embeds_on_one_thread_and_one_asking_alone_on_every_core(built_settings):
    """`serve` runs requests side by side, one core each; `ask` and `eval` answer one question at a time, and embed it
    on every core (bench/encoder_threads.py). The vectors, and so the answers, are the same either way."""
    from assistant.web.service import AnswerService

    settings = built_settings.model_copy(update={"encoder_threads": 0})
    alone = Engine(settings).embedder
    serving = Engine(AnswerService(settings).settings).embedder
    assert (serving.threads, alone.threads) == (1, os.cpu_count())
    questions = ["my hip hurts after long runs", "how long should i ice", "is it ok to run through bursitis pain?"]
    assert np.array_equal(serving.encode(questions), alone.encode(questions))
    pinned = Engine(AnswerService(settings.model_copy(update={"encoder_threads": 3})).settings).embedder
    assert pinned.threads == 3  # HIP_ENCODER_THREADS set by hand is kept
