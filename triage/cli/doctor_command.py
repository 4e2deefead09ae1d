"""`triage doctor`: check KB entries on this machine; and the machine context `--doctor` shares."""
from __future__ import annotations

import os
import shutil
import sys
from typing import Any, List, Optional, Sequence, Tuple

import click

from triage.cli.app import get_kb, kb_option, main
from triage.errors import ExitCode

DOCTOR_FORMATS = ("text", "json", "markdown")


def doctor_context(python: Optional[str], site_packages: Optional[str], project: Optional[str],
                   live: bool = False, cuda: bool = False) -> Tuple[Any, List[str]]:
    """The machine to look at, and a note saying which Python that is and how it was chosen."""
    from triage.doctor import system_context

    if python and site_packages:
        raise click.UsageError("--python and --site-packages exclude each other")
    if site_packages:
        if not os.path.isdir(site_packages):
            raise click.UsageError(f"--site-packages {site_packages}: not a folder")
        return system_context(sites=[os.path.abspath(site_packages)], project=project, live=False), \
            [f"looked at site-packages {site_packages} (no interpreter: --live needs --python)"] if live else []
    if python and not shutil.which(python):
        raise click.UsageError(f"--python {python}: not an executable interpreter")
    chosen = python or shutil.which("python3") or shutil.which("python") or sys.executable
    how = [] if python else [f"looked at {chosen}, the python3 on PATH (--python PATH to choose another)"]
    if not (live or cuda):
        how.append("static checks only: nothing imported (--live runs torch in a child process, --cuda also a GPU op)")
    return system_context(python=chosen, project=project, live=live, cuda=cuda), how


@main.command("doctor")
@click.argument("more_ids", nargs=-1, metavar="")
@click.option("--python", type=click.Path(), help="The interpreter whose environment to check (default: python3 on PATH).")
@click.option("--site-packages", type=click.Path(), help="Check this site-packages folder instead of an interpreter's.")
@click.option("--project", type=click.Path(file_okay=False), help="Project folder: a model's config.json, a saved adapter.")
@click.option("--for", "ids", multiple=True, metavar="ID...", help="Check only these KB entries.")
@click.option("--live", is_flag=True, help="Also ask the target interpreter (imports torch; never starts CUDA).")
@click.option("--cuda", is_flag=True, help="Also let that child process run one tiny CUDA op (implies --live; creates a CUDA context).")
@click.option("--format", "fmt", type=click.Choice(DOCTOR_FORMATS), default="text", show_default=True)
@kb_option
def doctor_cmd(more_ids: Sequence[str], python: Optional[str], site_packages: Optional[str], project: Optional[str],
               ids: Sequence[str], live: bool, cuda: bool, fmt: str, kb_dirs: Sequence[str]) -> None:
    """Check, on this machine, the KB entries that say how: confirmed, ruled out or unknown.

    \b
    Reads files and package metadata and runs small programs (nvidia-smi, nvcc --version,
    docker --version, ninja --version) with a timeout; no network. Exit code 1 when a check
    is confirmed, else 0.
    """
    from triage.cli.render.doctor import doctor_json, doctor_markdown, doctor_text
    from triage.doctor import check_entries, collect_facts

    if more_ids and not ids:
        raise click.UsageError(f"unexpected argument {more_ids[0]!r} (entry ids follow --for)")
    ctx, notes = doctor_context(python, site_packages, project, live, cuda)
    kb = get_kb(kb_dirs)
    facts = collect_facts(ctx)
    checks = check_entries(kb, facts, [i for raw in (*ids, *more_ids) for i in raw.split(",") if i])
    if fmt == "json":
        click.echo(doctor_json(facts, checks), nl=False)
    elif fmt == "markdown":
        click.echo(doctor_markdown(facts, checks, notes), nl=False)
    else:
        click.echo(doctor_text(facts, checks, notes), nl=False)
    sys.exit(ExitCode.FOUND if any(c.verdict == "confirmed" for c in checks) else ExitCode.CLEAN)
