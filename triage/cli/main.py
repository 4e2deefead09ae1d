"""The console-script entry: every command registered, errors turned into one line and an exit code."""
from __future__ import annotations

import os
import sys

import click

from triage.cli import (  # noqa: F401  (they register their commands)
    diagnose,
    doctor_command,
    kb_commands,
    learn_command,
    report_command,
    scan_commands,
)
from triage.cli.app import language, main
from triage.errors import ExitCode, TriageError
from triage.i18n.language import flag_in
from triage.i18n.words import Words, words_for

__all__ = ["main", "run"]


def run() -> None:
    """Console-script entry: errors become one line and an exit code, never a traceback."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(_words().gettext("triage: aborted"), err=True)
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
        click.echo(_words().gettext("triage: internal error: {error} (set TRIAGE_DEBUG=1 for the traceback, "
                                    "and please report it)").format(error=f"{type(exc).__name__}: {exc}"), err=True)
        sys.exit(ExitCode.BUG)


def _words() -> Words:
    """The words for a message printed outside any command: --lang from the command line, else
    the environment."""
    return words_for(language(flag_in(sys.argv[1:])))
