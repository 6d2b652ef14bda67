"""Labelled JSONL files (guard messages, answer sets): one object per line, a bad line named with what to fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import BadInput

T = TypeVar("T")


def read_rows(path: Path, parse: Callable[[dict], T], fields: str) -> list[T]:
    """`parse` each non-blank line's object; any error it (or the JSON) raises becomes one BadInput naming the
    file, the line and `fields`, the hint of what a line must hold."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file.") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rows.append(parse(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise BadInput(f"{path}, line {number}: {error}. {fields}") from None
    return rows
