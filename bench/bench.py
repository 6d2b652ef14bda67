"""The benchmark: `python bench/bench.py` (or `make bench`). Prints medians and ratios, writes bench/results.json.

Every timing is a median (or percentile) over repeated runs, and every ratio compares two
things measured in this same run, so the numbers travel between machines better than
absolute times do. Nothing here asserts a timing; the tests never do either.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import yaml
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import assistant  # noqa: E402,F401 — telemetry off, offline
from assistant.chain import Assistant  # noqa: E402
from assistant.embedding import Embedder  # noqa: E402
from assistant.engine import Engine, store_for  # noqa: E402
from assistant.indexing import build  # noqa: E402
from assistant.settings import Settings  # noqa: E402

CASES = yaml.safe_load((ROOT / "eval" / "cases.yaml").read_text())["cases"]
GOLD = [c for c in CASES if c["kind"] == "answerable"]


def unique_questions() -> list[str]:
    """Every distinct single question the repository holds (eval cases, calibration set, dev answer set), so no
    timed request is ever a repeat: the answer cache and the embedding cache never help (they are timed apart)."""
    texts = [c["question"] for c in CASES if c["kind"] in ("answerable", "unanswerable", "lookalike")]
    texts += [q["question"] for q in yaml.safe_load((ROOT / "eval" / "calibration.yaml").read_text())["questions"]]
    for line in (ROOT / "eval" / "answers" / "dev_singles.jsonl").read_text().splitlines():
        texts += [turn["text"] for turn in json.loads(line)["turns"]]
    seen, out = set(), []
    for text in texts:
        if text.strip().lower() not in seen:
            seen.add(text.strip().lower())
            out.append(text)
    return out


QUESTIONS = unique_questions()


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentiles(samples: list[float]) -> dict:
    return {"p50_ms": ms(np.percentile(samples, 50)), "p95_ms": ms(np.percentile(samples, 95)),
            "p99_ms": ms(np.percentile(samples, 99)), "n": len(samples)}


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def relevant(text: str, heading: str, case: dict) -> bool:
    return heading in case.get("gold_sections", []) or any(q in text for q in case.get("gold_quotes", []))


# -- in process ----------------------------------------------------------------------------------
def bench_answers(assistant: Assistant, embedder: Embedder) -> dict:
    """Warm answers to unique questions, with the time of each step, against two floors measured in this run: one
    question embedded by the serving encoder (ONNX Runtime) and by sentence-transformers on torch (one thread, as
    serving ran it before), and every chunk ranked by a Chroma query and in memory (the dense leg)."""
    import torch

    engine = assistant.engine
    warm, timed_questions = QUESTIONS[:20], QUESTIONS[20:]
    for q in warm:
        assistant._pipeline.invoke(assistant._start(q, []))
    full, steps = [], {}
    for q in tqdm(timed_questions, desc="answers", unit="question"):
        start = time.perf_counter()
        answer = assistant._pipeline.invoke(assistant._start(q, []))
        full.append(time.perf_counter() - start)
        for step, took in answer.timings_ms.items():
            steps.setdefault(step, []).append(took / 1000)
    torch.set_num_threads(1)
    sample = timed_questions[:200]
    onnx_floor = [timed(engine.embedder.encode, [q]) for q in sample]
    torch_floor = [timed(embedder.encode, [q]) for q in sample]
    vectors = engine.embedder.encode(sample[:50])
    chroma = [timed(engine.store.query, engine.generation.name, v, len(engine.chunks)) for v in vectors]
    in_memory = [timed(engine.retriever.similarity, v) for v in vectors]
    cached = [timed(assistant.answer, QUESTIONS[0]) for _ in range(200)]
    return {"answer": percentiles(full), "steps": {k: percentiles(v) for k, v in steps.items()},
            "embed_onnx": percentiles(onnx_floor), "embed_torch": percentiles(torch_floor),
            "ratio_torch_to_onnx_embed_p50": round(float(np.median(torch_floor) / np.median(onnx_floor)), 2),
            "chroma_query": percentiles(chroma), "dense_in_memory_p50_us": round(float(np.median(in_memory)) * 1e6, 1),
            "ratio_chroma_to_in_memory_p50": round(float(np.median(chroma) / np.median(in_memory)), 1),
            "cached_answer": percentiles(cached)}


def bench_langchain_baseline(engine: Engine, rounds: int) -> dict:
    """The tutorial way: langchain-chroma similarity_search(k=4) with HuggingFaceEmbeddings, same chunks."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=str(engine.embedder.model_path), model_kwargs={"device": "cpu"})
    store = Chroma(collection_name="baseline", embedding_function=embeddings)
    store.add_documents([Document(c.embedding_text, metadata={"heading": c.heading_path[-1]}) for c in engine.chunks])
    for q in QUESTIONS[:10]:
        store.similarity_search(q, k=4)
    latencies = []
    for _ in tqdm(range(rounds), desc="langchain baseline", unit="round"):
        latencies += [timed(store.similarity_search, q, 4) for q in QUESTIONS[:100]]
    ours = sum(any(relevant(h.chunk.text, h.chunk.heading_path[-1], c) for h in engine.retrieve(c["question"], k=3))
               for c in GOLD) / len(GOLD)
    theirs = sum(any(relevant(d.page_content, d.metadata["heading"], c) for d in store.similarity_search(c["question"], k=3))
                 for c in GOLD) / len(GOLD)
    return {"similarity_search": percentiles(latencies), "recall_at_3_baseline": round(theirs, 3),
            "recall_at_3_ours": round(ours, 3)}


def bench_index(embedder: Embedder, repeats: int) -> dict:
    """Full build, no-op rebuild and one changed paragraph, in process with the model loaded."""
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        corpus = work / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        full = []
        for i in range(repeats):
            settings = Settings(corpus_dir=corpus, index_dir=work / f"index{i}")
            start = time.perf_counter()
            report = build(settings, store_for(settings), embedder, progress=False)
            full.append(time.perf_counter() - start)
        noop = [timed(build, settings, store_for(settings), embedder, False, False) for _ in range(repeats)]
        article = corpus / "article.md"
        original = article.read_text()
        changed = []
        for i in range(repeats):  # a different edit of the same paragraph each time
            article.write_text(original.replace("Ice can reduce swelling", f"Ice can reduce swelling (edit {i})"))
            changed.append(timed(build, settings, store_for(settings), embedder, False, False))
        return {"chunks": report.embedded_chunks, "full_build_s": round(statistics.median(full), 3),
                "noop_rebuild_s": round(statistics.median(noop), 4),
                "one_changed_paragraph_s": round(statistics.median(changed), 3),
                "chunks_embedded_per_s": round(report.embedded_chunks / statistics.median(full), 1)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- separate processes --------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_cold_start(index_dir: Path, repeats: int) -> dict:
    """`ask` from process start to its printed answer (what the user waits for) and to its exit (when the shell's
    prompt returns: the interpreter's teardown of the loaded modules comes after the answer), and `serve` from
    process start to a ready /api/health."""
    env = {**os.environ, "HIP_INDEX_DIR": str(index_dir)}
    ask, exited, ready = [], [], []
    for _ in tqdm(range(repeats), desc="cold start", unit="run"):
        answered, done = ask_once(env)
        ask.append(answered)
        exited.append(done)
        server = Server(index_dir, workers=1)
        try:
            ready.append(server.wait_until_ready())
        finally:
            server.stop()
    help_ = [timed(subprocess.run, [sys.executable, "-m", "assistant", "--help"], capture_output=True)
             for _ in range(repeats)]
    return {"ask_to_first_answer_s": round(statistics.median(ask), 2), "ask_to_exit_s": round(statistics.median(exited), 2),
            "serve_to_ready_s": round(statistics.median(ready), 2), "cli_help_s": round(statistics.median(help_), 3)}


def ask_once(env: dict) -> tuple[float, float]:
    """Seconds from starting `ask` to the first line of its answer on stdout, and to the process's exit."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "assistant", "ask", "how long should i ice my hip"], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = process.stdout.readline()
    answered = time.perf_counter() - start
    process.stdout.read()
    if process.wait() != 0 or not first.strip():
        raise RuntimeError(f"`ask` failed (exit {process.returncode}) or printed nothing")
    return answered, time.perf_counter() - start


class Server:
    """`python -m assistant serve --workers N` in its own process group, on a free 127.0.0.1 port; the code of the
    checkout at `root` (this one unless told)."""

    def __init__(self, index_dir: Path, workers: int, root: Path = ROOT):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HIP_INDEX_DIR": str(index_dir), "HIP_RATE_LIMIT_PER_MINUTE": "0",
               "HIP_FEEDBACK_PATH": "off"}
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port",
                                         str(self.port), "--workers", str(workers)], cwd=root, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def wait_until_ready(self, timeout: float = 120) -> float:
        """Seconds from process start until /api/health says the index and model are loaded."""
        import httpx

        while time.perf_counter() - self.started < timeout:
            try:
                if httpx.get(self.url + "/api/health", timeout=2).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
        raise RuntimeError("the app was not ready in time")

    def peak_rss_mb(self) -> list[float]:
        """Peak resident memory of each process serving requests (the workers; the process itself when alone)."""
        return [_peak_rss_mb(pid) for pid in (children(self.process.pid) or [self.process.pid])]

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(timeout=30)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a `serve` supervisor's workers)."""
    return [int(child) for child in os.listdir("/proc") if child.isdigit() and _parent(int(child)) == pid]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def http_level(url: str, clients: int, batch: list[str]) -> dict:
    """POST /api/chat with `clients` concurrent keep-alive connections (asyncio) sharing `batch`: answers a second,
    errors, p50 and p95."""
    import asyncio

    import httpx

    latencies, errors, queue = [], 0, list(reversed(batch))

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=60) as http:
            while queue:
                question = queue.pop()
                start = time.perf_counter()
                try:
                    ok = (await http.post(url + "/api/chat", json={"message": question})).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    return {"answers_per_s": round(len(latencies) / elapsed, 1), "errors": errors,
            **{k: v for k, v in percentiles(latencies).items() if k != "p99_ms"}}


def bench_http(server: Server, questions: list[str], per_level: int) -> dict:
    """POST /api/chat at 1, 8 and 32 concurrent clients (`http_level`), every question unique."""
    import asyncio

    results = {}
    for i, clients in enumerate(tqdm((1, 8, 32), desc="http levels", unit="level")):
        batch = questions[i * per_level:(i + 1) * per_level]
        results[f"clients_{clients}"] = asyncio.run(http_level(server.url, clients, batch))
    return results


def bench_page(server: Server, questions: list[str]) -> dict:
    """Chat page sessions (gradio_client, through the page's queue as a browser) that all ask at the same moment:
    the time from asking to the whole answer, for each."""
    from gradio_client import Client

    clients = [Client(server.url, verbose=False) for _ in questions]
    start, took = threading.Barrier(len(questions)), [0.0] * len(questions)

    def session(i: int) -> None:
        start.wait()
        began = time.perf_counter()
        clients[i].submit(questions[i], [], api_name="/page_ask").result(timeout=120)
        took[i] = time.perf_counter() - began

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(questions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"sessions": len(questions), "whole_answer_p50_s": round(statistics.median(took), 2),
            "whole_answer_max_s": round(max(took), 2)}


def table(results: dict) -> str:
    a, lc, ix, cold = (results[k] for k in ("in_process", "langchain_baseline", "index", "cold_start"))
    steps = ", ".join(f"{k} {v['p50_ms']}" for k, v in a["steps"].items())
    rows = [
        ("warm answer p50 / p95 / p99 (unique questions)",
         f"{a['answer']['p50_ms']} / {a['answer']['p95_ms']} / {a['answer']['p99_ms']} ms", "p50 ≤ 8 ms, p95 ≤ 15 ms"),
        ("steps p50 (ms)", steps, ""),
        ("one question embedded p50: ONNX Runtime / torch", f"{a['embed_onnx']['p50_ms']} / {a['embed_torch']['p50_ms']} "
         f"ms ({a['ratio_torch_to_onnx_embed_p50']}× faster)", ""),
        ("every chunk ranked p50: Chroma query / in memory (the dense leg)",
         f"{a['chroma_query']['p50_ms']} ms / {a['dense_in_memory_p50_us']} µs "
         f"({a['ratio_chroma_to_in_memory_p50']}× faster)", ""),
        ("cached repeat answer p50", f"{a['cached_answer']['p50_ms']} ms", ""),
        ("LangChain baseline similarity_search(k=4) p50", f"{lc['similarity_search']['p50_ms']} ms", ""),
        ("recall@3: ours / LangChain baseline", f"{lc['recall_at_3_ours']} / {lc['recall_at_3_baseline']}", ""),
    ]
    for workers, http in results["http"].items():
        for key, h in http.items():
            if key.startswith("clients_"):
                rows.append((f"HTTP, {workers.replace('_', ' ')}, {key.split('_')[1]} clients: answers/s, p50, p95, "
                             f"errors", f"{h['answers_per_s']}/s, {h['p50_ms']} ms, {h['p95_ms']} ms, {h['errors']}",
                             "≥ 120/s, p95 ≤ 120 ms at 8; p95 ≤ 500 ms, no errors at 32"))
        rows.append((f"peak RSS per worker, {workers.replace('_', ' ')}", " / ".join(f"{m} MB" for m in http["rss_mb"]),
                     "≤ 450 MB"))
    page = results["page"]
    rows += [
        (f"{page['sessions']} page sessions at once: whole answer p50 / max",
         f"{page['whole_answer_p50_s']} / {page['whole_answer_max_s']} s", "max ≤ 2 s"),
        ("cold start: `ask` → first answer", f"{cold['ask_to_first_answer_s']} s", "≤ 2.5 s"),
        ("cold start: `ask` → process exit", f"{cold['ask_to_exit_s']} s", ""),
        ("cold start: `serve` → ready /api/health", f"{cold['serve_to_ready_s']} s", "≤ 4 s"),
        ("CLI --help", f"{cold['cli_help_s']} s", ""),
        ("index: full build / no-op / one changed paragraph",
         f"{ix['full_build_s']} s / {ix['noop_rebuild_s']} s / {ix['one_changed_paragraph_s']} s", ""),
    ]
    lines = [f"Run {results['date']} on {results['machine']}.", "", "| measure | result | target |", "|---|---|---|"]
    return "\n".join(lines + [f"| {m} | {r} | {t} |" for m, r, t in rows]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="repeats of the LangChain baseline's question set")
    parser.add_argument("--requests", type=int, default=300, help="requests per HTTP concurrency level")
    parser.add_argument("--sessions", type=int, default=32, help="chat page sessions asking at once")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        settings = Settings(index_dir=work / "index")
        embedder = Embedder()
        build(settings, store_for(settings), embedder, progress=False)
        assistant = Assistant(Engine(settings).warm_up())
        results = {"date": date.today().isoformat(),
                   "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                   "in_process": bench_answers(assistant, embedder),
                   "langchain_baseline": bench_langchain_baseline(assistant.engine, args.rounds),
                   "index": bench_index(embedder, 3),
                   "cold_start": bench_cold_start(settings.index_dir, 3), "http": {}}
        for workers in (1, 2):
            server = Server(settings.index_dir, workers)
            try:
                server.wait_until_ready()
                results["http"][f"{workers}_worker" + "s" * (workers > 1)] = {
                    **bench_http(server, QUESTIONS, args.requests), "rss_mb": server.peak_rss_mb()}
                if workers == 1:
                    results["page"] = bench_page(server, QUESTIONS[-args.sessions:])
            finally:
                server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    markdown = table(results)
    (ROOT / "bench" / "results.md").write_text(markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
