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
QUESTIONS = [c["question"] for c in CASES if c["kind"] in ("answerable", "unanswerable")]
GOLD = [c for c in CASES if c["kind"] == "answerable"]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentiles(samples: list[float]) -> dict:
    return {"p50_ms": ms(np.percentile(samples, 50)), "p95_ms": ms(np.percentile(samples, 95)),
            "p99_ms": ms(np.percentile(samples, 99)), "n": len(samples)}


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def relevant(text: str, heading: str, case: dict) -> bool:
    return heading in case.get("gold_sections", []) or any(q in text for q in case.get("gold_quotes", []))


# -- in process ----------------------------------------------------------------------------------
def bench_answers(assistant: Assistant, rounds: int) -> dict:
    """Warm answers (cache bypassed) against the retrieval floor: one query embedding + one Chroma query."""
    engine = assistant.engine
    for q in QUESTIONS:
        assistant.chain.invoke(assistant._start(q, []))  # warm-up
    full, floor = [], []
    for _ in tqdm(range(rounds), desc="answers", unit="round"):
        for q in QUESTIONS:
            full.append(timed(lambda: assistant.chain.invoke(assistant._start(q, []))))
            floor.append(timed(lambda: engine.store.query(engine.generation.name, engine.embed(q), 4)))
    cached = [timed(assistant.answer, QUESTIONS[0]) for _ in range(200)]
    return {"answer": percentiles(full), "retrieval_floor": percentiles(floor),
            "ratio_answer_to_floor_p50": round(float(np.median(full) / np.median(floor)), 2),
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
        latencies += [timed(store.similarity_search, q, 4) for q in QUESTIONS]
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
    env = {**os.environ, "HIP_INDEX_DIR": str(index_dir)}
    cli = []
    for _ in tqdm(range(repeats), desc="cold start (CLI)", unit="run"):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "assistant", "ask", "how long should i ice my hip"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        cli.append(time.perf_counter() - start)
    help_ = [timed(subprocess.run, [sys.executable, "-m", "assistant", "--help"]) for _ in range(repeats)]
    return {"process_start_to_first_answer_s": round(statistics.median(cli), 2),
            "cli_help_s": round(statistics.median(help_), 3)}


class Server:
    """The real app under uvicorn in its own process, on a free 127.0.0.1 port."""

    def __init__(self, index_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HIP_INDEX_DIR": str(index_dir), "HIP_RATE_LIMIT_PER_MINUTE": "100000000",
               "HIP_FEEDBACK_PATH": "off"}
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1",
                                         "--port", str(self.port), "--log-level", "warning"], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for_page(self, timeout: float = 120) -> float:
        import httpx

        while time.perf_counter() - self.started < timeout:
            try:
                if httpx.get(self.url + "/", timeout=2).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the app did not serve its page in time")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def distinct(question: str, n: int) -> str:
    """The same question in a letter case no earlier request used, so the server's answer cache never
    hits (the embedding model and BM25 are case-blind: retrieval and the answer are unchanged)."""
    letters = [i for i, ch in enumerate(question) if ch.isalpha()]
    chars = list(question.lower())
    for bit, index in enumerate(letters[:40]):
        if n >> bit & 1:
            chars[index] = chars[index].upper()
    return "".join(chars)


def bench_http(server: Server, requests_per_level: int, time_limit_s: float) -> dict:
    import httpx

    results = {}
    with httpx.Client(timeout=30) as client:
        client.post(server.url + "/api/chat", json={"message": QUESTIONS[0]})
        for clients in (1, 8, 32):
            latencies, errors, lock = [], 0, threading.Lock()
            deadline = time.perf_counter() + time_limit_s
            questions = [distinct(QUESTIONS[i % len(QUESTIONS)], clients * 100_000 + i) for i in range(requests_per_level)]

            def one(question: str) -> None:
                nonlocal errors
                if time.perf_counter() > deadline:
                    return
                start = time.perf_counter()
                try:
                    ok = client.post(server.url + "/api/chat", json={"message": question}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - start)
                    errors += not ok

            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(tqdm(pool.map(one, questions), total=len(questions), desc=f"http x{clients}", unit="req"))
            elapsed = time.perf_counter() - start
            results[f"clients_{clients}"] = {"answers_per_s": round(len(latencies) / elapsed, 1), "errors": errors,
                                            **{k: v for k, v in percentiles(latencies).items() if k != "p99_ms"}}
    return results


def table(results: dict) -> str:
    a, lc, ix, cold, http = (results[k] for k in ("in_process", "langchain_baseline", "index", "cold_start", "http"))
    rows = [
        ("warm answer p50 / p95 / p99", f"{a['answer']['p50_ms']} / {a['answer']['p95_ms']} / {a['answer']['p99_ms']} ms",
         "p50 ≤ 20 ms, p95 ≤ 40 ms"),
        ("retrieval floor p50 (embed + Chroma query)", f"{a['retrieval_floor']['p50_ms']} ms", ""),
        ("answer / floor at the median", f"{a['ratio_answer_to_floor_p50']}×", "≤ 2×"),
        ("cached repeat answer p50", f"{a['cached_answer']['p50_ms']} ms", ""),
        ("LangChain baseline similarity_search(k=4) p50", f"{lc['similarity_search']['p50_ms']} ms", ""),
        ("recall@3: ours / LangChain baseline", f"{lc['recall_at_3_ours']} / {lc['recall_at_3_baseline']}", ""),
        *[(f"HTTP {n} clients: answers/s, p50, p95, errors",
           f"{h['answers_per_s']}/s, {h['p50_ms']} ms, {h['p95_ms']} ms, {h['errors']}",
           "≥ 50/s, p95 ≤ 200 ms at 8; no errors at 32") for n, h in
          ((k.split('_')[1], v) for k, v in http.items() if k.startswith("clients_"))],
        ("cold start: process start → first answer", f"{cold['process_start_to_first_answer_s']} s", "≤ 6 s"),
        ("cold start: app start → first page", f"{http['app_start_to_first_page_s']} s", ""),
        ("CLI --help", f"{cold['cli_help_s']} s", ""),
        ("index: full build / no-op / one changed paragraph",
         f"{ix['full_build_s']} s / {ix['noop_rebuild_s']} s / {ix['one_changed_paragraph_s']} s",
         "full ≤ 15 s, no-op ≤ 1 s"),
        ("chunks embedded per second", f"{ix['chunks_embedded_per_s']}", ""),
        ("served app peak RSS", f"{http['peak_rss_mb']} MB", "≤ 1.2 GB"),
    ]
    lines = [f"Run {results['date']} on {results['machine']}.", "", "| measure | result | target |", "|---|---|---|"]
    return "\n".join(lines + [f"| {m} | {r} | {t} |" for m, r, t in rows]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="repeats of the in-process question set")
    parser.add_argument("--requests", type=int, default=400, help="requests per HTTP concurrency level")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        settings = Settings(index_dir=work / "index")
        embedder = Embedder()
        build(settings, store_for(settings), embedder, progress=False)
        assistant = Assistant(Engine(settings, embedder=embedder).warm_up())
        results = {"date": date.today().isoformat(),
                   "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                   "in_process": bench_answers(assistant, args.rounds),
                   "langchain_baseline": bench_langchain_baseline(assistant.engine, args.rounds),
                   "index": bench_index(embedder, 3),
                   "cold_start": bench_cold_start(settings.index_dir, 3)}
        server = Server(settings.index_dir)
        try:
            first_page = server.wait_for_page()
            results["http"] = bench_http(server, args.requests, time_limit_s=60)
            results["http"]["app_start_to_first_page_s"] = round(first_page, 2)
            results["http"]["peak_rss_mb"] = server.peak_rss_mb()
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
