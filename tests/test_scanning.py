"""triage scan's engine: find ~1,000 logs, diagnose them on two processes, summarise."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from triage.cli.batch import find_logs, problem_counts, scan_logs
from triage.cli.render.jsonout import json_lines
from triage.cli.render.summary import summary_text
from triage.errors import InputError
from triage.model import LogResult

NVIDIA_DOCKER = "bash: nvidia-docker: command not found"
OOM = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB "
       "total capacity; 20.61 GiB already allocated; 1.69 GiB free; 21.92 GiB reserved in total by PyTorch)")
LOCALE = "locale: Cannot set LC_CTYPE to default locale: No such file or directory"  # severity: warning
UNKNOWN = "RuntimeError: Address already in use"  # no KB entry: only a likely failure line
BENIGN = "epoch {i} step {j} loss 0.{i:04d} lr 1e-4"
TOTAL = 1000


def body(*lines: str) -> str:
    return "\n".join(["+ python train.py --config ci.yaml", *lines, "done"]) + "\n"


def make_corpus(root: Path) -> Dict[str, Path]:
    """~1,000 logs in nested folders; returns the special ones by role."""
    special = {
        "docker1": ("ci/a/docker-1.log", body(NVIDIA_DOCKER)),
        "docker2": ("ci/b/docker-2.txt", body("step 1", NVIDIA_DOCKER)),
        "oom1": ("train/oom-1.log", body("step 1", "step 2", OOM)),
        "oom2": ("train/deep/er/oom-2.log", body(OOM)),
        "both": ("train/both.log", body(NVIDIA_DOCKER, OOM)),  # OOM ranks first
        "locale": ("shell/locale.log", body(LOCALE)),
        "unknown1": ("ci/unknown-1.log", body("step 1", UNKNOWN)),
        "unknown2": ("ci/unknown-2.log", body(UNKNOWN)),
        "empty": ("ci/empty.log", ""),
    }
    paths = {}
    for role, (rel, text) in special.items():
        paths[role] = write(root / rel, text.encode())
    paths["gz"] = write(root / "train/oom-3.log.gz", gzip.compress(body(OOM).encode()))
    paths["binary"] = write(root / "ci/core.log", bytes(range(256)) * 8)
    write(root / "ci/notes.md", body(OOM).encode())  # not a log name: never scanned
    for n in range(TOTAL - len(paths)):
        text = body(*(BENIGN.format(i=n, j=j) for j in range(5)))
        write(root / f"bulk/{n % 7}/run-{n:04d}.log", text.encode())
    return paths


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Dict[str, Path]]:
    root = tmp_path_factory.mktemp("logs")
    return root, make_corpus(root)


@pytest.fixture(scope="module")
def scanned(corpus: Tuple[Path, Dict[str, Path]]) -> Tuple[List[Path], List[LogResult], List[Tuple[int, int]]]:
    root, _ = corpus
    paths = find_logs([str(root)])
    calls: List[Tuple[int, int]] = []
    reports = scan_logs(paths, jobs=2, progress=lambda done, total: calls.append((done, total)))
    return paths, reports, calls


def test_find_logs_walks_folders_and_skips_other_names(corpus) -> None:
    root, special = corpus
    paths = find_logs([str(root)])
    assert len(paths) == TOTAL
    assert paths == sorted(paths, key=str)
    assert special["gz"] in paths and special["docker2"] in paths
    assert root / "ci/notes.md" not in paths


def test_find_logs_expands_globs_and_deduplicates(corpus) -> None:
    root, special = corpus
    found = find_logs([f"{root}/train/**/*.log", str(special["oom1"]), f"{root}/shell"])
    assert found == sorted([special["oom1"], special["oom2"], special["both"], special["locale"]], key=str)


def test_find_logs_names_every_missing_path(corpus) -> None:
    root, _ = corpus
    with pytest.raises(InputError) as err:
        find_logs([str(root), f"{root}/nope.log", f"{root}/*.nothing"])
    assert "nope.log" in str(err.value) and "*.nothing" in str(err.value)


def test_results_keep_input_order_and_progress_counts_up(scanned) -> None:
    paths, reports, calls = scanned
    assert [r.source for r in reports] == [str(p) for p in paths]
    assert [done for done, _ in calls] == list(range(1, TOTAL + 1))
    assert {total for _, total in calls} == {TOTAL}


def test_counts_per_problem(scanned, corpus) -> None:
    _, reports, _ = scanned
    _, special = corpus
    rows = {pid: (n, top, example) for pid, n, top, _, example in problem_counts(reports)}
    assert {pid: (n, top) for pid, (n, top, _) in rows.items()} == {
        "cuda-out-of-memory": (4, 4),  # oom-1, oom-2, both, the .gz
        "nvidia-docker-not-found": (3, 2),  # ranked second in both.log
        "terminal-locale-garbled": (1, 1),
    }
    assert rows["terminal-locale-garbled"][2] == str(special["locale"])


def test_unknown_and_unreadable_logs(scanned, corpus) -> None:
    _, reports, _ = scanned
    _, special = corpus
    unknown = {r.source: r.likely_failure for r in reports if not r.error and not r.diagnoses}
    assert len(unknown) == TOTAL - 7 - 2  # 7 logs with a known problem, 2 unreadable
    failing = {path: (ev.line, ev.text) for path, ev in unknown.items() if ev}
    assert failing == {str(special["unknown1"]): (3, UNKNOWN), str(special["unknown2"]): (2, UNKNOWN)}
    errors = {r.source: r.error for r in reports if r.error}
    assert set(errors) == {str(special["empty"]), str(special["binary"])}
    assert errors[str(special["empty"])] == "empty"
    assert "binary" in errors[str(special["binary"])]
    assert all(not (r.error and (r.diagnoses or r.likely_failure)) for r in reports)


def test_summary_text_shows_everything(scanned, corpus) -> None:
    _, reports, _ = scanned
    _, special = corpus
    text = summary_text(reports)
    table = text.split("\n\n")[0].splitlines()
    assert [line.split()[:3] for line in table[2:]] == [
        ["4", "4", "cuda-out-of-memory"], ["3", "2", "nvidia-docker-not-found"],
        ["1", "1", "terminal-locale-garbled"]]
    assert f"{special['unknown1']}:3: {UNKNOWN}" in text
    assert f"{special['empty']}: empty" in text
    assert f"{special['binary']}: input looks like binary data" in text
    assert f"Totals: {TOTAL} logs, 7 with a known problem (3 distinct), 991 with none, 2 unreadable" in text


def test_json_lines_one_object_per_log(scanned) -> None:
    paths, reports, _ = scanned
    objects = [json.loads(line) for line in json_lines(reports).splitlines()]
    assert [o["path"] for o in objects] == [str(p) for p in paths]
    by_path = {o["path"]: o for o in objects}
    empty = next(o for o in objects if o["error"] == "empty")
    assert empty["diagnoses"] == [] and empty["likely_failure"] is None
    oom = next(o for p, o in by_path.items() if p.endswith("oom-2.log"))
    assert oom["error"] is None and oom["diagnoses"][0]["id"] == "cuda-out-of-memory"


def test_in_process_scan_agrees_with_the_pool(scanned) -> None:
    paths, reports, _ = scanned
    some = paths[:: len(paths) // 40]
    serial = scan_logs(some, jobs=1)
    pooled = {r.source: r for r in reports}
    assert serial == [pooled[str(p)] for p in some]
