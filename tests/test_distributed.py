"""Beyond one machine: diagnose_path is a scan's record, and `triage scan --dask` gives a plain
scan's records. The cluster is a 2-worker LocalCluster with thread workers (processes=False):
the same scheduler, tasks and pickling of results, without seconds of process start-up in CI."""
from __future__ import annotations

import gzip
import json
import pickle
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import distributed
import pytest

from triage import diagnose_path
from triage.cli.batch import find_logs, scan_logs
from triage.cli.cluster import scan_on_dask
from triage.cli.main import run
from triage.errors import ExitCode

from .conftest import invoke

OOM = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB "
       "total capacity; 20.61 GiB already allocated; 1.69 GiB free; 21.92 GiB reserved in total by PyTorch)")
SECRET = "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"
LOGS = {
    "oom.log": f"step 1 loss 2.3\n{OOM}\n",
    "docker.txt": "+ nvidia-docker run img\nbash: nvidia-docker: command not found\n",
    "unknown.log": f"step 1\nRuntimeError: Address already in use (token {SECRET})\n",
    "empty.log": "",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ci-logs")
    for name, text in LOGS.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "nested").mkdir()
    (root / "nested" / "oom.log.gz").write_bytes(gzip.compress(LOGS["oom.log"].encode()))
    (root / "nested" / "core.log").write_bytes(bytes(range(256)) * 8)
    return root


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as local:
        yield local


cli = invoke  # `triage ARGS...` in-process: (exit code, output)


def records(output: str) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_diagnose_path_is_the_record_a_plain_scan_prints(folder: Path) -> None:
    code, out = cli("scan", str(folder), "-j", "1", "--format", "json")
    assert code == ExitCode.FOUND
    scanned = records(out)
    assert {Path(r["path"]).name for r in scanned} == {"oom.log", "docker.txt", "unknown.log", "empty.log",
                                                       "oom.log.gz", "core.log"}
    for record in scanned:
        mine = diagnose_path(record["path"])
        assert mine == record
        assert pickle.loads(pickle.dumps(mine)) == mine
        assert json.loads(json.dumps(mine)) == mine  # JSON-ready: nothing but plain data
    by_name = {Path(r["path"]).name: r for r in scanned}
    assert by_name["oom.log.gz"]["diagnoses"][0]["id"] == by_name["oom.log"]["diagnoses"][0]["id"]
    assert by_name["empty.log"]["error"] == "empty"


def test_diagnose_path_masks_secrets_as_the_scan_does(folder: Path) -> None:
    log = folder / "unknown.log"
    assert SECRET not in json.dumps(diagnose_path(log))
    assert SECRET in json.dumps(diagnose_path(log, redact=False))  # the likely failure line, as it is


@pytest.mark.parametrize("bad", ["no/such/train.log", ".", None])
def test_bad_paths_give_a_record_with_an_error(bad: Any) -> None:
    record = diagnose_path(bad)
    assert record["error"] and record["diagnoses"] == [] and record["likely_failure"] is None


def test_scan_on_a_dask_cluster_gives_the_plain_scans_results_in_order(folder: Path, cluster: Any) -> None:
    logs = find_logs([str(folder)])
    before = cluster.scheduler.transition_counter
    on_dask = scan_on_dask(logs, cluster.scheduler_address)
    assert cluster.scheduler.transition_counter > before  # the tasks went through the scheduler
    assert on_dask == scan_logs(logs, jobs=1)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_cli_dask_address_prints_what_a_plain_scan_prints(folder: Path, cluster: Any, fmt: str) -> None:
    plain = cli("scan", str(folder), "-j", "1", "--format", fmt)
    assert cli("scan", str(folder), "--dask", cluster.scheduler_address, "--format", fmt) == plain


def test_relative_paths_keep_their_spelling(folder: Path, cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder.parent)  # workers are sent absolute paths; the records say what the user typed
    code, out = cli("scan", folder.name, "--dask", cluster.scheduler_address, "--format", "json")
    assert (code, out) == cli("scan", folder.name, "-j", "1", "--format", "json")
    assert all(not Path(r["path"]).is_absolute() for r in records(out))


def test_cli_dask_local_starts_and_closes_a_local_cluster(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: List[Any] = []
    real_cluster = distributed.LocalCluster

    def threaded_cluster(**options: Any) -> Any:  # as `local` asks, but with thread workers (fast in CI)
        started.append(real_cluster(**{**options, "processes": False}))
        return started[-1]

    monkeypatch.setattr(distributed, "LocalCluster", threaded_cluster)
    assert cli("scan", str(folder), "--dask", "local", "-j", "2", "--format", "json") == \
        cli("scan", str(folder), "-j", "1", "--format", "json")
    assert len(started) == 1 and started[0].status.name == "closed"


def run_triage(argv: List[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "argv", ["triage", *argv])
    with pytest.raises(SystemExit) as exited:
        run()
    return int(exited.value.code or 0)


def test_without_dask_a_clear_error_says_what_to_install(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert run_triage(["scan", str(folder), "--dask", "local"], monkeypatch) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert "pip install 'mltriage[dask]'" in err and "Traceback" not in err


def test_a_bad_scheduler_address_is_one_line_and_exit_2(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture) -> None:
    assert run_triage(["scan", str(folder), "--dask", "nonsense://host:8786"], monkeypatch) == ExitCode.ERROR
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at nonsense://host:8786" in err and "Traceback" not in err
