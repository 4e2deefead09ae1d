"""`triage learn PATH... --out DIR`: draft KB entries from the logs the KB does not know."""
from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

import click

from triage.cli.app import get_kb, kb_option, main


@main.command("learn")
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder the drafts are written to (draft-<slug>.yaml; created if need be, no file replaced).")
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
              help="Draft an entry for a failure message only when this many logs show it.")
@click.option("--healthy", multiple=True,
              help="Healthy logs (files, folders, globs) for the drafts' no_match lines; a draft whose regex "
                   "matches one is not written (default: the benign fixtures of a source checkout).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for diagnosing (0: one per CPU).")
@kb_option
def learn_cmd(paths: Sequence[str], out: str, min_count: int, healthy: Sequence[str], jobs: int,
              kb_dirs: Sequence[str]) -> None:
    """Turn the logs no entry diagnoses into draft KB entries: their failure messages are
    clustered, and each message seen in --min-count logs or more becomes a draft to edit."""
    from triage.cli.batch import find_logs, scan_logs
    from triage.cli.render.learned import learn_summary
    from triage.cli.scan_commands import scan_progress
    from triage.learn.healthy import Healthy
    from triage.learn.plan import learn, write

    logs = find_logs(paths)
    if not logs:
        raise click.UsageError("no log files (*.log, *.txt, *.gz, *.zst) under the given paths")
    healthy_logs = find_logs(healthy) if healthy else default_healthy()
    results = scan_logs(logs, jobs=jobs, kb_dirs=kb_dirs, progress=scan_progress(len(logs)))
    report = learn(results, get_kb(kb_dirs), Healthy.read(healthy_logs), min_count)
    status = write(report, Path(out))
    click.echo(learn_summary(report, status, out, len(healthy_logs)), nl=False)


def default_healthy() -> List[Path]:
    """The benign fixtures beside the bundled KB in a source checkout (none in an installed wheel)."""
    from triage.knowledge.lint import checkout_paths
    from triage.knowledge.loader import bundled_kb_dir

    fixtures, _ = checkout_paths(bundled_kb_dir())
    return sorted(fixtures.glob("benign-*.log")) if fixtures is not None else []
