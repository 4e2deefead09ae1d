"""`triage eval FOLDER` and `triage scan PATHS`: many logs at once."""
from __future__ import annotations

import sys
from typing import Callable, Optional, Sequence

import click

from triage.cli.app import get_kb, kb_option, lang_option, main, make_redactor, redact_options, redacted
from triage.errors import ExitCode
from triage.i18n.words import words_for


@main.command("eval")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--quiet", is_flag=True, help="Only the summary line.")
@kb_option
def eval_cmd(folder: str, quiet: bool, kb_dirs: Sequence[str]) -> None:
    """Score a labelled folder of logs (index.jsonl, or triage-fixture markers)."""
    from triage.cli.evaluate import evaluate, format_score

    score = evaluate(folder, get_kb(kb_dirs))
    click.echo(format_score(score, quiet))


@main.command("scan")
@click.argument("paths", nargs=-1, required=True)
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes (0: one per CPU; with --dask local: the local workers).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Diagnose the logs on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' "
                   "for a LocalCluster on this machine. Needs: pip install 'mltriage[dask]'.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="text: a summary dashboard; json: one JSON object per log (JSON lines); "
                   "html: one self-contained page with a chart of the causes.")
@lang_option
@redact_options
@kb_option
def scan_cmd(paths: Sequence[str], jobs: int, dask_address: Optional[str], fmt: str, lang: str, kb_dirs: Sequence[str],
             no_redact: bool, redact_personal: bool) -> None:
    """Diagnose many logs (folders, globs, .gz) in parallel and summarise the causes."""
    from triage.cli.batch import find_logs, kb_for, scan_logs
    from triage.cli.render.jsonout import json_lines
    from triage.cli.render.summary import summary_text
    from triage.i18n.localize import localized_results

    logs = find_logs(paths)
    if not logs:
        raise click.UsageError("no log files (*.log, *.txt, *.gz, *.zst) under the given paths")
    if dask_address:
        from triage.cli.cluster import scan_on_dask

        reports = scan_on_dask(logs, dask_address, kb_dirs, workers=jobs, progress=scan_progress(len(logs)))
    else:
        reports = scan_logs(logs, jobs=jobs, kb_dirs=kb_dirs, progress=scan_progress(len(logs)))
    reports = localized_results(reports, kb_for(tuple(str(d) for d in kb_dirs)), lang)
    reports = redacted(reports, make_redactor(no_redact, redact_personal))
    words = words_for(lang)
    if fmt == "html":
        from triage import __version__
        from triage.cli.render.html import html_page

        click.echo(html_page(reports, __version__, words), nl=False)
    else:
        click.echo(json_lines(reports) if fmt == "json" else summary_text(reports, words), nl=False)
    sys.exit(ExitCode.FOUND if any(r.diagnoses for r in reports) else ExitCode.CLEAN)


def scan_progress(total: int) -> Optional[Callable[[int, int], None]]:
    """A one-line progress counter on stderr when it is a terminal and the scan is long."""
    if total < 20 or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\rscanned {done}/{total} logs", err=True, nl=done == total)

    return show
