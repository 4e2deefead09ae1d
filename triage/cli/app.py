"""The `triage` command group and the options its commands share."""
from __future__ import annotations

import difflib
import inspect
import os
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, Sequence

import click

from triage import __version__
from triage.i18n.language import LANGUAGES, choose_language, flag_in
from triage.i18n.words import N_, Words, words_for

LANG_FLAG = "triage.lang"  # ctx.meta key: a --lang given before the command word


class DefaultGroup(click.Group):
    """`triage FILE...` runs the hidden `diagnose` command; other words are subcommands."""

    def parse_args(self, ctx: click.Context, args: List[str]) -> List[str]:
        ctx.meta[LANG_FLAG] = flag_in(args)
        args = _lang_after_command(args, self.commands)
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
            words = words_for(language())
            raise click.UsageError(words.gettext("'{word}' is neither a file nor a command; did you mean "
                                                 "`triage {command}`?").format(word=word, command=close[0]))

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """`triage --help` in the user's language: the group's text, the commands' and the main options'."""
        with translated_help(self, words_for(language(ctx.meta.get(LANG_FLAG)))):
            super().format_help(ctx, formatter)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "[OPTIONS] [FILE]...  |  COMMAND [ARGS]...")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The main job's options first (they belong to the hidden `diagnose`), then the commands."""
        main_job = self.commands.get("diagnose")
        if main_job is not None:
            sub = click.Context(main_job, parent=ctx, info_name="triage")
            rows = [r for p in main_job.get_params(sub)
                    if isinstance(p, click.Option) and "--help" not in p.opts and (r := p.get_help_record(sub))]
            words = words_for(language(ctx.meta.get(LANG_FLAG)))
            with formatter.section(words.gettext("Options (triage [OPTIONS] [FILE]...; no FILE: read stdin)")):
                formatter.write_dl(rows)
        super().format_options(ctx, formatter)


def _lang_after_command(args: List[str], commands: Any) -> List[str]:
    """`triage --lang zh explain X` -> `triage explain --lang zh X` (and `kb search`): the option
    belongs to the command; `triage --lang zh FILE` needs nothing (the main job takes it)."""
    width = 1 if args and args[0].startswith("--lang=") else 2
    if len(args) <= width or args[0].split("=", 1)[0] != "--lang" or args[width] not in commands:
        return args
    head = width + 1 + (isinstance(commands[args[width]], click.Group) and len(args) > width + 1)
    return args[width:head] + args[:width] + args[head:]


def language(flag: Optional[str] = None) -> str:
    """The run's language: the CLI's one call of choose_language (--lang, TRIAGE_LANG, the locale)."""
    return choose_language(flag, os.environ)


def lang_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--lang zh|en; the command receives the language chosen (never None)."""
    return click.option("--lang", type=click.Choice(LANGUAGES), default=None,
                        callback=lambda ctx, param, value: language(value or ctx.meta.get(LANG_FLAG)),
                        help=N_("Answer in zh (Chinese) or en; default: $TRIAGE_LANG, then the locale "
                                "(LANG=zh_CN.UTF-8 gives zh)."))(f)


@contextmanager
def translated_help(group: click.Group, words: Words) -> Iterator[None]:
    """The help texts of the group, its commands and the main job's options, translated for the
    time `--help` is printed (click reads them from the objects; they are written in English)."""
    main_job = group.commands.get("diagnose")
    objects: List[Any] = [group, *group.commands.values(), *(main_job.params if main_job else [])]
    saved = [(o, o.help) for o in objects if o.help]
    try:
        for o, text in saved:
            o.help = help_text(text, words)
        yield
    finally:
        for o, text in saved:
            o.help = text


def help_paragraphs(text: str) -> List[str]:
    """A help text's paragraphs as the catalog holds them (click's `\\b` no-rewrap mark left out)."""
    return [p[2:] if p.startswith("\b\n") else p for p in inspect.cleandoc(text).split("\n\n")]


def help_text(text: str, words: Words) -> str:
    """A command's or option's help in the language of `words`, paragraph by paragraph."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(("\b\n" if p.startswith("\b\n") else "") + words.gettext(bare)
                       for p, bare in zip(paragraphs, help_paragraphs(text)))


def stdin_hint(files: Sequence[str], words: Optional[Words] = None) -> None:
    """Bare `triage` on a terminal: say what it waits for instead of waiting silently."""
    if not files and sys.stdin.isatty():
        words = words or words_for(language())
        click.echo(words.gettext("triage: reading a log from standard input: paste it, then press Ctrl-D "
                                 "(or run `triage FILE`; `triage --help` for more)"), err=True)


def kb_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--kb", "kb_dirs", multiple=True, type=click.Path(file_okay=False),
                        help=N_("Extra KB folder, merged with the bundled one (repeatable)."))(f)


def fix_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--python", type=click.Path(), help=N_("Interpreter whose site-packages to patch (default: this one).")),
        click.option("--site-packages", type=click.Path(), help=N_("The site-packages folder to patch.")),
        click.option("--project", type=click.Path(file_okay=False), help=N_("Project folder for user-code fixes (default: .).")),
        click.option("--run", is_flag=True, help=N_("Run a corrected or shell command after a confirmation.")),
        click.option("--yes", "-y", is_flag=True, help=N_("Do not ask for confirmation (for scripts).")),
        click.option("--unsafe", is_flag=True, help=N_("Also apply fixes graded unsafe.")),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def redact_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--no-redact and --redact-personal: what every command that prints log text offers."""
    f = click.option("--redact-personal", is_flag=True,
                     help=N_("Also replace user names, host names, IPs and e-mails by stable placeholders."))(f)
    return click.option("--no-redact", is_flag=True,
                        help=N_("Print secrets (tokens, keys, passwords) as they are in the log; masked by default."))(f)


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
