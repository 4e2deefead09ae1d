"""`triage report LOG`: a redacted Markdown bundle for a GitHub issue (stdout, or -o FILE)."""
from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import List, Optional, Sequence

import click

from triage import __version__
from triage.cli.app import get_kb, kb_option, main
from triage.errors import ExitCode


@main.command("report")
@click.argument("log")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here instead of stdout.")
@click.option("--context", type=click.IntRange(0, 20), default=3, show_default=True,
              help="Lines of log shown either side of each evidence line.")
@click.option("--redact-personal", is_flag=True,
              help="Also replace user names, host names, IPs and e-mails by stable placeholders.")
@kb_option
def report_cmd(log: str, output: Optional[str], context: int, redact_personal: bool, kb_dirs: Sequence[str]) -> None:
    """Write a Markdown report of LOG for a GitHub issue, secrets masked.

    \b
    It says at the top what was masked (counts per kind, never values), then each diagnosis
    with its evidence lines in context, the likely failure line, triage's version and a hash
    of the knowledge base. Read it before you post it: masking is by pattern.
    """
    from triage.api import analyze, text_chunks
    from triage.cli.render.report import report_markdown
    from triage.engine.decode import decode
    from triage.engine.source import LogSource
    from triage.redact import Redactor

    source = LogSource(log)
    text = decode(source.read_all())
    kb = get_kb(kb_dirs)
    result = analyze(text_chunks(text), kb)
    result = replace(result, source=source.label)
    lines = text.split("\n")  # numbered as the engine numbers them
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line does not start another
    doc = report_markdown(result, lines, Redactor(personal=redact_personal), __version__, kb_hash(kb_files(kb_dirs)),
                          len(kb.entries), context)
    if output:
        Path(output).write_text(doc, encoding="utf-8")
        click.echo(f"triage: report written to {output}", err=True)
    else:
        click.echo(doc, nl=False)
    sys.exit(ExitCode.FOUND if result.diagnoses else ExitCode.CLEAN)


def kb_files(extra_dirs: Sequence[str]) -> List[Path]:
    """Every file the KB was loaded from: entries, fragments and tables (the loader's own list)."""
    from triage.knowledge.loader import entry_files, kb_dirs

    return entry_files(kb_dirs(extra_dirs))


def kb_hash(files: Sequence[Path]) -> str:
    """A short hash of the KB files' contents: which KB produced a report, wherever it was installed."""
    digest = hashlib.sha256()
    for path in files:  # in the loader's order: sorted within each KB folder
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]
