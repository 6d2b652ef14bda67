"""The report's charts as inline SVG strings (matplotlib, Agg backend; no external assets, stable element ids)."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

from .gate import Check

_OK, _BAD, _GATE, _GREY = "#2e7d32", "#c62828", "#37474f", "#90a4ae"
STATUSES = ("answered", "declined", "red_flag", "error")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "hip-eval", "svg.fonttype": "none", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False})
    import matplotlib.pyplot as plt

    return plt


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    _pyplot().close(fig)
    text = buffer.getvalue()
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)


def gate_chart(checks: Sequence[Check]) -> str:
    """Each gated metric as a bar, its bound as a black tick; green passes, red fails."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.42 * len(checks) + 0.8))
    names = [c.bound.metric for c in checks][::-1]
    values = [c.value or 0.0 for c in checks][::-1]
    colours = [_OK if c.passed else _BAD for c in checks][::-1]
    ax.barh(names, values, color=colours, height=0.6)
    for y, check in enumerate(list(checks)[::-1]):
        bound = check.bound.minimum if check.bound.minimum is not None else check.bound.maximum
        ax.plot([bound, bound], [y - 0.4, y + 0.4], color=_GATE, linewidth=2)
        shown = "n/a" if check.value is None else f"{check.value:.3f}"
        ax.text(min(max(values + [1.0]) * 1.02, 1.08), y, f"{shown} ({check.bound})", va="center", fontsize=8)
    ax.set_xlim(0, 1.35)
    ax.set_xlabel("score (bar) and gate bound (black tick)")
    ax.set_title("Gated metrics")
    return _svg(fig)


def retrieval_chart(legs: Mapping[str, Mapping[str, float | None]], k: int) -> str:
    """Recall@k and MRR@k of each retrieval leg side by side."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 2.8))
    modes = list(legs)
    width = 0.38
    for offset, (key, colour) in zip((-width / 2, width / 2), (("recall", "#1565c0"), ("mrr", "#90caf9"))):
        xs = [i + offset for i in range(len(modes))]
        values = [legs[mode][key] or 0.0 for mode in modes]
        bars = ax.bar(xs, values, width, label=f"{'recall' if key == 'recall' else 'MRR'}@{k}", color=colour)
        ax.bar_label(bars, fmt="%.3f", fontsize=7)
    ax.set_xticks(range(len(modes)), modes)
    ax.set_ylim(0, 1.12)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Retrieval legs (answerable single-turn questions)")
    return _svg(fig)


def status_chart(counts: Mapping[tuple[str, str], Mapping[str, int]]) -> str:
    """Rows: case kind / expected status; columns: the status the assistant returned; cells: case counts."""
    plt = _pyplot()
    rows = list(counts)
    columns = [s for s in STATUSES if s != "error" or any(counts[r].get("error") for r in rows)]
    fig, ax = plt.subplots(figsize=(5.8, 0.36 * len(rows) + 1.2))
    for y, row in enumerate(rows):
        for x, status in enumerate(columns):
            n = counts[row].get(status, 0)
            if n:
                colour = _OK if status == row[1] else _BAD
                shade = 0.2 + 0.6 * min(n, 20) / 20
                ax.add_patch(plt.Rectangle((x - 0.45, y - 0.4), 0.9, 0.8, color=colour, alpha=shade))
                ax.text(x, y, str(n), ha="center", va="center", fontsize=8)
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xticks(range(len(columns)), [f"got {s}" for s in columns])
    ax.set_yticks(range(len(rows)), [f"{kind} → expect {expect}" for kind, expect in rows])
    ax.tick_params(length=0)
    ax.set_title("Status by case kind (green: as expected, red: not)")
    return _svg(fig)


def latency_chart(milliseconds: Sequence[float], p50: float | None, p95: float | None) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 2.6))
    ax.hist(milliseconds, bins=30, color=_GREY)
    for value, label, style in ((p50, "p50", "--"), (p95, "p95", ":")):
        if value is not None:
            ax.axvline(value, color=_GATE, linestyle=style, label=f"{label} {value:.1f} ms")
    ax.set_xlabel("latency per case (ms)")
    ax.set_ylabel("cases")
    ax.legend(fontsize=8)
    ax.set_title("Answer latency")
    return _svg(fig)
