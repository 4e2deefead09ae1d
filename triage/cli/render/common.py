"""What every renderer shares: display-safe text, where evidence sits, and the one way a
solution becomes lines of text (plain or Markdown)."""
from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from triage.i18n.words import ENGLISH, N_, Words
from triage.model import Diagnosis, Evidence, Solution

SHELL, PYTHON, CONFIG, TEXT = "shell", "python", "config", "text"  # what a fix step is
STDIN = "standard input"  # the label LogSource gives "-"
DRAFT_MARK = N_(", draft: not reviewed")  # after confidence and severity, on a draft entry's diagnosis (triage learn)
_LEVELS = {"critical": "error", "error": "error", "warning": "warning", "info": "note"}
_SEVERITY_WORDS = (N_("info"), N_("warning"), N_("error"), N_("critical"))  # shown translated
_CONTROL = {c: None for c in range(32) if c not in (9,)}
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#]|(?<!\w)_|_(?!\w))")  # intra-word _ is never emphasis


def printable(text: str, limit: int = 300) -> str:
    """One display line: no control characters (a log's ESC codes must not drive the terminal)."""
    text = text.replace("\r", " ").replace("\n", " ⏎ ").translate(_CONTROL).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(ev: Evidence, words: Words = ENGLISH) -> str:
    _ = words.gettext
    span = _("line {line}").format(line=ev.line)
    if ev.last_line and ev.count > 1:
        span += _(" (and {more} more, last {last})").format(more=ev.count - 1, last=ev.last_line)
    if ev.ranks:
        span += _(" [ranks {ranks}]").format(ranks=", ".join(ev.ranks))
    if ev.kind == "fuzzy":
        span += _(" [fuzzy, {score} similar]").format(score=f"{ev.score:.0f}%")
    return span


def severity(d: Diagnosis, words: Words = ENGLISH) -> str:
    """The severity as shown to a reader (JSON, SARIF and exit codes keep the KB's word)."""
    shown = words.gettext(d.severity) if d.severity in _SEVERITY_WORDS else d.severity
    return shown + (words.gettext(DRAFT_MARK) if d.draft else "")


def level(d: Diagnosis) -> str:
    """SARIF level of a diagnosis: critical/error -> error, warning -> warning, info -> note."""
    return _LEVELS.get(d.severity, "error")


def first_evidence(d: Diagnosis) -> Optional[Evidence]:
    return d.evidence[0] if d.evidence else None  # never empty from diagnose(); hand-built ones may be


def solution_lines(number: int, s: Solution, markdown: bool = False, max_steps: Optional[int] = None,
                   words: Words = ENGLISH) -> List[str]:
    """A ranked fix as text: heading, why, then its steps by kind (see step_kind): `$ cmd` only
    for shell, code as an indented (plain) or fenced (Markdown) block, instructions as bullets.

    Every output format renders a solution through here, so they never disagree."""
    title = f"**{md_escape(s.title)}**" if markdown else s.title
    when = when_text(md_escape(s.when) if markdown else s.when, words) if s.when else ""
    why = md_escape(s.why.strip()) if markdown else s.why.strip()
    steps = s.steps[:max_steps] if max_steps is not None else s.steps
    verdict = applies_text(s, words)
    verdict = f"  [{md_escape(verdict) if markdown else verdict}]" if verdict else ""
    out = [words.gettext("Fix {number}: {title}").format(number=number, title=title) + verdict + when, f"   {why}"]
    for kind, group in step_groups(steps):
        out += _markdown_steps(kind, group) if markdown else _plain_steps(kind, group, words)
    return out


def when_text(when: str, words: Words = ENGLISH) -> str:
    """The `  (when: ...)` that follows a fix's title."""
    return words.gettext("  (when: {when})").format(when=when)


def applies_text(s: Solution, words: Words = ENGLISH) -> str:
    """Whether a solution applies here, for a person: 'applies: bitsandbytes 0.41.1',
    'does not apply: bitsandbytes 0.43.1 (wants <0.43)', 'not checked: bitsandbytes version
    unknown'; '' for a solution that states no condition."""
    if s.applies is None and s.applies_reason is None:
        return ""
    label = words.gettext(_VERDICTS[s.applies])
    return f"{label}: {reason_text(s.applies_reason, words)}" if s.applies_reason else label


def reason_text(reason: str, words: Words = ENGLISH) -> str:
    """The facts behind a verdict in the reader's language. versions/applies.py writes them in a
    closed grammar ('torch 2.0.1', 'x 0.43.1 (wants <0.43)', 'x version, conda unknown'): only its
    connecting words are translated; names, versions and ranges stay as they are."""
    if words.lang == "en":
        return reason
    reason = _WANTS.sub(lambda m: words.gettext("(wants {spec})").format(spec=m.group(1)), reason)
    reason = reason.replace(" version", words.gettext(" version")).replace(" or ", words.gettext(" or "))
    return reason[:-len(" unknown")] + words.gettext(" unknown") if reason.endswith(" unknown") else reason


_WANTS = re.compile(r"\(wants ([^()]*)\)")


_VERDICTS = {True: N_("applies"), False: N_("does not apply"), None: N_("not checked")}
_REASON_WORDS = (N_("(wants {spec})"), N_(" version"), N_(" or "), N_(" unknown"))  # see reason_text
_LABELS = {PYTHON: N_("Python:"), CONFIG: N_("Config:")}
_FENCES = {SHELL: "sh", PYTHON: "python", CONFIG: "text"}


def _plain_steps(kind: str, group: Sequence[str], words: Words = ENGLISH) -> List[str]:
    if kind == SHELL:
        return [f"   $ {printable(step, 1000)}" for step in group]
    if kind == TEXT:
        return [f"   - {instruction(step)}" for step in group]
    code = [line for step in group for line in step.splitlines()]
    return [f"   {words.gettext(_LABELS[kind])}"] + [f"       {printable(line, 1000)}" for line in code]


def _markdown_steps(kind: str, group: Sequence[str]) -> List[str]:
    if kind == TEXT:
        return [f"   - {md_escape(instruction(step))}" for step in group]
    code = [printable(line, 1000) for step in group for line in step.splitlines()]
    fence = "`" * max(3, max((len(r) + 1 for c in code for r in re.findall("`+", c)), default=3))
    return [f"   {fence}{_FENCES[kind]}"] + [f"   {line}" for line in code] + [f"   {fence}"]


_DECISIVE = re.compile(r"(?:[\w.]*(?:Error|Exception)\b:?|\berror:|\bfatal:|RuntimeError)", re.I)


def key_evidence(evidence: Sequence[Evidence], n: int) -> List[Evidence]:
    """At most n evidence lines, in log order, those naming an error or exception first."""
    ranked = sorted(range(len(evidence)), key=lambda i: (_DECISIVE.search(evidence[i].text) is None, i))
    return [evidence[i] for i in sorted(ranked[:n])]


def decisive(text: str, width: int, values: Sequence[str] = ()) -> str:
    """One display line of at most `width` characters that keeps the part of a long evidence
    line that decides the diagnosis: from the error name on, reaching the values captured from
    it (`Tried to allocate 982.00 MiB (GPU 2; ...)`), rather than its head."""
    text = printable(text, 100_000)
    if len(text) <= width:
        return text
    width = max(width, 12)
    spots = [text.find(v) for v in values if len(v) > 1 and v in text]
    ends = [text.find(v) + len(v) for v in values if len(v) > 1 and v in text]
    error = _DECISIVE.search(text)
    start = error.start() if error else (min(spots) if spots else 0)
    if ends and max(ends) - start > width - 2:
        start = max(0, max(ends) - (width - 2))
    start = min(start, len(text) - (width - 1))
    head = "…" if start > 0 else ""
    body = text[start:]
    room = width - len(head)
    return head + (body if len(body) <= room else body[: room - 1] + "…")


def inline_code(text: str) -> str:
    text = printable(text, 1000)
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", printable(text, 1000))


# --- what a step is: a shell command, Python, a config snippet, or an instruction ---------------

_COMMANDS = frozenset("""pip pip3 python python3 conda mamba micromamba uv apt apt-get yum dnf brew sudo export
    unset set source docker podman git nvidia-smi nvcc torchrun accelerate deepspeed ds_report cd ls grep sed awk
    echo cat rm mv cp mkdir chmod chown ln ulimit make cmake ninja huggingface-cli hf wget curl find which env
    mpirun srun sbatch ldconfig ldd dpkg modprobe rmmod lsmod systemctl nvidia-ctk df du free dmesg kill pkill
    ps tar unzip sha256sum md5sum head tail tee printf ssh scp rsync gcc g++ nproc lspci lsof mount ulimit
    nvidia-container-cli ollama vllm llamafactory-cli tensorboard jupyter bash sh zsh git-lfs gh setx
    py poetry pipx pytest tox touch test rmdir readlink realpath file strings objdump nm patchelf ip sacct
    squeue scontrol where fallocate mkswap swapon nvidia-persistenced nvidia-settings update-alternatives
    [ [[""".split())
_ENV_PREFIX = re.compile(r"^(?:\{?[A-Za-z_]\w*\}?=\S*\s+)+")
_PATH_CMD = re.compile(r"^(?:\.{1,2}[/\\]|/|~/|[A-Za-z]:\\)\S+")
_PY_START = re.compile(r"^(?:from\s+[\w.]+\s+import\b|import\s+\w|with\s.+:|if\s.+:|for\s.+\sin\s.+:|def\s+\w|class\s+\w"
                       r"|@\w|try:|return\b|print\()")
_PY_ASSIGN = re.compile(r"^[A-Za-z_][\w.]*(?:\[[^\]]*\])?\s*(?:[-+*/]?=)\s*(?!=)\S")
_PY_CALL = re.compile(r"^[A-Za-z_][\w.]*\(.*\)(?:\.[\w.]+\(.*\))*[\w.]*$")
_CONFIG = re.compile(r"^(?:[{\[]|--?[a-z][\w-]*(?:[= ]|$)|[\w-]*[_.][\w.-]*:\s+\S|<\w|[a-z_][\w-]*\s*=\s*\S)")
_FLAGGED = re.compile(r"^[a-z][\w.-]*\s+--?[a-zA-Z]")
_COMMENT = re.compile(r"\s{2,}#.*$")


def step_kind(step: str) -> str:
    """What a fix step is, by a small heuristic: SHELL, PYTHON, CONFIG or TEXT (an instruction)."""
    first_line = step.split("\n", 1)[0]
    code = _COMMENT.sub("", first_line).strip()
    rest = _ENV_PREFIX.sub("", code)
    word = rest.split(" ", 1)[0] if rest else ""
    if word in _COMMANDS or _PATH_CMD.match(rest) or (rest != code and (not rest or word.islower())):
        return SHELL
    if _FLAGGED.match(code):
        return SHELL
    if re.match(r"^for\s+\w+\s+in\s.*;\s*do\b|^while\s.*;\s*do\b|^\w+=\$\(", code):
        return SHELL
    if _PY_START.match(code) or _PY_ASSIGN.match(code) or _PY_CALL.match(code):
        return PYTHON
    if _CONFIG.match(code):
        return CONFIG
    return TEXT


def instruction(step: str) -> str:
    """An instruction step as prose: a leading shell-comment mark ("# Debian/Ubuntu: ...") dropped."""
    return printable(step.lstrip("#").strip() if step.startswith("#") else step, 1000)


def apply_command(d: Diagnosis, source: str) -> str:
    """The exact command that shows (then, with --apply, writes) the automatic fix of `d`."""
    return f"triage fix {d.id}" + ("" if source == STDIN else f" --log {source}")


def step_groups(steps: Sequence[str]) -> List[Tuple[str, List[str]]]:
    """Consecutive steps of the same kind, as (kind, steps): one code block per run of code."""
    groups: List[Tuple[str, List[str]]] = []
    for step in steps:
        kind = step_kind(step)
        if groups and groups[-1][0] == kind and kind != TEXT:
            groups[-1][1].append(step)
        else:
            groups.append((kind, [step]))
    return groups
