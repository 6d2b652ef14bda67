"""Answers as plain text (CLI) and as JSON (CLI --json, the API, the widget, the eval)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

from .models import Answer


def as_dict(answer: Answer) -> dict:
    data = asdict(replace(answer, hits=()))  # each hit is summarised below: no deep copy of its whole passage first
    data["text"] = answer.text
    for citation, original in zip(data["citations"], answer.citations):
        for ref, ref_obj in zip(citation["references"], original.references):
            ref["link"] = ref_obj.link
    data["hits"] = [{"chunk_id": h.chunk.id, "heading_path": list(h.chunk.heading_path), "rank": h.rank,
                     "score": round(h.score, 6), "similarity": round(h.similarity, 4),
                     "lexical": round(h.lexical, 4)} for h in answer.hits]
    return data


def as_json(answer: Answer) -> str:
    return json.dumps(as_dict(answer), ensure_ascii=False, indent=2)


def as_text(answer: Answer) -> str:
    lines = [answer.text]
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            lines.append(f"[{c.number}] {' > '.join(c.heading_path[1:] or c.heading_path)} "
                         f"(chars {c.start}–{c.end} of corpus/article.md)\n    “{c.quote}”")
            for ref in c.references:
                lines.append(f"    rests on: {ref.citation}" + (f" <{ref.link}>" if ref.link else ""))
    return "\n".join(lines)
