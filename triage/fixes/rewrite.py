"""Corrected commands, thefuck-style: find the failing command in the log and rewrite it."""
from __future__ import annotations

import os
import shlex
from typing import Dict, List, Optional, Sequence, Tuple

import regex

from triage.engine.budget import RegexBudget, search_once, sub_once
from triage.engine.normalize import Line
from triage.fixes.computed import Computed
from triage.fixes.spec import FixSpec
from triage.model import compile_pattern

_PROMPT = regex.compile(r"^(?:\(\S+\)\s*)?(?:[\w.-]+@[\w.-]+:\S*\s*)?[$#>]\s+|^\+\s+|^>>>\s*!?|^PS [^>]*>\s*")
# a Dockerfile step as `docker build` echoes it: "=> ERROR [5/8] RUN cmd", "> [5/8] RUN cmd:"
_DOCKER_STEP = regex.compile(r"^(?:=>\s+(?:ERROR\s+)?)?(?:\[[^\]]*\d+/\d+\]\s+)?RUN\s+(?P<cmd>.*?)(?::|\s+[\d.]+s)?$")


def command_lines(lines: Sequence[Line]) -> List[Tuple[int, str, bool]]:
    """(raw line number, text, typed at a prompt) with backslash continuations joined and
    prompts removed."""
    out: List[Tuple[int, str, bool]] = []
    pending: Optional[Tuple[int, str]] = None
    for line in lines:
        text = line.text.rstrip()
        if pending is not None:  # a continuation line, maybe behind bash's "> " prompt
            text = pending[1] + " " + regex.sub(r"^\s*>\s", "", text).lstrip()
            number = pending[0]
        else:
            number = line.number
        if text.endswith("\\"):
            pending = (number, text[:-1].rstrip())
            continue
        pending = None
        bare, prompted = _PROMPT.subn("", text.strip(), count=1)
        step = _DOCKER_STEP.match(bare.strip())
        out.append((number, step.group("cmd").strip() if step else bare.strip(), bool(prompted or step)))
    if pending is not None:
        out.append((pending[0], pending[1], False))
    return out


def find_command(spec: FixSpec, lines: Sequence[Line], before: Optional[int] = None) -> Optional[Tuple[int, str]]:
    """The command the fix should correct: the last one typed at a prompt before the error
    (line `before`), else the last typed at a prompt, else the last one quoted anywhere
    (advice printed by a tool, like the NGC banner's `docker run ...`, comes last)."""
    assert spec.find is not None
    found: List[Tuple[int, str, bool]] = []
    commands = command_lines(lines)
    budget = RegexBudget()  # the log is anyone's text: its lines get the scan's time limits
    budget.grant(sum(len(text) for _, text, _ in commands))
    for number, text, prompted in commands:
        m = budget.search(compile_pattern(spec.find), text)
        if m:
            found.append((number, " ".join((m.groupdict().get("cmd") or m.group(0)).split()), prompted))
    limit = before if before is not None else float("inf")
    for wanted in (lambda c: c[2] and c[0] <= limit, lambda c: c[2], lambda c: c[0] <= limit, lambda c: True):
        picked = [c for c in found if wanted(c)]
        if picked:
            return picked[-1][0], picked[-1][1]
    return None


def rewrite(spec: FixSpec, command: str) -> Tuple[str, Optional[str]]:
    """(state, corrected command): ready, already-applied or not-applicable:<why>."""
    if spec.unless is not None and search_once(compile_pattern(spec.unless), command):
        return "already-applied", None
    fixed = command
    computed = Computed()  # {free_port} and the like: values found here, not shell code
    for step in spec.rewrites:
        fixed = sub_once(step.pattern, computed.fill(step.replace), fixed)
    fixed = " ".join(fixed.split())
    if fixed == command:
        return "not-applicable:no rewrite rule changed this command", None
    return "ready", fixed


_EXPORT = regex.compile(r"^export\s+(?P<name>[A-Za-z_]\w*)=(?P<value>\S*)$")


def exports(lines: Sequence[Line], before: int) -> Dict[str, str]:
    """`export NAME=value` typed at a prompt before line `before`: the values a command used."""
    found: Dict[str, str] = {}
    for number, text, prompted in command_lines(lines):
        m = _EXPORT.match(text) if prompted and number < before else None
        if m:
            try:
                words = shlex.split(m.group("value"))
            except ValueError:
                continue
            if len(words) == 1 and "$" not in words[0] and "`" not in words[0]:
                found[m.group("name")] = words[0]
    return found


def variables(lines: Sequence[Line], before: int) -> Dict[str, str]:
    """What `$NAME` in a corrected command becomes when --run runs it here: this environment (the
    one the command gets), else the log's exports; $PWD is the folder it runs in."""
    return {**exports(lines, before), **os.environ, "PWD": os.getcwd()}
