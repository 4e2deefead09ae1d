"""Commands as argv: text from a log never reaches a shell.

A corrected command is rebuilt from a log line anyone could have written, so it is split into
words the way a shell would quote them and run without a shell; anything only a shell gives
meaning to (`;`, `&&`, `|`, redirections, `$`-expansions, backticks, line breaks, comments) is
refused rather than guessed at. A KB `shell` fix's own commands are trusted text: they run as
argv too, and only a command that needs shell syntax goes to `sh -c`, with the values filled
from the log passed as its positional parameters ("$1"), so the shell never parses them.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

_OPERATOR_CHARS = set(";&|<>()")
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")  # as engine.rank.fill reads them


@dataclass(frozen=True)
class Invocation:
    """One command ready to run, or the reason it will not be."""

    argv: Tuple[str, ...] = ()  # the program and its arguments (for a script: its "$1"...)
    env: Tuple[Tuple[str, str], ...] = ()  # leading NAME=value words, set in the environment
    script: Optional[str] = None  # a KB command that needs a shell, run by `sh -c`
    refused: Optional[str] = None

    def show(self) -> str:
        """Exactly what will run, unambiguous (Python list syntax, every quote visible)."""
        if self.refused:
            return f"will not run: {self.refused}"
        env = f"env {dict(self.env)!r} + " if self.env else ""
        if self.script is not None:
            return f"{env}sh -c {self.script!r} with $1... = {list(self.argv)!r}"
        return f"{env}argv {list(self.argv)!r}"

    def command(self) -> Tuple[List[str], Dict[str, str]]:
        """(argv for subprocess without a shell, extra environment)."""
        assert self.refused is None
        args = ["sh", "-c", self.script, "triage-fix", *self.argv] if self.script is not None else list(self.argv)
        return args, dict(self.env)


def shell_syntax(text: str) -> Optional[str]:
    """What in `text` only a shell would understand, or None when plain words are all there is."""
    for char, what in (("\n", "a line break"), ("\r", "a carriage return"), ("\x00", "a NUL byte"),
                       ("`", "a backtick substitution"), ("$", "a '$' expansion or substitution")):
        if char in text:
            return what
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""  # a shell comment is refused below, not silently dropped
    try:
        words = list(lexer)
    except ValueError as exc:  # an unclosed quote
        return f"unbalanced quoting ({exc})"
    for word in words:
        if word and set(word) <= _OPERATOR_CHARS:
            return f"the shell operator {word!r}"
        if word.startswith(("#", "~")):
            return f"{word[0]!r} at the start of a word (a comment or home expansion)"
    return None


def _split(text: str) -> Tuple[Tuple[Tuple[str, str], ...], Tuple[str, ...]]:
    words = shlex.split(text)
    env: List[Tuple[str, str]] = []
    while words and _ASSIGNMENT.match(words[0]) and len(words) > 1:
        name, _, value = words.pop(0).partition("=")
        env.append((name, value))
    return tuple(env), tuple(words)


def from_log(text: str) -> Invocation:
    """A command taken from a log (a corrected command): plain words only."""
    problem = shell_syntax(text)
    if problem:
        return Invocation(refused=f"the command holds {problem}, which only a shell understands; triage passes no "
                                  "command built from a log to a shell: check it and run it yourself")
    env, words = _split(text)
    return Invocation(words, env) if words else Invocation(refused="the command is empty")


def _bad_value(name: str, value: str) -> Optional[str]:
    # a value from the log becomes one argument; it may not pose as an option or hide a line break
    if value.startswith("-"):
        return f"{{{name}}} = {value!r} from the log starts with '-' (it would be read as an option)"
    if any(c in value for c in "\n\r\x00"):
        return f"{{{name}}} = {value!r} from the log holds a line break"
    return None


def from_template(template: str, values: Mapping[str, str]) -> Invocation:
    """A KB command with {placeholders}: each value fills part of one argument, never shell code."""
    used = [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) in values]
    for name in used:
        problem = _bad_value(name, values[name])
        if problem:
            return Invocation(refused=problem)
    if shell_syntax(template) is None:
        env, words = _split(template)
        filled = tuple(_PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), w) for w in words)
        return Invocation(filled, tuple((k, _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), v))
                                        for k, v in env))
    order: List[str] = []

    def positional(m: "re.Match[str]") -> str:
        if m.group(1) not in values:
            return m.group(0)
        order.append(values[m.group(1)])
        return f'"${{{len(order)}}}"'

    script = _PLACEHOLDER.sub(positional, template)
    return Invocation(tuple(order), script=script)
