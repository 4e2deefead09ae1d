"""The `triage` command group and the options its commands share."""
from __future__ import annotations

import difflib
import os
import sys
from typing import Any, Callable, List, Sequence

import click

from triage import __version__


class DefaultGroup(click.Group):
    """`triage FILE...` runs the hidden `diagnose` command; other words are subcommands."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            if args:
                self._check_typo(args[0])
            args = ["diagnose", *args]
        return super().parse_args(ctx, args)

    def _check_typo(self, word: str) -> None:
        """`triage exlpain X`: a word that is no file but close to a command names the command."""
        if word.startswith("-") or os.path.exists(word) or any(c in word for c in "./\\"):
            return
        visible = [name for name, cmd in self.commands.items() if not cmd.hidden]
        close = difflib.get_close_matches(word, visible, n=1, cutoff=0.6)
        if close:
            raise click.UsageError(f"'{word}' is neither a file nor a command; did you mean `triage {close[0]}`?")

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [FILE]...  |  COMMAND [ARGS]...")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The main job's options first (they belong to the hidden `diagnose`), then the commands."""
        main_job = self.commands.get("diagnose")
        if main_job is not None:
            sub = click.Context(main_job, parent=ctx, info_name="triage")
            rows = [r for p in main_job.get_params(sub)
                    if isinstance(p, click.Option) and "--help" not in p.opts and (r := p.get_help_record(sub))]
            with formatter.section("Options (triage [OPTIONS] [FILE]...; no FILE: read stdin)"):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


def stdin_hint(files: Sequence[str]) -> None:
    """Bare `triage` on a terminal: say what it waits for instead of waiting silently."""
    if not files and sys.stdin.isatty():
        click.echo("triage: reading a log from standard input: paste it, then press Ctrl-D "
                   "(or run `triage FILE`; `triage --help` for more)", err=True)


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


def redact_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--no-redact and --redact-personal: what every command that prints log text offers."""
    f = click.option("--redact-personal", is_flag=True,
                     help="Also replace user names, host names, IPs and e-mails by stable placeholders.")(f)
    return click.option("--no-redact", is_flag=True,
                        help="Print secrets (tokens, keys, passwords) as they are in the log; masked by default.")(f)


def make_redactor(no_redact: bool, redact_personal: bool) -> Any:
    """The run's one Redactor (placeholders stay stable across all its logs), or None for none."""
    if no_redact and not redact_personal:
        return None
    from triage.redact import Redactor

    return Redactor(secrets=not no_redact, personal=redact_personal)


def redacted(results: Sequence[Any], redactor: Any) -> List[Any]:
    """The results as every output format must see them: secrets masked (unless opted out)."""
    if redactor is None:
        return list(results)
    from triage.redact import redact_result

    return [redact_result(r, redactor) for r in results]


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
