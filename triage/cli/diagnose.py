"""`triage [FILE...]` (the main job), `triage --fix` and `triage fix ID`."""
from __future__ import annotations

import os
import sys
from typing import Any, List, Optional, Sequence

import click

from triage import __version__
from triage.cli.app import fix_options, get_kb, kb_option, main, make_redactor, redact_options, redacted, stdin_hint
from triage.cli.render import FORMATS
from triage.errors import ExitCode
from triage.model import LogResult


@main.command("diagnose", hidden=True)
@click.argument("files", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              default="text", show_default=True, help="Output format (sarif/github/junit/markdown for CI).")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show at most N diagnoses per log.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--no-color", is_flag=True, help="Plain output even on a terminal.")
@click.option("-v", "--verbose", is_flag=True, help="Show everything: every fix, evidence line and diagnosis in full.")
@click.option("--fix", "want_fix", is_flag=True, help="Offer the automatic fix of the top diagnosis that has one.")
@click.option("--doctor", "want_doctor", is_flag=True,
              help="Also check the diagnoses on this machine (--python / --site-packages / --project say where).")
@redact_options
@fix_options
@kb_option
def diagnose_cmd(files: Sequence[str], fmt: str, top: Optional[int], min_confidence: float, no_color: bool,
                 verbose: bool, want_fix: bool, want_doctor: bool, kb_dirs: Sequence[str], no_redact: bool,
                 redact_personal: bool, **fix_args: Any) -> None:
    from triage.api import diagnose_stream
    from triage.engine.decode import decode
    from triage.engine.source import LogSource

    kb = get_kb(kb_dirs)
    stdin_hint(files)
    results = []
    sources = [LogSource(name) for name in files or ["-"]]  # fail early on a missing file
    texts: List[Optional[str]] = []
    for source in sources:
        if want_fix:  # a fix needs the log's text (the failing command): hold this one log
            data = source.read_all()
            texts.append(decode(data))
            outcome = diagnose_stream([data], kb)
        else:
            outcome = diagnose_stream(progress(source), kb)
            source.check_not_empty()
        found = [d for d in outcome.diagnoses if d.confidence >= min_confidence][:top]
        results.append(LogResult(source.label, found, None if found else outcome.likely_failure))
    if want_fix:  # the fix needs the raw log (the real failing command); it prints no log text itself
        sys.exit(offer_fix(results, texts, kb, fix_args))
    if want_doctor:
        results = with_doctor(results, kb, fix_args)
    results = redacted(results, make_redactor(no_redact, redact_personal))
    if fmt == "text" and sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR"):
        from triage.cli.console import make_console, render

        render(make_console(), results, verbose)
    else:
        from triage.cli.render import render as render_format

        click.echo(render_format(fmt, results, __version__, verbose), nl=False)
    sys.exit(ExitCode.FOUND if any(r.diagnoses for r in results) else ExitCode.CLEAN)


def with_doctor(results: Sequence[LogResult], kb: Any, fix_args: Any) -> List[LogResult]:
    """Each result with its diagnoses checked on this machine, and whether the log looks foreign."""
    from dataclasses import replace

    from triage.cli.doctor_command import doctor_context
    from triage.doctor import check_diagnoses, collect_facts, elsewhere

    ctx, _ = doctor_context(fix_args.get("python"), fix_args.get("site_packages"), fix_args.get("project"))
    facts = collect_facts(ctx)
    return [replace(r, doctor=tuple(check_diagnoses(kb, facts, r.diagnoses)),
                    elsewhere=tuple(elsewhere(r.diagnoses, facts, ctx.files))) for r in results]


def progress(source: Any) -> Any:
    """The source's blocks, with a progress bar on stderr for big files on a terminal."""
    if source.size and source.size > 64 << 20 and sys.stderr.isatty():
        from triage.cli.console import with_progress

        return with_progress(source.blocks(), source.size, source.label)
    return source.blocks()


def offer_fix(results: Sequence[Any], texts: Sequence[Optional[str]], kb: Any, fix_args: Any) -> int:
    from triage.fixes.cli import fix_main

    for result, text in zip(results, texts):
        fixable = [d for d in result.diagnoses if d.fixable]
        if fixable:
            top = fixable[0]
            click.echo(f"{result.source}: {top.id} (confidence {top.confidence:.2f}) has an automatic fix")
            return fix_main(top, log=text, kb=kb, apply=True, revert=False, ask=True, **fix_args)
    for result in results:  # say what was found, and where its fixes are
        for d in result.diagnoses[:1]:
            click.echo(f"triage: {result.source}: {d.id} (confidence {d.confidence:.2f}): {d.title}\n"
                       f"It has no automatic fix; its fixes: triage explain {d.id}")
    if not any(r.diagnoses for r in results):
        click.echo("triage: no known problem found, so there is nothing to fix")
    return ExitCode.FOUND if any(r.diagnoses for r in results) else ExitCode.CLEAN


@main.command("fix")
@click.argument("entry_id")
@click.option("--log", "log_file", type=click.Path(), help="The log that shows the failing command (command fixes).")
@click.option("--apply", is_flag=True, help="Write the change (default: dry run, show the diff).")
@click.option("--revert", is_flag=True, help="Restore the files this fix changed, from triage's backup.")
@fix_options
@kb_option
def fix_cmd(entry_id: str, log_file: Optional[str], apply: bool, revert: bool, kb_dirs: Sequence[str],
            **fix_args: Any) -> None:
    """Show, apply or revert the automatic fix of a KB entry.

    \b
    Exit codes: 0 planned/applied/reverted, 4 already applied, 5 not applicable
    to this version, 6 target not found, 7 refused (changed file, no backup, not confirmed).
    """
    from triage.engine.decode import decode
    from triage.engine.source import read_source
    from triage.fixes.cli import fix_main

    if apply and revert:
        raise click.UsageError("--apply and --revert exclude each other")
    log = decode(read_source(log_file)) if log_file else None
    sys.exit(fix_main(entry_id, log=log, kb=get_kb(kb_dirs), apply=apply, revert=revert, **fix_args))
