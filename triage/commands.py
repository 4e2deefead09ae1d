"""Corrected commands, thefuck-style: find the failing command in the log and rewrite it."""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import regex

from .fixspec import FixSpec
from .normalize import Line

_PROMPT = regex.compile(r"^(?:\(\S+\)\s*)?(?:[\w.-]+@[\w.-]+:\S*\s*)?[$#>]\s+|^\+\s+|^>>>\s*!?|^PS [^>]*>\s*")
# a Dockerfile step as `docker build` echoes it: "=> ERROR [5/8] RUN cmd", "> [5/8] RUN cmd:"
_DOCKER_STEP = regex.compile(r"^(?:=>\s+(?:ERROR\s+)?)?(?:\[[^\]]*\d+/\d+\]\s+)?RUN\s+(?P<cmd>.*?)(?::|\s+[\d.]+s)?$")


def command_lines(lines: Sequence[Line]) -> List[Tuple[int, str]]:
    """(raw line number, text) with backslash continuations joined and prompts removed."""
    out: List[Tuple[int, str]] = []
    pending: Optional[Tuple[int, str]] = None
    for line in lines:
        text = line.text.rstrip()
        if pending is not None:
            text = pending[1] + " " + text.lstrip()
            number = pending[0]
        else:
            number = line.number
        if text.endswith("\\"):
            pending = (number, text[:-1].rstrip())
            continue
        pending = None
        text = _PROMPT.sub("", text.strip(), count=1).strip()
        step = _DOCKER_STEP.match(text)
        out.append((number, step.group("cmd").strip() if step else text))
    if pending is not None:
        out.append(pending)
    return out


def find_command(spec: FixSpec, lines: Sequence[Line]) -> Optional[Tuple[int, str]]:
    """The last command in the log that the fix knows how to correct."""
    assert spec.find is not None
    found = None
    for number, text in command_lines(lines):
        m = spec.find.search(text)
        if m:
            cmd = m.groupdict().get("cmd") or m.group(0)
            found = (number, " ".join(cmd.split()))
    return found


def rewrite(spec: FixSpec, command: str) -> Tuple[str, Optional[str]]:
    """(state, corrected command): ready, already-applied or not-applicable:<why>."""
    if spec.unless is not None and spec.unless.search(command):
        return "already-applied", None
    fixed = command
    for step in spec.rewrites:
        fixed = step.pattern.sub(step.replace, fixed, count=1)
    fixed = " ".join(fixed.split())
    if fixed == command:
        return "not-applicable:no rewrite rule changed this command", None
    return "ready", fixed
