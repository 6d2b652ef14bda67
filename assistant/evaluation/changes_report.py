"""The "what changed" view of a run: console lines, the report.html section and result.json's `changes`.

The console marks a word diff the way `git diff --word-diff` does — `[-removed-]{+added+}` — and keeps a few
words of context around each change; the report shows before and after side by side, in full.
"""

from __future__ import annotations

from dataclasses import asdict
from html import escape

from .changes import CaseChange, Changes, PassageEdit, Span
from .records import CaseRecord

CONTEXT_WORDS = 8  # unchanged words kept on each side of a change on the console
CHANGE_WORDS = 30  # a longer removed or added run is cut there on the console (the report shows it whole)
TAGS = ("now failing", "now passing", "status changed", "answer changed", "citations moved")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _elide(words: list[str], first: bool, last: bool) -> str:
    """An unchanged run shortened to the words next to a change: its end when it opens the text, its start when
    it closes it, both ends in between."""
    if first and last:  # nothing changed
        return " ".join(words)
    head = [] if first else words[:CONTEXT_WORDS]
    tail = [] if last else words[-CONTEXT_WORDS:]
    if len(words) <= len(head) + len(tail) + 1:
        return " ".join(words)
    return " ".join([*head, "…", *tail])


def _clip(text: str) -> str:
    words = text.split()
    return text if len(words) <= CHANGE_WORDS else " ".join(words[:CHANGE_WORDS]) + \
        f" … ({len(words) - CHANGE_WORDS} more words)"


def inline(spans: tuple[Span, ...]) -> str:
    """A word diff on one line: `[-old-]{+new+}`; unchanged runs shortened to their edges, long changes cut."""
    parts = []
    for i, span in enumerate(spans):
        if span.kind == "removed":
            parts.append(f"[-{_clip(span.text)}-]")
        elif span.kind == "added":
            parts.append(f"{{+{_clip(span.text)}+}}")
        else:
            parts.append(_elide(span.text.split(), i == 0, i == len(spans) - 1))
    return " ".join(parts)


def summary(changes: Changes) -> str:
    edits = [f"{_plural(n, 'passage')} {kind}" for kind in ("changed", "added", "removed")
             if (n := sum(e.kind == kind for e in changes.passages))]
    counts = ", ".join(f"{len(changes.having(tag))} {tag}" for tag in TAGS)
    return (f"The article: {', '.join(edits) if edits else 'no passage changed'}. "
            f"The answers: {_plural(len(changes.cases), 'case')} changed of {changes.compared} compared ({counts}).")


# -- console ------------------------------------------------------------------------------------------------
def format_changes(changes: Changes) -> str:
    head = f"What changed since {changes.against}"
    if changes.nothing:
        return f"{head}: nothing — the article's passages and all {changes.compared} answers are as they were."
    lines = [f"{head}:", summary(changes)]
    for edit in changes.passages:
        lines.append(f"  {_EDIT_MARK[edit.kind]} {edit.section} — {_cited(edit)}")
        lines.append(f"      {inline(edit.diff)}")
    for change in changes.cases:
        lines.append(f"  {change.id} — {', '.join(change.tags)}: “{change.question}”")
        lines += [f"      {line}" for line in _case_lines(change)]
    return "\n".join(lines)


_EDIT_MARK = {"changed": "~", "added": "+", "removed": "-"}


def _cited(edit: PassageEdit) -> str:
    if not edit.cited_by:
        return f"{edit.kind}, cited by no case"
    return f"{edit.kind}, cited by {_plural(len(edit.cited_by), 'case')}: {', '.join(edit.cited_by)}"


def _case_lines(change: CaseChange) -> list[str]:
    before, after = change.before, change.after
    if before is None or after is None:
        record = after or before
        return [f"status {record.status}: {record.answer[:160]}"]
    lines = []
    if change.status_changed:
        lines.append(f"status: {before.status} → {after.status}")
    if change.answer_changed:
        lines.append(f"answer: {inline(change.diff)}")
    if change.moved:
        lines.append(f"cites: {_sections(before)} → {_sections(after)}")
    if change.now_failing:
        lines += [f"fails: {reason}" for reason in after.failures]
    return lines


def _sections(record: CaseRecord) -> str:
    return "; ".join(f"[{c.number}] {c.section}" for c in record.citations) or "nothing"


# -- report.html --------------------------------------------------------------------------------------------
CSS = """
del{background:#ffebee;color:#b71c1c} ins{background:#e8f5e9;color:#1b5e20;text-decoration:none}
table.diff{width:100%;table-layout:fixed} table.diff td{font-size:13px} table.diff td.id{width:22%}
.tag{display:inline-block;border-radius:3px;padding:0 .35em;margin:.1em .2em .1em 0;background:#eceff1;font-size:12px}
.tag.now-failing{background:#ffcdd2} .tag.now-passing{background:#c8e6c9}
"""


def _marked(spans: tuple[Span, ...], side: str) -> str:
    """One side of a diff in full: the other side's words left out, this side's changes highlighted."""
    out = []
    for span in spans:
        if span.kind == "same":
            out.append(escape(span.text))
        elif span.kind == side:
            tag = "del" if side == "removed" else "ins"
            out.append(f"<{tag}>{escape(span.text)}</{tag}>")
    return " ".join(out)


def _tags(change: CaseChange) -> str:
    return "".join(f"<span class='tag {t.replace(' ', '-')}'>{escape(t)}</span>" for t in change.tags)


def _side(record: CaseRecord | None, spans: tuple[Span, ...], side: str, failures: bool) -> str:
    if record is None:
        return "<span class='muted'>(no such case)</span>"
    cites = "".join(f"<br><span class='muted'>[{c.number}] {escape(c.section)}</span>" for c in record.citations)
    reasons = "<ul class='reasons'>" + "".join(f"<li>{escape(r)}</li>" for r in record.failures) + "</ul>" \
        if failures and record.failures else ""
    return (f"<span class='muted'>{escape(record.status)}, {'pass' if record.passed else 'fail'}</span><br>"
            f"<span class='answer'>{_marked(spans, side)}</span>{cites}{reasons}")


def changes_html(changes: Changes | None, note: str) -> str:
    """The report's "What changed" section; `note` explains a missing comparison (no baseline, version 1)."""
    head = "<section id='what-changed'><h2>What changed</h2>"
    if changes is None:
        return f"{head}<p class='muted'>{escape(note)}</p></section>"
    intro = f"<p>Compared with {escape(changes.against)}. {escape(summary(changes))}</p>"
    if changes.nothing:
        return f"{head}<p>Nothing changed since {escape(changes.against)}: the article's passages and all " \
               f"{changes.compared} answers are as they were.</p></section>"
    edits = "".join(
        f"<tr id='passage-{escape((e.after or e.before).id)}'><td class='id'><b>{escape(e.section)}</b><br>"
        f"<span class='tag'>{e.kind}</span></td><td>{_marked(e.diff, 'removed')}</td>"
        f"<td>{_marked(e.diff, 'added')}</td><td class='id'>{escape(', '.join(e.cited_by)) or '—'}</td></tr>"
        for e in changes.passages)
    article = (f"<h3>The article edit ({len(changes.passages)} passages)</h3><table class='diff edits'>"
               f"<tr><th>section</th><th>before</th><th>after</th><th>cited by</th></tr>{edits}</table>") \
        if changes.passages else "<h3>The article edit</h3><p>No passage changed.</p>"
    rows = "".join(
        f"<tr id='change-{escape(c.id)}'><td class='id'><b>{escape(c.id)}</b><br>{escape(c.question)}<br>"
        f"{_tags(c)}</td><td class='before'>{_side(c.before, c.diff, 'removed', False)}</td>"
        f"<td class='after'>{_side(c.after, c.diff, 'added', c.now_failing)}</td></tr>" for c in changes.cases)
    answers = (f"<h3>Answers that changed ({len(changes.cases)})</h3><table class='diff cases'>"
               f"<tr><th>case</th><th>before</th><th>after</th></tr>{rows}</table>") \
        if changes.cases else "<h3>Answers</h3><p>No answer changed.</p>"
    return head + intro + article + answers + "</section>"


# -- result.json --------------------------------------------------------------------------------------------
def changes_dict(changes: Changes | None) -> dict | None:
    if changes is None:
        return None
    return {
        "against": changes.against, "compared": changes.compared,
        "passages": [{"kind": e.kind, "section": e.section, "before": asdict(e.before) if e.before else None,
                      "after": asdict(e.after) if e.after else None, "cited_by": list(e.cited_by)}
                     for e in changes.passages],
        "cases": [{"id": c.id, "question": c.question, "tags": list(c.tags),
                   "before": c.before.to_dict() if c.before else None,
                   "after": c.after.to_dict() if c.after else None} for c in changes.cases],
    }
