"""What a run shows: the console table, result.json and a self-contained report.html (inline SVG, no assets)."""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from pathlib import Path

from . import charts
from .baseline import Baseline
from .changes import Changes
from .changes_report import CSS as CHANGES_CSS, changes_dict, changes_html
from .gate import Check
from .run import LATENCY_METRICS, MODES, CaseResult, EvalResult, retrieval_metric


# -- shared pieces ------------------------------------------------------------------------------------------
def _value(name: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} ms" if name in LATENCY_METRICS else f"{value:.3f}"


def _change(name: str, change: float | None) -> str:
    if change is None:
        return "—"
    if abs(change) < 5e-7:
        return "±0"
    return f"{change:+.1f} ms" if name in LATENCY_METRICS else f"{change:+.3f}"


def rows(result: EvalResult, checks: tuple[Check, ...], baseline: Baseline | None) -> list[tuple[str, ...]]:
    """(metric, value, gate, change since baseline, verdict) for every metric, in table order."""
    by_metric = {c.bound.metric: c for c in checks}
    out = []
    for name, metric in result.metrics.items():
        check = by_metric.get(name)
        out.append((name, _value(name, metric.score), str(check.bound) if check else "",
                    _change(name, baseline.change(name, metric.score)) if baseline else "—",
                    ("PASS" if check.passed else "FAIL") if check else ""))
    for name, check in by_metric.items():  # a gated metric the run did not produce still shows, and fails
        if name not in result.metrics:
            out.append((name, "missing", str(check.bound), "—", "FAIL"))
    return out


def retrieval_legs(result: EvalResult, k: int | None = None) -> dict[str, dict[str, float | None]]:
    k = k or result.k
    return {mode: {"recall": result.value(retrieval_metric("recall", k, mode)),
                   "mrr": result.value(retrieval_metric("mrr", k, mode))} for mode in MODES}


def failing(checks: tuple[Check, ...]) -> list[Check]:
    return [c for c in checks if not c.passed]


# -- console ------------------------------------------------------------------------------------------------
def format_table(result: EvalResult, checks: tuple[Check, ...], baseline: Baseline | None) -> str:
    header = ("metric", "value", "gate", "Δ baseline", "verdict")
    body = rows(result, checks, baseline)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    line = lambda r: "  ".join(cell.ljust(w) if i in (0, 4) else cell.rjust(w)  # noqa: E731
                               for i, (cell, w) in enumerate(zip(r, widths))).rstrip()
    lines = [line(header), "  ".join("-" * w for w in widths)] + [line(r) for r in body]
    legs = retrieval_legs(result)
    best = max(MODES, key=lambda mode: (legs[mode]["recall"] or 0.0, legs[mode]["mrr"] or 0.0))
    default = result.meta.get("retrieval_default", "fused")
    lines.append("")
    questions = len(result.item_ids[retrieval_metric("recall", result.k, "fused")])
    lines.append(f"Retrieval legs at k={result.k} ({questions} answerable single-turn questions): " + "; ".join(
                     f"{mode} recall {_value('', legs[mode]['recall'])} MRR {_value('', legs[mode]['mrr'])}"
                     for mode in MODES) + f". Default leg: {default}; best: {best}.")
    return "\n".join(lines)


def verdict_text(checks: tuple[Check, ...]) -> str:
    below = failing(checks)
    if not below:
        return f"Gate: PASS — all {len(checks)} gated metrics meet eval/gate.yaml."
    details = "; ".join(f"{c.bound.metric} {_value(c.bound.metric, c.value)} (needs {c.bound}"
                        + (f", short by {c.shortfall:.3f})" if c.shortfall is not None else ")") for c in below)
    return f"Gate: FAIL — {len(below)} of {len(checks)} gated metrics miss eval/gate.yaml: {details}."


# -- result.json --------------------------------------------------------------------------------------------
def case_dict(r: CaseResult) -> dict:
    answer = r.answer
    return {
        "id": r.case.id, "kind": r.case.kind, "question": r.case.question, "history": list(r.case.history),
        "expect": r.case.expect, "got": r.status, "passed": r.passed, "latency_ms": round(r.latency_ms, 3),
        "error": r.error, "answer_text": answer.text if answer else None,
        "citations": [{"number": c.number, "chunk_id": c.chunk_id, "section": list(c.heading_path),
                       "start": c.start, "end": c.end, "quote": c.quote} for c in (answer.citations if answer else ())],
        "red_flags": [{"category": f.category, "tier": f.tier, "matched": f.matched, "turn": f.turn}
                      for f in (answer.red_flags if answer else ())],
        "expected_guard_category": r.case.guard_category,
        "sentences": [{"text": s.text, "citations": list(s.citations), "supported": s.supported,
                       "precise": list(s.precise), "grounded": s.grounded, "alignment": s.score} for s in r.sentences],
        "key_facts": [{"phrasings": list(f), "present": p} for f, p in zip(r.case.key_facts, r.facts)],
        "retrieved": {mode: [{"chunk_id": h.chunk_id, "section": h.section, "relevant": h.relevant} for h in hits]
                      for mode, hits in r.retrieved.items()},
        "failures": list(r.failures),
    }


def result_dict(result: EvalResult, checks: tuple[Check, ...], baseline: Baseline | None,
                changes: Changes | None = None) -> dict:
    by_metric = {c.bound.metric: c for c in checks}
    metrics = {}
    for name, metric in result.metrics.items():
        check = by_metric.get(name)
        metrics[name] = {
            "score": metric.score, "gate": str(check.bound) if check else None,
            "passed": check.passed if check else None,
            "baseline": baseline.metrics.get(name) if baseline else None,
            "change": baseline.change(name, metric.score) if baseline else None,
            "individual_scores": list(metric.individual_scores), "ids": list(result.item_ids[name])}
    return {
        "version": 1,
        "verdict": "fail" if failing(checks) else "pass",
        "gate": [{"metric": c.bound.metric, "bound": str(c.bound), "value": c.value, "passed": c.passed,
                  "shortfall": c.shortfall} for c in checks],
        "metrics": metrics,
        "retrieval_legs": {"k": result.k, "default": result.meta.get("retrieval_default"),
                           "legs": retrieval_legs(result)},
        "meta": result.meta, "warnings": list(result.warnings), "seconds": result.seconds,
        "compared_with": baseline.source if baseline else None, "changes": changes_dict(changes),
        "cases": [case_dict(r) for r in result.cases],
    }


def write_json(data: dict, path: Path) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# -- report.html --------------------------------------------------------------------------------------------
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#222;
padding:0 1em}
h1{margin-bottom:.2em} .muted{color:#666} table{border-collapse:collapse;margin:.6em 0}
th,td{border-bottom:1px solid #ddd;padding:.25em .7em;text-align:left;vertical-align:top} td.n{text-align:right}
.pass{color:#2e7d32;font-weight:600} .fail{color:#c62828;font-weight:600}
.banner{padding:.7em 1em;border-radius:6px;margin:1em 0}
.banner.pass{background:#e8f5e9} .banner.fail{background:#ffebee}
.charts{display:flex;flex-wrap:wrap;gap:1em} .charts>div{flex:1 1 480px} svg{max-width:100%;height:auto}
details{border:1px solid #ddd;border-radius:6px;margin:.4em 0;padding:.3em .8em} summary{cursor:pointer}
pre{white-space:pre-wrap;background:#f7f7f7;padding:.6em;border-radius:4px} ul.reasons li{color:#c62828}
blockquote{margin:.3em 0 .3em 1em;padding-left:.6em;border-left:3px solid #bbb;color:#444}
"""


def _status_counts(result: EvalResult) -> dict[tuple[str, str], dict[str, int]]:
    counts: dict[tuple[str, str], Counter] = {}
    for r in result.cases:
        counts.setdefault((r.case.kind, r.case.expect), Counter())[r.status] += 1
    return {key: dict(counts[key]) for key in sorted(counts)}


def _case_html(r: CaseResult) -> str:
    mark = '<span class="pass">pass</span>' if r.passed else '<span class="fail">fail</span>'
    parts = [f"<details{'' if r.passed else ' open'}><summary>{mark} <b>{escape(r.case.id)}</b> "
             f"<span class='muted'>({escape(r.case.kind)}; expected {r.case.expect}, got {r.status}; "
             f"{r.latency_ms:.1f} ms)</span></summary>",
             f"<p><b>Question:</b> {escape(r.case.question)}</p>"]
    if r.case.history:
        parts.append("<p><b>Earlier user turns:</b></p><ol>" +
                     "".join(f"<li>{escape(t)}</li>" for t in r.case.history) + "</ol>")
    if r.failures:
        parts.append("<p><b>Why it failed:</b></p><ul class='reasons'>" +
                     "".join(f"<li>{escape(f)}</li>" for f in r.failures) + "</ul>")
    if r.answer:
        parts.append(f"<p><b>Answer:</b></p><pre>{escape(r.answer.text)}</pre>")
        for c in r.answer.citations:
            parts.append(f"<p>[{c.number}] {escape(' > '.join(c.heading_path))} "
                         f"<span class='muted'>(chars {c.start}–{c.end}, chunk {escape(c.chunk_id)})</span></p>"
                         f"<blockquote>{escape(c.quote)}</blockquote>")
        if r.answer.red_flags:
            parts.append("<p><b>Guard reported:</b> " + ", ".join(
                f"{escape(f.category)} (“{escape(f.matched)}”)" for f in r.answer.red_flags) + "</p>")
    elif r.error:
        parts.append(f"<p class='fail'>{escape(r.error)}</p>")
    if r.sentences:
        parts.append("<table><tr><th>#</th><th>sentence</th><th>cites</th><th>supported</th><th>precise</th>"
                     "<th>grounded</th><th>alignment</th></tr>" + "".join(
                         f"<tr><td>{i}</td><td>{escape(s.text)}</td><td>{''.join(f'[{n}]' for n in s.citations)}</td>"
                         f"<td>{_yes(s.supported)}</td><td>{' '.join(_yes(p) for p in s.precise)}</td>"
                         f"<td>{_yes(s.grounded)}</td><td class='n'>{s.score:.2f}</td></tr>"
                         for i, s in enumerate(r.sentences, start=1)) + "</table>")
    if r.case.key_facts:
        parts.append("<p><b>Key facts:</b> " + "; ".join(
            f"{_yes(p)} {escape(' / '.join(f))}" for f, p in zip(r.case.key_facts, r.facts)) + "</p>")
    if r.case.guard_category:
        parts.append(f"<p><b>Expected guard category:</b> {escape(r.case.guard_category)}</p>")
    if "fused" in r.retrieved:
        parts.append("<p><b>Retrieved (fused):</b> " + ", ".join(
            f"{_yes(h.relevant)} {escape(h.section)}" for h in r.retrieved["fused"]) + "</p>")
    parts.append("</details>")
    return "".join(parts)


def _yes(flag: bool) -> str:
    return '<span class="pass">✓</span>' if flag else '<span class="fail">✗</span>'


def _no_changes_note(baseline: Baseline | None) -> str:
    if baseline is None:
        return "No baseline (eval/baseline.json) to compare with — write one with `python -m assistant eval " \
               "--write-baseline`, or compare with a git revision: `--against HEAD~1`."
    return f"{baseline.source} holds no answers per case (version 1) — rewrite it with `python -m assistant eval " \
           f"--write-baseline` to see which answers an edit changes."


def render_html(result: EvalResult, checks: tuple[Check, ...], baseline: Baseline | None,
                changes: Changes | None = None) -> str:
    verdict = "fail" if failing(checks) else "pass"
    table = "".join(
        f"<tr><td>{escape(name)}</td><td class='n'>{value}</td><td>{escape(gate)}</td><td class='n'>{change}</td>"
        f"<td class='{ok.lower()}'>{ok}</td></tr>" for name, value, gate, change, ok in rows(result, checks, baseline))
    legs = retrieval_legs(result)
    p50, p95 = result.value("latency_p50_ms"), result.value("latency_p95_ms")
    failed = [r for r in result.cases if not r.passed]
    passed = [r for r in result.cases if r.passed]
    meta = "".join(f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in result.meta.items())
    warnings = ("<h2>Warnings</h2><ul>" + "".join(f"<li>{escape(w)}</li>" for w in result.warnings) + "</ul>") \
        if result.warnings else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hip-pain assistant — eval report</title>
<style>{_CSS}{CHANGES_CSS}</style></head><body>
<h1>Eval report</h1>
<p class="muted">{len(result.cases)} cases from {escape(str(result.meta.get('cases', '')))} · k={result.k} ·
{result.seconds:.1f} s</p>
<div class="banner {verdict}"><b>{escape(verdict_text(checks))}</b></div>
{changes_html(changes, _no_changes_note(baseline))}
{warnings}
<h2>Metrics</h2>
<table><tr><th>metric</th><th>value</th><th>gate</th><th>Δ since baseline</th><th>verdict</th></tr>{table}</table>
<p class="muted">Definitions: eval/README.md, “Metrics”. Δ compares with
{escape(baseline.source) if baseline else 'eval/baseline.json (not found)'}.</p>
<div class="charts">
<div>{charts.gate_chart(checks)}</div>
<div>{charts.retrieval_chart(legs, result.k)}</div>
<div>{charts.status_chart(_status_counts(result))}</div>
<div>{charts.latency_chart([r.latency_ms for r in result.cases], p50, p95)}</div>
</div>
<h2>Retrieval legs</h2>
<table><tr><th>leg</th><th>recall@{result.k}</th><th>MRR@{result.k}</th></tr>{''.join(
        f"<tr><td>{mode}{' (default)' if mode == result.meta.get('retrieval_default') else ''}</td>"
        f"<td class='n'>{_value('', legs[mode]['recall'])}</td><td class='n'>{_value('', legs[mode]['mrr'])}</td></tr>"
        for mode in MODES)}</table>
<h2>Failing cases ({len(failed)})</h2>
{''.join(_case_html(r) for r in failed) or '<p>None.</p>'}
<h2>Passing cases ({len(passed)})</h2>
{''.join(_case_html(r) for r in passed) or '<p>None.</p>'}
<h2>Run</h2><table>{meta}</table>
</body></html>
"""


def write_reports(result: EvalResult, checks: tuple[Check, ...], baseline: Baseline | None,
                  out: Path, changes: Changes | None = None) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "result.json", out / "report.html"
    write_json(result_dict(result, checks, baseline, changes), json_path)
    html_path.write_text(render_html(result, checks, baseline, changes), encoding="utf-8")
    return json_path, html_path
