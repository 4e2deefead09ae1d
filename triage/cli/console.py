"""The one place that builds rich output; imported only when stdout is a terminal.

By default one log's answer fits one screen: the top diagnosis (title, confidence, the decisive
part of its evidence, its first fix in full, the other fixes one line each) and every other
diagnosis on one line. `verbose` shows everything. Fix steps are printed outside any box and
never wrapped by rich, so copying a command picks up nothing but the command.
"""
from __future__ import annotations

from typing import Iterator, List, Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from triage.cli.render.common import (
    CONFIG,
    PYTHON,
    SHELL,
    STDIN,
    TEXT,
    applies_text,
    apply_command,
    decisive,
    instruction,
    key_evidence,
    printable,
    severity,
    step_groups,
    when_text,
    where,
)
from triage.i18n.words import ENGLISH, Words
from triage.model import Diagnosis, LogResult, Solution

BRIEF_EVIDENCE = 4  # evidence lines of the top diagnosis shown without --verbose


def make_console(no_color: bool = False, stderr: bool = False) -> Console:
    # markup and highlighting off: "[rank0]" or "[WARNING]" in a log must print as written
    return Console(markup=False, highlight=False, no_color=no_color, stderr=stderr, soft_wrap=False)


def render(console: Console, results: Sequence[LogResult], verbose: bool = False, words: Words = ENGLISH) -> None:
    _ = words.gettext
    for result in results:
        if not result.diagnoses:
            _nothing_known(console, result, words)
            continue
        n = len(result.diagnoses)
        console.print(Text(words.ngettext("triage: {n} known problem in {source}, most likely first",
                                          "triage: {n} known problems in {source}, most likely first", n)
                           .format(n=n, source=result.source), style="bold"))
        for i, d in enumerate(result.diagnoses, 1):
            if verbose or i == 1:
                _diagnosis(console, i, d, result.source, verbose, words)
            else:
                _one_line(console, f"{i}. {d.id}  ({d.confidence:.2f}, {severity(d, words)})  ", d.title, "")
        if result.doctor is not None:
            from triage.cli.render.doctor import doctor_lines

            for line in doctor_lines(result.doctor, result.elsewhere):
                style = "bold red" if ": confirmed:" in line else "yellow" if "another machine" in line else "green"
                console.print(Text(line[1:], style=style), soft_wrap=True)  # indented as the fixes are
        if not verbose:
            target = "" if result.source == STDIN else f" {result.source}"
            extra = f", triage explain {result.diagnoses[0].id}" if n else ""
            console.print(Text(_("Everything (all fixes, evidence, notes): {command}")
                               .format(command=f"triage -v{target}{extra}"), style="dim"))


def _nothing_known(console: Console, result: LogResult, words: Words = ENGLISH) -> None:
    _ = words.gettext
    body = Text(_("No known problem found in {source}.").format(source=result.source) + "\n", style="bold")
    if result.likely_failure:
        lf = result.likely_failure
        body.append(_("The line that most looks like the failure:") + "\n")
        body.append("  " + _("line {line}").format(line=lf.line) + ": ", style="cyan")
        body.append(printable(lf.text), style="yellow")
    console.print(Panel(body, title="triage", border_style="blue"))


def _diagnosis(console: Console, i: int, d: Diagnosis, source: str, verbose: bool, words: Words = ENGLISH) -> None:
    _ = words.gettext
    console.print(_panel(i, d, console.width, verbose, words))
    for j, s in enumerate(d.solutions, 1):
        if verbose or j == 1:
            _solution(console, j, s, words)
        else:
            verdict = applies_text(s, words)
            _one_line(console, "  " + _("Fix {number}: {title}").format(number=j, title=""), s.title,
                      (f"  [{verdict}]" if verdict else "") + (when_text(s.when, words) if s.when else ""))
    for note in d.notes if verbose else ():
        console.print(Text("  " + _("Note: {note}").format(note=note), style="magenta"))
    for ref in d.refs[:3] if verbose else ():
        console.print(Text("  " + _("See: {ref}").format(ref=ref), style="dim"), soft_wrap=True)  # never broken
    if d.fixable:
        console.print(Text("  " + _("triage can apply a fix itself: {command}   (shows the change; "
                                    "add --apply to write it)").format(command=apply_command(d, source)),
                           style="bold green"), soft_wrap=True)


def _panel(i: int, d: Diagnosis, width: int, verbose: bool, words: Words = ENGLISH) -> Panel:
    """The diagnosis in a box whose title always keeps confidence and severity."""
    suffix = "  " + words.gettext("confidence {confidence}, {severity}").format(confidence=f"{d.confidence:.2f}",
                                                                                severity=severity(d, words))
    head = f"{i}. {d.id}"
    room = max(width - 8 - len(suffix), 8)
    title = (head if len(head) <= room else head[: room - 1] + "…") + suffix
    inner = width - 4
    parts: List[Text] = [Text(d.title, style="bold")]
    shown = d.evidence if verbose else key_evidence(d.evidence, BRIEF_EVIDENCE)
    values = list(d.variables.values())
    for ev in shown:
        label = f"{where(ev, words)}: "
        row = Text(label, style="cyan", no_wrap=not verbose, overflow="ellipsis")
        text = printable(ev.text, 1000) if verbose else decisive(ev.text, max(inner - len(label), 20), values)
        row.append(text, style="yellow")
        parts.append(row)
    if len(d.evidence) > len(shown):
        hidden = len(d.evidence) - len(shown)
        parts.append(Text(words.ngettext("… {n} more evidence line (-v)", "… {n} more evidence lines (-v)", hidden)
                          .format(n=hidden), style="dim"))
    if verbose and d.summary:
        parts.append(Text("\n" + d.summary.strip(), style="italic"))
    style = "red" if d.severity in ("error", "critical") else "yellow"
    return Panel(Group(*parts), title=title, title_align="left", border_style=style)


def _one_line(console: Console, head: str, body: str, tail: str) -> None:
    line = Text(head, style="bold")
    line.append(printable(body) + tail)
    console.print(line, no_wrap=True, overflow="ellipsis", crop=True)


def _solution(console: Console, number: int, s: Solution, words: Words = ENGLISH) -> None:
    heading = Text("  " + words.gettext("Fix {number}: {title}").format(number=number, title=s.title),
                   style="bold green")
    verdict = applies_text(s, words)
    if verdict:
        heading.append(f"  [{verdict}]", style="bold green" if s.applies else "yellow" if s.applies is None else "red")
    if s.when:
        heading.append(when_text(s.when, words), style="green")
    console.print(heading)
    console.print(Text(f"  {s.why.strip()}", style="italic"))
    for kind, group in step_groups(s.steps):
        for text in _step_texts(kind, group, words):
            console.print(text, soft_wrap=True)  # long commands: the terminal wraps, rich inserts nothing


def _step_texts(kind: str, group: Sequence[str], words: Words = ENGLISH) -> List[Text]:
    if kind == SHELL:
        return [Text.assemble(("    $ ", "dim"), (printable(step, 2000), "bold")) for step in group]
    if kind == TEXT:
        return [Text(f"    • {instruction(step)}") for step in group]
    label = "    " + words.gettext({PYTHON: "Python:", CONFIG: "Config:"}[kind])
    code = [Text(f"      {printable(line, 2000)}", style="cyan") for step in group for line in step.splitlines()]
    return [Text(label, style="dim"), *code]


def with_progress(blocks: Iterator[bytes], total: int, label: str) -> Iterator[bytes]:
    """Yield the blocks while a progress bar on stderr shows how much was read."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    columns = (TextColumn("reading {task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    with Progress(*columns, console=make_console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        for block in blocks:
            bar.advance(task, len(block))
            yield block
