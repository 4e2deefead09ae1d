"""The `triage` command: a thin click shell over the API. Exit codes: see triage.errors.ExitCode."""
from __future__ import annotations

import os
import sys
from typing import Any, Callable, List, Optional, Sequence

import click

from triage import __version__
from triage.errors import ExitCode, TriageError



class DefaultGroup(click.Group):
    """`triage FILE...` runs the hidden `diagnose` command; other words are subcommands."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["diagnose", *args]
        return super().parse_args(ctx, args)


def kb_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--kb", "kb_dirs", multiple=True, type=click.Path(file_okay=False),
                        help="Extra KB folder, merged with the bundled one (repeatable).")(f)


def fix_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--python", type=click.Path(), help="Interpreter whose site-packages to patch (default: this one)."),
        click.option("--site-packages", type=click.Path(), help="The site-packages folder to patch."),
        click.option("--project", type=click.Path(file_okay=False), help="Project folder for user-code fixes (default: .)."),
        click.option("--run", is_flag=True, help="Run a corrected or shell command after a confirmation."),
        click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (for scripts)."),
        click.option("--unsafe", is_flag=True, help="Also apply fixes graded unsafe."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def get_kb(kb_dirs: Sequence[str]) -> Any:
    from triage.api import default_kb
    from triage.knowledge.loader import load_kb

    return load_kb(*kb_dirs) if kb_dirs else default_kb()


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="triage")
def main() -> None:
    """Name the known problem in a failed ML build or training log.

    \b
      triage < build.log          read a log from stdin
      triage train.log other.log  or from files
      triage explain ID           show a KB entry in full
      triage kb list|lint|search  browse and check the knowledge base
    """


@main.command("diagnose", hidden=True)
@click.argument("files", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github", "markdown", "junit"]),
              default="text", show_default=True, help="Output format (sarif/github/junit/markdown for CI).")
@click.option("--top", type=click.IntRange(min=1), default=None, help="Show at most N diagnoses per log.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--no-color", is_flag=True, help="Plain output even on a terminal.")
@click.option("-v", "--verbose", is_flag=True, help="Show the fixes of every diagnosis, not only the first.")
@click.option("--fix", "want_fix", is_flag=True, help="Offer the automatic fix of the top diagnosis that has one.")
@fix_options
@kb_option
def diagnose_cmd(files: Sequence[str], fmt: str, top: Optional[int], min_confidence: float,
                 no_color: bool, verbose: bool, want_fix: bool, kb_dirs: Sequence[str], **fix_args: Any) -> None:
    from triage.api import diagnose_stream
    from triage.engine.decode import decode
    from triage.cli.render.text import Result, json_report, text_report
    from triage.engine.source import LogSource

    kb = get_kb(kb_dirs)
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
        results.append(Result(source.label, found, None if found else outcome.likely_failure))
    if want_fix:
        sys.exit(offer_fix(results, texts, kb, fix_args))
    if fmt == "json":
        click.echo(json_report(results, __version__), nl=False)
    elif fmt != "text":
        from triage.cli.render.ci import render as render_format

        click.echo(render_format(fmt, results, __version__), nl=False)
    elif sys.stdout.isatty() and not no_color and not os.environ.get("NO_COLOR"):
        from triage.cli.console import make_console, render

        render(make_console(), results, verbose)
    else:
        click.echo("\n".join(text_report(r, verbose) for r in results), nl=False)
    sys.exit(ExitCode.FOUND if any(r.diagnoses for r in results) else ExitCode.CLEAN)


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
    click.echo("triage: no diagnosis with an automatic fix" if any(r.diagnoses for r in results)
               else "triage: no known problem found, so there is nothing to fix")
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
    from triage.fixes.cli import fix_main
    from triage.engine.source import read_source

    if apply and revert:
        raise click.UsageError("--apply and --revert exclude each other")
    log = decode(read_source(log_file)) if log_file else None
    sys.exit(fix_main(entry_id, log=log, kb=get_kb(kb_dirs), apply=apply, revert=revert, **fix_args))


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
              help="Worker processes (0: one per CPU).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a summary dashboard; json: one JSON object per log (JSON lines).")
@kb_option
def scan_cmd(paths: Sequence[str], jobs: int, fmt: str, kb_dirs: Sequence[str]) -> None:
    """Diagnose many logs (folders, globs, .gz) in parallel and summarise the causes."""
    from triage.cli.batch import find_logs, json_lines, scan_logs, summary_text

    logs = find_logs(paths)
    if not logs:
        raise click.UsageError("no log files (*.log, *.txt, *.gz, *.zst) under the given paths")
    reports = scan_logs(logs, jobs=jobs, kb_dirs=kb_dirs, progress=scan_progress(len(logs)))
    click.echo(json_lines(reports) if fmt == "json" else summary_text(reports), nl=False)
    sys.exit(ExitCode.FOUND if any(r.result and r.result.diagnoses for r in reports) else ExitCode.CLEAN)


def scan_progress(total: int) -> Optional[Callable[[int, int], None]]:
    """A one-line progress counter on stderr when it is a terminal and the scan is long."""
    if total < 20 or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\rscanned {done}/{total} logs", err=True, nl=done == total)

    return show


def run() -> None:
    """Console-script entry: errors become one line and an exit code, never a traceback."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("triage: aborted", err=True)
        sys.exit(ExitCode.ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitCode.ERROR)
    except TriageError as exc:
        click.echo(f"triage: {exc}", err=True)
        sys.exit(ExitCode.ERROR)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(ExitCode.ERROR)
    except SystemExit:
        raise
    except Exception as exc:  # last resort: a bug in triage, not in the user's input
        if os.environ.get("TRIAGE_DEBUG"):
            raise
        click.echo(f"triage: internal error: {type(exc).__name__}: {exc} "
                   "(set TRIAGE_DEBUG=1 for the traceback, and please report it)", err=True)
        sys.exit(ExitCode.BUG)
