"""The one place that builds rich output; imported only when stdout is a terminal."""
from __future__ import annotations

from typing import Iterator, Sequence

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from triage.cli.render.common import printable, solution_lines, where
from triage.model import Diagnosis, LogResult


def make_console(no_color: bool = False, stderr: bool = False) -> Console:
    # markup and highlighting off: "[rank0]" or "[WARNING]" in a log must print as written
    return Console(markup=False, highlight=False, no_color=no_color, stderr=stderr, soft_wrap=False)


def render(console: Console, results: Sequence[LogResult], verbose: bool = False) -> None:
    for result in results:
        if not result.diagnoses:
            body = Text(f"No known problem found in {result.source}.\n", style="bold")
            if result.likely_failure:
                lf = result.likely_failure
                body.append("The line that most looks like the failure:\n")
                body.append(f"  line {lf.line}: ", style="cyan")
                body.append(printable(lf.text), style="yellow")
            console.print(Panel(body, title="triage", border_style="blue"))
            continue
        console.print(Text(f"{len(result.diagnoses)} known problem(s) in {result.source}, most likely first",
                           style="bold"))
        for i, d in enumerate(result.diagnoses, 1):
            console.print(_panel(i, d, verbose or i == 1))


def _panel(i: int, d: Diagnosis, full: bool) -> Panel:
    parts = []
    ev_text = Text()
    for ev in d.evidence:
        ev_text.append(f"{where(ev)}: ", style="cyan")
        ev_text.append(printable(ev.text) + "\n", style="yellow")
    parts.append(ev_text)
    if full:
        parts.append(Text(d.summary + "\n", style="italic"))
        for j, s in enumerate(d.solutions, 1):
            parts.append(_solution_text(solution_lines(j, s)))
        for note in d.notes:
            parts.append(Text(f"Note: {note}", style="magenta"))
        for ref in d.refs[:3]:
            parts.append(Text(f"See: {ref}", style="dim"))
        if d.fixable:
            parts.append(Text(f"An automatic fix exists: triage fix {d.id}", style="bold green"))
    else:
        parts.append(Text(f"run `triage explain {d.id}` for the fixes", style="dim"))
    title = f"{i}. {d.id} — {d.title}  (confidence {d.confidence:.2f})"
    style = "red" if d.severity in ("error", "critical") else "yellow"
    return Panel(Group(*parts), title=title, title_align="left", border_style=style)


def _solution_text(lines: Sequence[str]) -> Text:
    """The lines of render.common.solution_lines, styled: heading, explanation, commands."""
    out = Text()
    for k, line in enumerate(lines):
        style = "bold green" if k == 0 else ("bold" if line.lstrip().startswith("$ ") else "")
        out.append(line + "\n", style=style)
    return out


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
