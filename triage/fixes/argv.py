"""Commands as argv: text from a log never reaches a shell.

A corrected command is rebuilt from a log line anyone could have written, so it is split into
words the way a shell would quote them and run without a shell; anything only a shell gives
meaning to (`;`, `&&`, `|`, redirections, `$`-expansions, backticks, line breaks, comments) is
refused rather than guessed at; only plain `$NAME` / `${NAME}` is filled in, from the environment
triage runs in (a command run by --run gets that environment) or an `export NAME=value` earlier in
the log, and each value stays inside its one word. A KB `shell` fix's own commands are trusted text: they run as
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
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))")
_SECRET = re.compile(r"(?i)TOKEN|KEY|SECRET|PASS|CREDENTIAL|AUTH|COOKIE|SESSION")
_MARKED = re.compile("\ue000(\\d+)\ue001")


@dataclass(frozen=True)
class Invocation:
    """One command ready to run, or the reason it will not be."""

    argv: Tuple[str, ...] = ()  # the program and its arguments (for a script: its "$1"...)
    env: Tuple[Tuple[str, str], ...] = ()  # leading NAME=value words, set in the environment
    script: Optional[str] = None  # a KB command that needs a shell, run by `sh -c`
    refused: Optional[str] = None
    filled: Tuple[str, ...] = ()  # the $NAMEs of a log's command filled in

    def _filled(self) -> str:
        return f" (filled in: {', '.join('$' + n for n in self.filled)})" if self.filled else ""

    def show(self) -> str:
        """Exactly what will run, unambiguous (Python list syntax, every quote visible)."""
        if self.refused:
            return f"will not run: {self.refused}"
        env = f"env {dict(self.env)!r} + " if self.env else ""
        if self.script is not None:
            return f"{env}sh -c {self.script!r} with $1... = {list(self.argv)!r}"
        return f"{env}argv {list(self.argv)!r}{self._filled()}"

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


def from_log(text: str, variables: Optional[Mapping[str, str]] = None) -> Invocation:
    """A command taken from a log (a corrected command): plain words, and `variables` filled in."""
    marked, values, names, unset = _mark_variables(text, variables) if variables else (text, [], [], None)
    if unset:
        return Invocation(refused=f"the command uses {unset}: check it and run it yourself")
    problem = shell_syntax(marked)
    if problem:
        return Invocation(refused=f"the command holds {problem}, which only a shell understands; triage passes no "
                                  "command built from a log to a shell: check it and run it yourself")
    env, words = _split(marked)

    def unmark(word: str) -> str:
        return _MARKED.sub(lambda m: values[int(m.group(1))], word)

    if not words:
        return Invocation(refused="the command is empty")
    return Invocation(tuple(unmark(w) for w in words), tuple((k, unmark(v)) for k, v in env),
                      filled=tuple(dict.fromkeys(names)))


def _mark_variables(text: str, variables: Mapping[str, str]) -> Tuple[str, List[str], List[str], Optional[str]]:
    """Each plain $NAME / ${NAME} outside single quotes replaced by a mark: (text, values, names,
    problem). A shell would split and glob an unquoted value: such a value is refused."""
    out: List[str] = []
    values: List[str] = []
    names: List[str] = []
    quote: Optional[str] = None
    i = 0
    while i < len(text):
        char, m = text[i], _VARIABLE.match(text, i)
        if char == "\\" and quote != "'":
            out.append(text[i:i + 2])
            i += 2
            continue
        if char in "'\"" and quote in (None, char):
            quote = None if quote == char else char
        elif m and quote != "'":
            name = m.group(1) or m.group(2)
            value = variables.get(name)
            problem = _bad_expansion(name, value, quote == '"')
            if problem:
                return text, [], [], problem
            assert value is not None
            out.append(f"\ue000{len(values)}\ue001")
            values.append(value)
            names.append(name)
            i = m.end()
            continue
        out.append(char)
        i += 1
    return "".join(out), values, names, None


def _bad_expansion(name: str, value: Optional[str], quoted: bool) -> Optional[str]:
    if _SECRET.search(name):  # its value would be printed in the command shown for confirmation
        return f"${name}, which triage does not fill in (it may hold a secret)"
    if value is None:
        return f"${name}, which is neither set here nor exported earlier in the log"
    if any(c in value for c in "\n\r\x00"):
        return f"${name}, whose value holds a line break"
    if not quoted and (not value or any(c.isspace() or c in "*?[" for c in value)):
        return f"an unquoted ${name}, whose value {value!r} a shell would split or expand"
    return None


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
