"""The pre-commit hook: fail when a committed log holds a known problem.

    triage-hook [--fail-on error] [--min-confidence 0.5] [--kb DIR] FILE...

Prints `file:line: id: title (confidence 0.93)` per problem at or above `--fail-on`, and
exits 1 when there is any, else 0. A file that cannot be read (empty, binary, ...) prints
`file: cannot be read (reason)` but does not fail the hook: the hook's job is to catch
known failures, and the manifest's `files` pattern also picks up ordinary `.txt` files
(or an empty placeholder log) that must not block a commit. A broken `--kb` folder prints
one line and exits 2: a configuration error, not a finding.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

from triage.cli.batch import diagnose_file, kb_for
from triage.errors import ExitCode, KBError
from triage.model import SEVERITIES, Diagnosis, KnowledgeBase, LogResult
from triage.redact import redact_result


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="triage-hook", description="Fail on logs that hold a known problem.")
    p.add_argument("files", nargs="*", help="log files to check")
    p.add_argument("--fail-on", choices=SEVERITIES, default="error",
                   help="lowest severity that fails the hook (default: error)")
    p.add_argument("--kb", action="append", default=[], metavar="DIR",
                   help="an extra folder of KB entries (repeatable)")
    p.add_argument("--min-confidence", type=_confidence, default=0.5,
                   help="ignore diagnoses below this confidence (default: 0.5)")
    return p


def _confidence(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        kb = kb_for(tuple(args.kb))
    except KBError as exc:
        print(f"triage-hook: {exc}")
        return ExitCode.ERROR
    found = 0
    for name in args.files:
        found += check(name, kb, args.fail_on, args.min_confidence)
    return ExitCode.FOUND if found else ExitCode.CLEAN


def check(name: str, kb: KnowledgeBase, fail_on: str, min_confidence: float) -> int:
    """Print the problems in one file; return how many there are."""
    report = redact_result(diagnose_file(Path(name), kb))  # what the hook prints lands in CI logs
    if report.error:
        print(f"{name}: cannot be read ({report.error})")
        return 0
    problems = failing(report, fail_on, min_confidence)
    for d in problems:
        line = d.evidence[0].line if d.evidence else 1
        print(f"{name}:{line}: {d.id}: {d.title} (confidence {d.confidence:.2f})")
    return len(problems)


def failing(report: LogResult, fail_on: str, min_confidence: float) -> List[Diagnosis]:
    floor = SEVERITIES.index(fail_on)
    return [d for d in report.diagnoses
            if d.confidence >= min_confidence and SEVERITIES.index(d.severity) >= floor]


def run() -> None:
    sys.exit(main())

if __name__ == "__main__":
    run()
