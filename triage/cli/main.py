"""The console-script entry: every command registered, errors turned into one line and an exit code."""
from __future__ import annotations

import os
import sys

import click

from triage.cli import diagnose, doctor_command, kb_commands, report_command, scan_commands  # noqa: F401  (they register their commands)
from triage.cli.app import main
from triage.errors import ExitCode, TriageError

__all__ = ["main", "run"]


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
