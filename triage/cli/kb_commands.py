"""`triage explain ID` and `triage kb list|catalog|lint|search`: browsing and checking the KB."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional, Sequence

import click

from triage.cli.app import get_kb, kb_option, lang_option, main
from triage.errors import ExitCode, KBError
from triage.i18n.words import words_for


@main.command()
@click.argument("entry_id")
@lang_option
@kb_option
def explain(entry_id: str, lang: str, kb_dirs: Sequence[str]) -> None:
    """Show one KB entry in full."""
    from triage.knowledge.catalog import entry_text, suggest

    words = words_for(lang)
    kb = get_kb(kb_dirs)
    entry = kb.get(entry_id)
    if entry is None:
        hints = suggest(kb, entry_id)
        hint = words.gettext("; did you mean {ids}?").format(ids=" or ".join(hints)) if hints else ""
        raise click.UsageError(words.gettext("no KB entry '{id}'").format(id=entry_id) + hint)
    click.echo(entry_text(entry, words))


@main.group()
def kb() -> None:
    """Browse and check the knowledge base."""


@kb.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@lang_option
@kb_option
def kb_list(fmt: str, lang: str, kb_dirs: Sequence[str]) -> None:
    """Every entry: id, severity, tags, title."""
    from triage.knowledge.catalog import list_json, list_text

    kb = get_kb(kb_dirs)
    words = words_for(lang)
    click.echo(list_json(kb, words) if fmt == "json" else list_text(kb, words))


@kb.command("catalog")
@lang_option
@kb_option
def kb_catalog(lang: str, kb_dirs: Sequence[str]) -> None:
    """Print the catalogue of entries as Markdown (docs/catalog.md; docs/catalog.zh.md with --lang zh)."""
    from triage.knowledge.catalog import catalog_markdown

    click.echo(catalog_markdown(get_kb(kb_dirs), words_for(lang)), nl=False)


@kb.command("lint")
@click.option("--no-examples", is_flag=True, help="Only validate; do not run the examples.")
@click.option("--overlaps", is_flag=True, help="List every match example on which other entries fire too.")
@click.option("--fixtures", type=click.Path(exists=True, file_okay=False),
              help="Require a fixture log per entry in this folder (default: fixtures/logs in a checkout).")
@kb_option
def kb_lint(no_examples: bool, overlaps: bool, fixtures: Optional[str], kb_dirs: Sequence[str]) -> None:
    """Check every KB file with the test suite's gates; exit 1 when anything is wrong."""
    from triage.knowledge.lint import checkout_paths, lint_dirs
    from triage.knowledge.loader import bundled_kb_dir
    from triage.knowledge.loader import kb_dirs as all_kb_dirs

    dirs = all_kb_dirs(kb_dirs)
    fixture_dir, catalog = checkout_paths(bundled_kb_dir()) if len(dirs) == 1 else (None, None)
    report = lint_dirs(dirs, run_examples=not no_examples, fixtures=Path(fixtures) if fixtures else fixture_dir,
                       catalog=catalog)
    if not no_examples:
        report.errors += doctor_scenarios(kb_dirs)
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
    for e in report.errors:
        click.echo(f"error: {e}", err=True)
    for line in report.overlaps if overlaps else ():
        click.echo(f"overlap: {line}")
    click.echo(f"{len(report.errors)} errors, {len(report.warnings)} warnings; {len(report.overlaps)} match "
               f"examples of {report.overlapping_entries} entries also fire other entries" + ("" if overlaps else " (--overlaps)"))
    sys.exit(ExitCode.FOUND if report.errors else ExitCode.CLEAN)


def doctor_scenarios(kb_dirs: Sequence[str]) -> List[str]:
    """The `doctor:` scenarios that fail (they need triage.doctor, which the KB code never imports)."""
    from triage.doctor.checks import scenario_failures

    try:
        kb = get_kb(kb_dirs)
    except KBError:
        return []  # the load problems are listed already
    return scenario_failures(kb)


@kb.command("search")
@click.argument("words", nargs=-1, required=True)
@lang_option
@kb_option
def kb_search(words: Sequence[str], lang: str, kb_dirs: Sequence[str]) -> None:
    """Fuzzy search over ids, titles, summaries and signatures (English and Chinese)."""
    from triage.i18n.localize import localized_entry
    from triage.knowledge.catalog import search

    found = search(get_kb(kb_dirs), " ".join(words))
    if not found:
        click.echo(words_for(lang).gettext("no entry matches"))
        sys.exit(ExitCode.FOUND)
    for score, entry in found:
        click.echo(f"{entry.id:40} {score:5.1f}  {localized_entry(entry, lang).title}")
