"""Scan many logs at once: find them, diagnose each (in parallel), summarise the lot.

Engine-side: returns data and strings, never prints; no click or rich here.
"""
from __future__ import annotations

import glob
import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from triage.api import default_kb, diagnose_stream
from triage.errors import InputError, TriageError
from triage.knowledge.loader import load_kb
from triage.model import KnowledgeBase
from triage.cli.render.text import Result, printable, result_dict
from triage.engine.source import LogSource

LOG_SUFFIXES = (".log", ".txt", ".log.gz", ".gz", ".zst")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LogReport:
    """One scanned log: a result, or why it could not be read (never both)."""

    path: Path
    result: Optional[Result] = None
    error: Optional[str] = None


# --- finding logs -------------------------------------------------------------------------

def find_logs(paths: Sequence[str]) -> List[Path]:
    """Log files named by `paths`: folders searched recursively, globs expanded, files kept.

    Raises InputError naming every path (or glob) that matches nothing.
    """
    found: List[Path] = []
    missing: List[str] = []
    for name in paths:
        hits = _expand(name)
        if not hits:
            missing.append(name)
        found += hits
    if missing:
        raise InputError(f"no such file or folder: {', '.join(missing)}")
    unique = {p.resolve(): p for p in reversed(found)}  # the first spelling of a file wins
    return sorted(unique.values(), key=str)


def _expand(name: str) -> List[Path]:
    if any(c in name for c in "*?["):
        matches = [Path(m) for m in glob.glob(name, recursive=True)]
    else:
        matches = [Path(name)] if Path(name).exists() else []
    out: List[Path] = []
    for path in matches:
        out += _logs_in(path) if path.is_dir() else [path]
    return out


def _logs_in(folder: Path) -> List[Path]:
    return [p for p in folder.rglob("*") if p.name.lower().endswith(LOG_SUFFIXES) and p.is_file()]


# --- scanning -----------------------------------------------------------------------------

@lru_cache(maxsize=4)
def kb_for(kb_dirs: Tuple[str, ...]) -> KnowledgeBase:
    """The bundled KB plus `kb_dirs`, loaded once per process."""
    return load_kb(*kb_dirs) if kb_dirs else default_kb()


def _init_worker(kb_dirs: Tuple[str, ...]) -> None:
    kb_for(kb_dirs)  # once per worker (free under fork: the parent's cache is inherited)


def _scan_in_worker(path: Path, kb_dirs: Tuple[str, ...]) -> LogReport:
    return scan_file(path, kb_for(kb_dirs))


def scan_file(path: Path, kb: KnowledgeBase) -> LogReport:
    """Diagnose one log, streamed; trouble reading it is recorded, not raised."""
    try:
        source = LogSource(str(path))
        outcome = diagnose_stream(source.blocks(), kb)
    except (TriageError, OSError) as exc:
        return LogReport(path, error=_reason(exc, str(path)))
    if not source.seen_text:
        return LogReport(path, error="empty")
    found = outcome.diagnoses
    return LogReport(path, Result(source.label, found, None if found else outcome.likely_failure))


def _reason(exc: Exception, label: str) -> str:
    text = str(exc)
    for prefix in (f"{label}: ", "cannot be read: "):
        text = text[len(prefix):] if text.startswith(prefix) else text
    return text


def scan_logs(paths: Sequence[Path], jobs: int = 0, kb_dirs: Sequence[str] = (),
              progress: Optional[Progress] = None) -> List[LogReport]:
    """Diagnose every log, `jobs` processes at once (0: one per CPU); results in input order.

    A broken KB raises KBError before any log is read.
    """
    if jobs < 0:
        raise ValueError("jobs must be 0 (one per CPU) or more")
    dirs = tuple(str(d) for d in kb_dirs)
    kb = kb_for(dirs)  # validate in the parent; forked workers inherit it
    workers = min(jobs or os.cpu_count() or 1, len(paths))
    if workers <= 1:
        return _scan_serial(paths, kb, progress)
    return _scan_parallel(paths, dirs, workers, progress)


def _scan_serial(paths: Sequence[Path], kb: KnowledgeBase, progress: Optional[Progress]) -> List[LogReport]:
    reports: List[LogReport] = []
    for path in paths:
        reports.append(scan_file(path, kb))
        if progress:
            progress(len(reports), len(paths))
    return reports


def _scan_parallel(paths: Sequence[Path], dirs: Tuple[str, ...], workers: int,
                   progress: Optional[Progress]) -> List[LogReport]:
    reports: Dict[int, LogReport] = {}
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(dirs,)) as pool:
        futures = {pool.submit(_scan_in_worker, Path(p), dirs): i for i, p in enumerate(paths)}
        try:
            for future in as_completed(futures):
                reports[futures[future]] = future.result()  # a bug in triage propagates
                if progress:
                    progress(len(reports), len(paths))
        except BaseException:
            pool.shutdown(cancel_futures=True)  # Ctrl-C or a bug: do not finish the other logs
            raise
    return [reports[i] for i in range(len(paths))]


# --- summaries ----------------------------------------------------------------------------

def problem_counts(reports: Sequence[LogReport]) -> List[Tuple[str, int, int, str, Path]]:
    """(id, logs with it, logs where it ranks first, title, an example log), most frequent first."""
    anywhere: Counter[str] = Counter()
    top: Counter[str] = Counter()
    info: Dict[str, Tuple[str, Path]] = {}
    for rep in reports:
        diagnoses = rep.result.diagnoses if rep.result else ()
        for d in {d.id: d for d in diagnoses}.values():
            anywhere[d.id] += 1
            info.setdefault(d.id, (d.title, rep.path))
        if diagnoses:
            top[diagnoses[0].id] += 1
    rows = [(i, n, top[i], *info[i]) for i, n in anywhere.items()]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))


def summary_text(reports: Sequence[LogReport]) -> str:
    """A plain-text dashboard: known problems by frequency, unknown failures, unreadable logs."""
    rows = problem_counts(reports)
    unknown = [r for r in reports if r.result and not r.result.diagnoses]
    broken = [r for r in reports if r.error]
    out: List[str] = []
    if rows:
        width = max(len(r[0]) for r in rows)
        out.append("Known problems (logs: any diagnosis / top one)")
        out.append(f"  {'any':>5} {'top':>5}  {'id':<{width}}  title  [example]")
        out += [f"  {n:>5} {t:>5}  {i:<{width}}  {printable(title, 80)}  [{ex}]" for i, n, t, title, ex in rows]
    if unknown:
        out += ["", f"No known problem ({len(unknown)} logs; the likely failure line):"]
        out += [_unknown_line(r) for r in unknown]
    if broken:
        out += ["", f"Unreadable ({len(broken)} logs):"]
        out += [f"  {r.path}: {r.error}" for r in broken]
    known = len(reports) - len(unknown) - len(broken)
    out += ["", f"Totals: {len(reports)} logs, {known} with a known problem ({len(rows)} distinct), "
                f"{len(unknown)} with none, {len(broken)} unreadable"]
    return "\n".join(out).lstrip("\n") + "\n"


def _unknown_line(rep: LogReport) -> str:
    lf = rep.result.likely_failure if rep.result else None
    if lf is None:
        return f"  {rep.path}: (no line looks like a failure)"
    return f"  {rep.path}:{lf.line}: {printable(lf.text, 120)}"


def json_lines(reports: Sequence[LogReport]) -> str:
    """One JSON object per log: path, error and the result body of `triage --format json`."""
    lines = []
    for rep in reports:
        body = result_dict(rep.result or Result(str(rep.path), ()))
        lines.append(json.dumps({"path": str(rep.path), "error": rep.error, **body}, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)
