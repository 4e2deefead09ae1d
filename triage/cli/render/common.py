"""What every renderer shares: display-safe text, where evidence sits, and the one way a
solution becomes lines of text (plain or Markdown)."""
from __future__ import annotations

import re
from typing import List, Optional

from triage.model import Diagnosis, Evidence, Solution

STDIN = "standard input"  # the label LogSource gives "-"
_LEVELS = {"critical": "error", "error": "error", "warning": "warning", "info": "note"}
_CONTROL = {c: None for c in range(32) if c not in (9,)}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def printable(text: str, limit: int = 300) -> str:
    """One display line: no control characters (a log's ESC codes must not drive the terminal)."""
    text = text.replace("\r", " ").replace("\n", " ⏎ ").translate(_CONTROL).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(ev: Evidence) -> str:
    span = f"line {ev.line}"
    if ev.last_line and ev.count > 1:
        span += f" (and {ev.count - 1} more, last {ev.last_line})"
    if ev.ranks:
        span += f" [ranks {', '.join(ev.ranks)}]"
    if ev.kind == "fuzzy":
        span += f" [fuzzy, {ev.score:.0f}% similar]"
    return span


def level(d: Diagnosis) -> str:
    """SARIF level of a diagnosis: critical/error -> error, warning -> warning, info -> note."""
    return _LEVELS.get(d.severity, "error")


def first_evidence(d: Diagnosis) -> Optional[Evidence]:
    return d.evidence[0] if d.evidence else None  # never empty from diagnose(); hand-built ones may be


def solution_lines(number: int, s: Solution, markdown: bool = False, max_steps: Optional[int] = None) -> List[str]:
    """A ranked fix as text: heading, why, then each step (`$ cmd`, or inline code in Markdown).

    Every output format renders a solution through here, so they never disagree."""
    title = f"**{md_escape(s.title)}**" if markdown else s.title
    when = f"  (when: {md_escape(s.when) if markdown else s.when})" if s.when else ""
    why = md_escape(s.why) if markdown else s.why
    steps = s.steps[:max_steps] if max_steps is not None else s.steps
    return ([f"Fix {number}: {title}{when}", f"   {why}"]
            + [f"   - {inline_code(step)}" if markdown else f"   $ {step}" for step in steps])


def inline_code(text: str) -> str:
    text = printable(text, 1000)
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", printable(text, 1000))
