"""The command line, run as a user runs it: exit codes, formats, bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

OOM = (b"step 10 loss=1.2\n"
       b"torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total capacity;"
       b" 20.61 GiB already allocated; 1.69 GiB free; 21.92 GiB reserved in total by PyTorch)\n")


def triage(*args: str, stdin: bytes = b"", env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TRIAGE_KB_PATH", None) if not env or "TRIAGE_KB_PATH" not in env else None
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, capture_output=True,
                          env=full_env, cwd=ROOT, timeout=120)


def test_known_problem_from_stdin_exits_1_with_evidence() -> None:
    r = triage(stdin=OOM)
    out = r.stdout.decode()
    assert r.returncode == 1, r.stderr
    assert "cuda-out-of-memory" in out and "line 2:" in out and "Fix 1:" in out


def test_file_arguments_and_dash(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_bytes(OOM)
    r = triage(str(log), "-", stdin=b"all fine\n")
    assert r.returncode == 1
    assert str(log) in r.stdout.decode() and "no known problem found in standard input" in r.stdout.decode()


def test_nothing_known_exits_0_and_points_at_the_failure() -> None:
    r = triage(stdin=b"Traceback (most recent call last):\n  File \"x.py\", line 3\nZeroDivisionError: division by zero\n")
    assert r.returncode == 0
    out = r.stdout.decode()
    assert "no known problem" in out and "line 3: ZeroDivisionError: division by zero" in out


def test_json_output_is_stable_and_documented() -> None:
    r = triage("--format", "json", stdin=OOM)
    doc = json.loads(r.stdout)
    assert doc["schema"] == 1 and doc["results"][0]["source"] == "standard input"
    d = doc["results"][0]["diagnoses"][0]
    assert set(d) == {"id", "title", "confidence", "severity", "tags", "summary", "evidence", "variables",
                      "solutions", "fixable", "notes", "refs"}
    assert d["id"] == "cuda-out-of-memory" and d["variables"]["requested"] == "2.00 GiB"
    assert d["evidence"][0]["line"] == 2 and set(d["solutions"][0]) == {"title", "why", "steps", "when", "applies",
                                                                         "applies_reason"}
    assert set(doc["results"][0]) == {"source", "diagnoses", "likely_failure", "facts"}


def test_min_confidence_and_top_filter() -> None:
    r = triage("--min-confidence", "1.0", stdin=OOM)
    assert r.returncode == 0 and "no known problem" in r.stdout.decode()


@pytest.mark.parametrize("stdin, args, words", [
    (b"", (), "input is empty"),
    (b"   \n\n", (), "input is empty"),
    (bytes(range(256)) * 64, (), "binary data"),
    (b"", ("/no/such/file.log",), "no such file"),
    (b"", (str(ROOT / "tests"),), "is a directory"),
    (b"", ("--format", "xml"), "Invalid value"),
    (b"", ("explain", "cuda-out-of-memry"), "did you mean cuda-out-of-memory"),
])
def test_bad_input_is_one_clear_line_and_exit_2(stdin: bytes, args: tuple, words: str) -> None:
    r = triage(*args, stdin=stdin)
    err = r.stderr.decode()
    assert r.returncode == 2 and words in err and "Traceback" not in err


def test_invalid_utf8_is_read() -> None:
    r = triage(stdin=b"\xff\xfa garbage \xc3\x28\n" + OOM)
    assert r.returncode == 1


def test_50mb_single_line_without_newline(tmp_path: Path) -> None:
    log = tmp_path / "one-line.log"
    with open(log, "wb") as fh:
        fh.write(b"progress " * (50 * 1024 * 1024 // 9))
        fh.write(b" torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
    r = triage(str(log))
    assert r.returncode == 1 and "cuda-out-of-memory" in r.stdout.decode()


def test_gzip_file(tmp_path: Path) -> None:
    import gzip

    log = tmp_path / "build.log.gz"
    log.write_bytes(gzip.compress(OOM))
    assert triage(str(log)).returncode == 1


def test_explain_kb_list_and_search() -> None:
    r = triage("explain", "cuda-out-of-memory")
    assert r.returncode == 0 and "Fix 1:" in r.stdout.decode()
    listed = json.loads(triage("kb", "list", "--format", "json").stdout)
    assert "cuda-out-of-memory" in {e["id"] for e in listed}
    found = triage("kb", "search", "gpu", "memory").stdout.decode()
    assert "cuda-out-of-memory" in found


def test_kb_lint_passes_on_the_bundled_kb() -> None:
    r = triage("kb", "lint")
    assert r.returncode == 0, r.stderr.decode()[-2000:]


def test_broken_kb_folder_is_named_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "team"
    bad.mkdir()
    (bad / "oops.yaml").write_text("id: oops\ntitle: t\n", encoding="utf-8")
    r = triage("--kb", str(tmp_path), stdin=OOM)
    err = r.stderr.decode()
    assert r.returncode == 2 and "oops.yaml" in err and "'summary'" in err and "Traceback" not in err


def test_kb_path_environment_variable(tmp_path: Path) -> None:
    from .test_kb import GOOD, write_entry

    write_entry(tmp_path, GOOD)
    r = triage(stdin=b"FATAL: scratch volume v1 is not mounted\n", env={"TRIAGE_KB_PATH": str(tmp_path)})
    assert r.returncode == 1 and "my-entry" in r.stdout.decode() and "volume v1" in r.stdout.decode()


def test_one_line_of_a_million_progress_updates(tmp_path: Path) -> None:
    log = tmp_path / "progress.log"
    bar = "".join(f"\r{i % 100:3d}%|####      | {i}/1000000 [00:01<00:09, 9.0it/s]" for i in range(1_000_000))
    log.write_text(bar + "\rRuntimeError: CUDA error: device-side assert triggered\n", encoding="utf-8")
    r = triage("--format", "json", str(log))
    d = json.loads(r.stdout)["results"][0]["diagnoses"]
    assert r.returncode == 1 and d[0]["id"] == "cuda-device-side-assert" and d[0]["evidence"][0]["line"] == 1


def test_zstd_file(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    log = tmp_path / "build.log.zst"
    log.write_bytes(zstandard.ZstdCompressor().compress(OOM))
    r = triage(str(log))
    assert r.returncode == 1 and "cuda-out-of-memory" in r.stdout.decode()
