"""Labelled logs: a fixture's first-line marker (`# triage-fixture: expect=<id> line=<N>`) or a
folder's index.jsonl say which entry each log must be diagnosed as ("none": nothing)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

import regex

from triage.engine.decode import sniff

_MARKER = regex.compile(r"triage-fixture:\s*expect=(?P<label>[\w-]+)(?:\s+line=(?P<line>\d+))?"
                        r"(?:\s+also=(?P<also>[\w,-]+))?")


@dataclass(frozen=True)
class Labelled:
    path: Path
    label: str
    also: Tuple[str, ...] = ()
    line: Optional[int] = None


def read_marker(path: Path) -> Optional[Labelled]:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    first = head.decode(sniff(head), errors="replace").lstrip("\ufeff").split("\n", 1)[0]
    m = _MARKER.search(first)
    if not m:
        return None
    also = tuple(a for a in (m.group("also") or "").split(",") if a)
    return Labelled(path, m.group("label"), also, int(m.group("line")) if m.group("line") else None)


def labelled_logs(folder: str | Path) -> List[Labelled]:
    folder = Path(folder)
    index = folder / "index.jsonl"
    if index.is_file():
        rows = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [Labelled(folder / r["file"], r["label"], tuple(r.get("also") or ())) for r in rows]
    found = (read_marker(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix in (".log", ".txt", ".gz"))
    return [item for item in found if item is not None]
