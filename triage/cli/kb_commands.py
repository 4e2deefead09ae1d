"""`triage explain ID` and `triage kb list|catalog|lint|search`: browsing and checking the KB."""
from __future__ import annotations

import sys
from typing import Sequence

import click

from triage.cli.app import get_kb, kb_option, main
from triage.errors import ExitCode


@main.command()
@click.argument("entry_id")
@kb_option
def explain(entry_id: str, kb_dirs: Sequence[str]) -> None:
    """Show one KB entry in full."""
    from triage.knowledge.catalog import entry_text, suggest

    kb = get_kb(kb_dirs)
    entry = kb.get(entry_id)
    if entry is None:
        hints = suggest(kb, entry_id)
        hint = f"; did you mean {' or '.join(hints)}?" if hints else ""
        raise click.UsageError(f"no KB entry '{entry_id}'{hint}")
    click.echo(entry_text(entry))


@main.group()
def kb() -> None:
    """Browse and check the knowledge base."""


@kb.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@kb_option
def kb_list(fmt: str, kb_dirs: Sequence[str]) -> None:
    """Every entry: id, severity, tags, title."""
    from triage.knowledge.catalog import list_json, list_text

    kb = get_kb(kb_dirs)
    click.echo(list_json(kb) if fmt == "json" else list_text(kb))


@kb.command("catalog")
@kb_option
def kb_catalog(kb_dirs: Sequence[str]) -> None:
    """Print the catalogue of entries as Markdown (docs/catalog.md)."""
    from triage.knowledge.catalog import catalog_markdown

    click.echo(catalog_markdown(get_kb(kb_dirs)), nl=False)


@kb.command("lint")
@click.option("--no-examples", is_flag=True, help="Only validate; do not run the examples.")
@kb_option
def kb_lint(no_examples: bool, kb_dirs: Sequence[str]) -> None:
    """Validate every entry and run its examples."""
    from triage.knowledge.lint import lint

    kbase = get_kb(kb_dirs)
    report = lint(kbase, run_examples=not no_examples)
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)
    for e in report.errors:
        click.echo(f"error: {e}", err=True)
    click.echo(f"{len(kbase.entries)} entries, {len(report.errors)} errors, {len(report.warnings)} warnings")
    sys.exit(ExitCode.FOUND if report.errors else ExitCode.CLEAN)


@kb.command("search")
@click.argument("words", nargs=-1, required=True)
@kb_option
def kb_search(words: Sequence[str], kb_dirs: Sequence[str]) -> None:
    """Fuzzy search over ids, titles, summaries and signatures."""
    from triage.knowledge.catalog import search

    found = search(get_kb(kb_dirs), " ".join(words))
    if not found:
        click.echo("no entry matches")
        sys.exit(ExitCode.FOUND)
    for score, entry in found:
        click.echo(f"{entry.id:40} {score:5.1f}  {entry.title}")
