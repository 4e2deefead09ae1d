"""Issue 12's papercuts: help, a bare `triage` on a terminal, typos, search ranking, Ctrl-C in a scan."""
from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

from triage import failure_line
from triage.knowledge.catalog import search, suggest

from .conftest import ROOT


def triage(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, capture_output=True, cwd=ROOT)


def test_main_help_shows_the_main_jobs_options() -> None:
    out = triage("--help").stdout.decode()
    for option in ("--format", "--top", "--fix", "--kb", "--verbose", "--min-confidence"):
        assert option in out, option
    assert "explain" in out and "scan" in out


def test_a_mistyped_command_names_the_command() -> None:
    r = triage("exlpain", "cuda-out-of-memory")
    assert r.returncode == 2 and b"did you mean `triage explain`" in r.stderr


def test_bare_triage_on_a_terminal_says_what_it_waits_for() -> None:
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.executable, [sys.executable, "-m", "triage"])
    out = b""
    deadline = time.monotonic() + 20
    while b"Ctrl-D" not in out and time.monotonic() < deadline:
        out += os.read(fd, 4096)
    os.write(fd, b"\x04")  # end of input: triage then says the input is empty
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass
    os.waitpid(pid, 0)
    assert b"reading a log from standard input" in out


def test_likely_failure_of_a_wandb_error_and_a_debugger_exception() -> None:
    wandb = "wandb: Currently logged in as: nobody\nwandb: ERROR api_key not configured (no-tty).\nbye\n"
    line = failure_line(wandb)
    assert line is not None and "api_key not configured" in line.text
    vscode = "Exception has occurred: ScannerError\nmapping values are not allowed here\n"
    line = failure_line(vscode)
    assert line is not None and "ScannerError" in line.text
    assert failure_line("wandb: error rate 0.1 on eval\n") is None


def test_kb_search_ranks_by_relevance(kb) -> None:
    found = search(kb, "shared memory")
    assert found[0][1].id == "dataloader-shm-too-small"
    assert [s for s, _ in found] == sorted((s for s, _ in found), reverse=True)
    gpu = search(kb, "gpu memory")
    assert "cuda-out-of-memory" in [e.id for _, e in gpu[:3]]  # both words in its title
    assert gpu[0][0] > gpu[-1][0]  # not all 100: scores say something


def test_explain_typo_suggests_only_the_near_id(kb) -> None:
    assert suggest(kb, "cuda-out-of-memry") == ["cuda-out-of-memory"]


def test_fix_without_an_automatic_fix_says_what_was_found() -> None:
    r = triage("--fix", "fixtures/logs/cuda-out-of-memory.log")
    assert b"cuda-out-of-memory" in r.stdout and b"no automatic fix" in r.stdout and r.returncode == 1


def test_binary_input_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "weights.log"
    path.write_bytes(bytes(range(256)) * 40)
    r = triage(str(path))
    assert r.returncode == 2 and str(path).encode() in r.stderr and b"binary" in r.stderr


def test_ctrl_c_stops_a_parallel_scan_within_a_second(tmp_path: Path) -> None:
    line = "step {} RuntimeError: something failed while loading shard cannot open file error: x\n"
    for k in range(4):
        (tmp_path / f"big{k}.log").write_text("".join(line.format(i) for i in range(60000)))
    proc = subprocess.Popen([sys.executable, "-m", "triage", "scan", str(tmp_path), "-j", "2"], cwd=ROOT,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)  # the workers are busy with the first logs
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    proc.communicate(timeout=30)
    assert time.monotonic() - started < 1.0 and proc.returncode == 2
    time.sleep(0.2)
    left = subprocess.run(["pgrep", "-g", str(proc.pid)], capture_output=True, text=True).stdout
    assert left == ""  # no worker goes on reading
