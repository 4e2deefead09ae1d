"""`triage fix` and `triage --fix`: show a plan as a diff, then apply, revert or run it."""
from __future__ import annotations

import os
import shlex
import subprocess
from typing import Any, Optional

import click

from triage.errors import ExitCode, PatchError
from triage.fixes.plan import FixPlan, apply_fix, plan_fix, revert_fix

OUTCOME_EXIT = {"ready": ExitCode.CLEAN, "applied": ExitCode.CLEAN, "reverted": ExitCode.CLEAN,
                "already-applied": ExitCode.ALREADY, "not-applicable": ExitCode.NOT_APPLICABLE,
                "target-not-found": ExitCode.NOT_FOUND, "refused": ExitCode.REFUSED,
                "no-fix": ExitCode.NOT_APPLICABLE, "usage": ExitCode.ERROR}


def describe(plan: FixPlan) -> str:
    lines = [f"fix {plan.entry_id} ({plan.kind}, {plan.safety}): {plan.outcome}"]
    if plan.target:
        lines.append(f"  target: {plan.target}")
    if plan.version:
        lines.append(f"  installed version: {plan.version}; patch known for: {plan.versions or 'any'}")
    if plan.reason:
        lines.append(f"  {plan.reason}")
    if plan.diff:
        lines.append(plan.diff.rstrip("\n"))
    if plan.kind != "shell":
        lines += [f"  then: $ {step}" for step in plan.run]
    if plan.outcome == "ready":
        lines += [f"  --run: {inv.show()}" for inv in plan.invocations]
    return "\n".join(lines)


def confirm(question: str, yes: bool) -> bool:
    """Ask on the terminal even when stdin is the log; without a terminal only --yes agrees."""
    if yes:
        return True
    try:  # two streams: a terminal cannot seek, so one "r+" text stream over it fails
        with open("/dev/tty", "w", encoding="utf-8") as out, open("/dev/tty", encoding="utf-8") as answer:
            out.write(f"{question} [y/N] ")
            out.flush()
            return answer.readline().strip().lower() in ("y", "yes")
    except OSError:
        click.echo("triage: no terminal to confirm on; re-run with --yes to proceed", err=True)
        return False


def undo_command(plan: FixPlan, python: Optional[str] = None, site_packages: Optional[str] = None) -> str:
    """The exact `triage fix ID --revert ...` that finds the files this plan writes, shell-quoted."""
    words = ["triage", "fix", plan.entry_id, "--revert"]
    if plan.kind == "project" and plan.root:
        words += ["--project", os.path.abspath(plan.root)]
    if plan.kind == "package" and site_packages:
        words += ["--site-packages", os.path.abspath(site_packages)]
    elif plan.kind == "package" and python:
        words += ["--python", python if os.sep not in python else os.path.abspath(python)]
    return shlex.join(words)


def act(plan: FixPlan, apply: bool, revert: bool, run: bool, yes: bool, unsafe: bool, ask: bool = False,
        undo: str = "") -> int:
    """Print the plan, then do what was asked; returns the exit code."""
    try:
        if revert:
            plan = revert_fix(plan)
            click.echo(f"reverted {plan.entry_id}: {plan.reason}")
            _notes(plan)
            return ExitCode.CLEAN
        click.echo(describe(plan))
        if plan.outcome != "ready":
            return OUTCOME_EXIT.get(plan.outcome, ExitCode.ERROR)
        if plan.kind in ("command", "shell") or (run and plan.run):
            return _run_commands(plan, run, yes)
        if not apply:
            click.echo("(dry run: add --apply to write this change; a backup is kept and --revert restores it)")
            return ExitCode.CLEAN
        if plan.safety == "display" or (plan.safety == "unsafe" and not unsafe):
            click.echo(f"triage: this fix is graded {plan.safety}; "
                       + ("apply it by hand" if plan.safety == "display" else "add --unsafe to apply it"), err=True)
            return ExitCode.REFUSED
        if ask and not confirm(f"Apply this change to {plan.target}?", yes):
            return ExitCode.REFUSED
        plan = apply_fix(plan)
        _notes(plan)
        click.echo(f"applied {plan.entry_id}; undo with: {undo or undo_command(plan)}")
        return ExitCode.CLEAN
    except PatchError as exc:
        click.echo(f"triage: {exc}", err=True)
        return OUTCOME_EXIT.get(exc.outcome, ExitCode.ERROR)


def _notes(plan: FixPlan) -> None:
    for note in plan.notes:
        click.echo(f"  note: {note}")


def _run_commands(plan: FixPlan, run: bool, yes: bool) -> int:
    invocations = plan.invocations
    refused = [inv.refused for inv in invocations if inv.refused]
    if not run:
        click.echo("(not run: triage will not run this one; check it and run it yourself)" if refused else
                   "(not run: add --run to run " + ("it" if len(invocations) == 1 else "them") + " after a confirmation)")
        return ExitCode.CLEAN
    if refused:
        click.echo(f"triage: refusing to run: {refused[0]}", err=True)
        return ExitCode.REFUSED
    for inv in invocations:
        if not confirm(f"Run {inv.show()}?", yes):
            return ExitCode.REFUSED
        args, env = inv.command()
        try:  # no shell: the words shown are the words run
            code = subprocess.call(args, env={**os.environ, **env})
        except OSError as exc:
            click.echo(f"triage: cannot run {args[0]}: {exc.strerror or exc}", err=True)
            return ExitCode.ERROR
        if code != 0:
            click.echo(f"triage: {inv.show()} exited {code}", err=True)
            return code
    return ExitCode.CLEAN


def fix_main(entry_or_diagnosis: Any, *, log: Optional[str], python: Optional[str], site_packages: Optional[str],
             project: Optional[str], apply: bool, revert: bool, run: bool, yes: bool, unsafe: bool,
             ask: bool = False, kb: Any = None) -> int:
    """Plan a fix and act on it; `ask` confirms before writing (for `triage --fix`)."""
    try:
        plan = plan_fix(entry_or_diagnosis, python=python, site_packages=site_packages, project=project,
                        log=log, kb=kb)
    except PatchError as exc:
        click.echo(f"triage: {exc}", err=True)
        return OUTCOME_EXIT.get(exc.outcome, ExitCode.ERROR)
    return act(plan, apply, revert, run, yes, unsafe, ask, undo_command(plan, python, site_packages))
