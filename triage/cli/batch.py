"""Diagnose many logs at once: find them, diagnose each (in parallel), count the causes.

Returns data, never prints or renders; no click, rich or renderer here.
"""
from __future__ import annotations

import glob
import os
import signal
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from triage.api import default_kb, diagnose_stream
from triage.engine.source import LogSource
from triage.errors import InputError, TriageError
from triage.knowledge.loader import load_kb
from triage.model import KnowledgeBase, LogResult

LOG_SUFFIXES = (".log", ".txt", ".log.gz", ".gz", ".zst")
Progress = Callable[[int, int], None]


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
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the workers
    kb_for(kb_dirs)  # once per worker (free under fork: the parent's cache is inherited)


def _scan_in_worker(path: Path, kb_dirs: Tuple[str, ...]) -> LogResult:
    return diagnose_file(path, kb_for(kb_dirs))


def diagnose_file(path: Path, kb: KnowledgeBase) -> LogResult:
    """Diagnose one log, streamed; trouble reading it is recorded in `error`, not raised."""
    try:
        source = LogSource(str(path))
        outcome = diagnose_stream(source.blocks(), kb)
    except (TriageError, OSError) as exc:
        return LogResult(str(path), error=_reason(exc, str(path)))
    if not source.seen_text:
        return LogResult(str(path), error="empty")
    found = outcome.diagnoses
    return LogResult(str(path), found, None if found else outcome.likely_failure, facts=outcome.facts)


def _reason(exc: Exception, label: str) -> str:
    text = str(exc)
    for prefix in (f"{label}: ", "cannot be read: "):
        text = text[len(prefix):] if text.startswith(prefix) else text
    return text


def scan_logs(paths: Sequence[Path], jobs: int = 0, kb_dirs: Sequence[str] = (),
              progress: Optional[Progress] = None) -> List[LogResult]:
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


def _scan_serial(paths: Sequence[Path], kb: KnowledgeBase, progress: Optional[Progress]) -> List[LogResult]:
    reports: List[LogResult] = []
    for path in paths:
        reports.append(diagnose_file(path, kb))
        if progress:
            progress(len(reports), len(paths))
    return reports


def _scan_parallel(paths: Sequence[Path], dirs: Tuple[str, ...], workers: int,
                   progress: Optional[Progress]) -> List[LogResult]:
    reports: Dict[int, LogResult] = {}
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(dirs,)) as pool:
        futures = {pool.submit(_scan_in_worker, Path(p), dirs): i for i, p in enumerate(paths)}
        try:
            for future in as_completed(futures):
                reports[futures[future]] = future.result()  # a bug in triage propagates
                if progress:
                    progress(len(reports), len(paths))
        except BaseException:
            _stop_now(pool)  # Ctrl-C or a bug: do not finish the other logs, nor the ones in hand
            raise
    return [reports[i] for i in range(len(paths))]


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the workers at once (shutdown alone waits for the logs in hand)."""
    workers = list(getattr(pool, "_processes", None) or {})
    processes = getattr(pool, "_processes", None) or {}
    for pid in workers:
        processes[pid].terminate()
    pool.shutdown(wait=False, cancel_futures=True)


# --- summaries ----------------------------------------------------------------------------

def problem_counts(results: Sequence[LogResult]) -> List[Tuple[str, int, int, str, str]]:
    """(id, logs with it, logs where it ranks first, title, an example log), most frequent first."""
    anywhere: Counter[str] = Counter()
    top: Counter[str] = Counter()
    info: Dict[str, Tuple[str, str]] = {}
    for result in results:
        for d in {d.id: d for d in result.diagnoses}.values():
            anywhere[d.id] += 1
            info.setdefault(d.id, (d.title, result.source))
        if result.diagnoses:
            top[result.diagnoses[0].id] += 1
    rows = [(i, n, top[i], *info[i]) for i, n in anywhere.items()]
    return sorted(rows, key=lambda r: (-r[1], -r[2], r[0]))
