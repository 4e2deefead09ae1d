"""`triage [FILE...]` (the main job), `triage --fix` and `triage fix ID`."""
from __future__ import annotations

import os
import sys
from dataclasses import replace
from typing import Any, List, Optional, Sequence

import click

from triage import __version__
from triage.cli.app import (
    fix_options,
    get_kb,
    kb_option,
    lang_option,
    main,
    make_redactor,
    redact_options,
    redacted,
    stdin_hint,
)
from triage.cli.render import FORMATS
from triage.errors import ExitCode
from triage.i18n.words import N_, Words, words_for
from triage.model import LogResult


@main.command("diagnose", hidden=True)
@click.argument("files", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              default="text", show_default=True, help=N_("Output format (sarif/github/junit/markdown for CI)."))
@click.option("--top", type=click.IntRange(min=1), default=None, help=N_("Show at most N diagnoses per log."))
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--no-color", is_flag=True, help=N_("Plain output even on a terminal."))
@click.option("-v", "--verbose", is_flag=True,
              help=N_("Show everything: every fix, evidence line and diagnosis in full."))
@click.option("--fix", "want_fix", is_flag=True, help=N_("Offer the automatic fix of the top diagnosis that has one."))
@lang_option
@click.option("--doctor", "want_doctor", is_flag=True,
              help=N_("Also check the diagnoses on this machine (--python / --site-packages / --project say where)."))
@redact_options
@fix_options
@kb_option
def diagnose_cmd(files: Sequence[str], fmt: str, top: Optional[int], min_confidence: float, no_color: bool,
                 verbose: bool, want_fix: bool, want_doctor: bool, lang: str, kb_dirs: Sequence[str], no_redact: bool,
                 redact_personal: bool, **fix_args: Any) -> None:
    from triage.api import diagnose_stream
    from triage.engine.decode import decode
    from triage.engine.source import LogSource
    from triage.i18n.localize import localized_results

    kb = get_kb(kb_dirs)
    words = words_for(lang)
    stdin_hint(files, words)
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
        results.append(replace(outcome, source=source.label, diagnoses=found,
                               likely_failure=None if found else outcome.likely_failure))
    results = localized_results(results, kb, lang)
    if want_fix:  # the fix needs the raw log (the real failing command); it prints no log text itself
        sys.exit(offer_fix(results, texts, kb, fix_args, words))
    if want_doctor:
        results = with_doctor(results, kb, fix_args)
    results = redacted(results, make_redactor(no_redact, redact_personal))
    if fmt == "text" and sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR"):
        from triage.cli.console import make_console, render

        render(make_console(), results, verbose, words)
    else:
        from triage.cli.render import render as render_format

        click.echo(render_format(fmt, results, __version__, verbose, words), nl=False)
    sys.exit(ExitCode.FOUND if any(r.diagnoses for r in results) else ExitCode.CLEAN)


def with_doctor(results: Sequence[LogResult], kb: Any, fix_args: Any) -> List[LogResult]:
    """Each result with its diagnoses checked on this machine, and whether the log looks foreign."""

    from triage.cli.doctor_command import doctor_context
    from triage.doctor import check_diagnoses, collect_facts, elsewhere
    from triage.versions.applies import annotate, merged

    ctx, _ = doctor_context(fix_args.get("python"), fix_args.get("site_packages"), fix_args.get("project"))
    facts = collect_facts(ctx)
    out = []
    for r in results:
        foreign = tuple(elsewhere(r.diagnoses, facts, ctx.files))
        # which fixes apply: this machine's versions win, unless the log plainly came from another one
        known = merged(facts, r.facts) if foreign else merged(r.facts, facts)
        out.append(replace(r, diagnoses=annotate(r.diagnoses, known),
                           doctor=tuple(check_diagnoses(kb, facts, r.diagnoses)), elsewhere=foreign))
    return out


def progress(source: Any) -> Any:
    """The source's blocks, with a progress bar on stderr for big files on a terminal."""
    if source.size and source.size > 64 << 20 and sys.stderr.isatty():
        from triage.cli.console import with_progress

        return with_progress(source.blocks(), source.size, source.label)
    return source.blocks()


def offer_fix(results: Sequence[Any], texts: Sequence[Optional[str]], kb: Any, fix_args: Any,
              words: Optional[Words] = None) -> int:
    from triage.fixes.cli import fix_main

    _ = (words or words_for("en")).gettext
    for result, text in zip(results, texts):
        fixable = [d for d in result.diagnoses if d.fixable]
        if fixable:
            top = fixable[0]
            click.echo(_("{source}: {id} (confidence {confidence}) has an automatic fix")
                       .format(source=result.source, id=top.id, confidence=f"{top.confidence:.2f}"))
            return fix_main(top, log=text, kb=kb, apply=True, revert=False, ask=True, **fix_args)
    for result in results:  # say what was found, and where its fixes are
        for d in result.diagnoses[:1]:
            sure = _("confidence {confidence}").format(confidence=f"{d.confidence:.2f}")
            click.echo(f"triage: {result.source}: {d.id} ({sure}): {d.title}\n"
                       + _("It has no automatic fix; its fixes: triage explain {id}").format(id=d.id))
    if not any(r.diagnoses for r in results):
        click.echo(_("triage: no known problem found, so there is nothing to fix"))
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
