"""`triage scan --dask ADDRESS`: the per-log work of a scan on a Dask cluster.

Returns the same LogResults as batch.scan_logs, in input order; redaction and rendering stay
with the caller, so every output format is the plain scan's. No click, rich or renderer here.
Workers read the logs (and any --kb folders) by absolute path: on a remote cluster those must be
readable there too (a shared file system), and the workers need mltriage installed.
"""
from __future__ import annotations

import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from triage.api import diagnose_file, kb_for
from triage.errors import TriageError
from triage.model import LogResult

LOCAL = "local"
INSTALL_HINT = "pip install 'mltriage[dask]'"
Progress = Callable[[int, int], None]


class ClusterError(TriageError):
    """Dask is missing, or the cluster could not be reached or started."""


def scan_on_dask(paths: Sequence[Path], address: str, kb_dirs: Sequence[str] = (), workers: int = 0,
                 progress: Optional[Progress] = None) -> List[LogResult]:
    """Diagnose every log on the Dask cluster at `address` ("local": a LocalCluster of `workers`
    processes on this machine, 0 for Dask's default); results in input order."""
    distributed = _distributed()
    dirs = tuple(str(d) for d in kb_dirs)
    kb_for(dirs)  # a broken KB fails here, once, before any task is sent
    with _client(distributed, address, workers) as client:
        # workers get absolute paths (their working folder is not ours) and label results as we spell them
        futures = client.map(_diagnose_on_worker, [str(p) for p in paths], [os.path.abspath(p) for p in paths],
                             kb_dirs=tuple(os.path.abspath(d) for d in dirs), pure=False)
        order: Dict[Any, int] = {f.key: i for i, f in enumerate(futures)}
        results: Dict[int, LogResult] = {}
        for future in distributed.as_completed(futures):
            results[order[future.key]] = future.result()  # a bug in triage propagates
            if progress:
                progress(len(results), len(paths))
    return [results[i] for i in range(len(paths))]


def _diagnose_on_worker(label: str, path: str, kb_dirs: Tuple[str, ...]) -> LogResult:
    result = diagnose_file(path, kb_for(kb_dirs))  # the KB loads once per worker process
    error = result.error.replace(path, label) if result.error else None  # "Permission denied: '<path>'"
    return replace(result, source=label, error=error)


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError(f"--dask needs dask and distributed ({exc}); install them with: {INSTALL_HINT}") from None
    return distributed


def _client(distributed: Any, address: str, workers: int) -> Any:
    if address == LOCAL:
        # processes: the engine is Python work, threads would share one GIL; dashboard on a free port;
        # the cluster's own logs stay quiet (a worker's heartbeat racing the shutdown is no news)
        try:
            cluster = distributed.LocalCluster(n_workers=workers or None, threads_per_worker=1, processes=True,
                                               dashboard_address=":0", silence_logs=logging.CRITICAL)
        except (OSError, RuntimeError) as exc:
            raise ClusterError(f"cannot start a local Dask cluster: {exc}") from None
        return _ClusterClient(distributed.Client(cluster), cluster)
    try:
        return distributed.Client(address, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


class _ClusterClient:
    """A client that also closes the LocalCluster it was started with."""

    def __init__(self, client: Any, cluster: Any) -> None:
        self.client, self.cluster = client, cluster

    def __enter__(self) -> Any:
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.cluster.close()
