"""Fixes on a real pseudo-terminal: the question is asked on the terminal (stdin may be the log),
answered y or n; the printed undo command reverts; corrected commands are found and run."""
from __future__ import annotations

import fcntl
import os
import pty
import select
import shlex
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from .conftest import FIXTURES, ROOT
from .test_fix_cli import torch_site

TARGET = ("torch", "distributed", "fsdp", "_state_dict_utils.py")


def _take_terminal() -> None:  # in the child, after setsid: the pty on fd 1 becomes its terminal
    fcntl.ioctl(1, termios.TIOCSCTTY, 0)


def on_pty(args: List[str], answer: Optional[bytes], stdin: Optional[Path] = None,
           env: Optional[dict] = None, cwd: Path = ROOT) -> Tuple[int, str]:
    """Run `python -m triage ARGS` with a pseudo-terminal as its terminal (stdout, stderr and
    /dev/tty); type `answer` once it asks "[y/N]". Returns (exit code, what the terminal showed)."""
    master, slave = pty.openpty()
    log = open(stdin, "rb") if stdin else None
    env = {**{k: v for k, v in os.environ.items() if k != "TRIAGE_KB_PATH"}, **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "triage", *args], stdin=log or slave, stdout=slave,
                            stderr=slave, cwd=cwd, env=env, start_new_session=True, preexec_fn=_take_terminal)
    os.close(slave)
    out, asked, deadline = b"", False, time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every writer closed
                    break
                out += chunk
                if answer is not None and not asked and b"[y/N]" in out:
                    os.write(master, answer)
                    asked = True
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
        if log:
            log.close()
    text = out.decode(errors="replace").replace("\r\n", "\n")
    assert answer is None or asked, f"never asked:\n{text}"
    return code, text


def undo_line(text: str) -> List[str]:
    line = next(line for line in text.splitlines() if "undo with: " in line)
    words = shlex.split(line.partition("undo with: ")[2])
    assert words[:2] == ["triage", "fix"]
    return [sys.executable, "-m", "triage", *words[1:]]


@pytest.mark.parametrize("answer, code", [(b"y\n", 0), (b"n\n", 7)])
def test_fix_from_stdin_asks_on_the_terminal(tmp_path: Path, answer: bytes, code: int) -> None:
    site = torch_site(tmp_path)
    target = site.joinpath(*TARGET)
    before = target.read_bytes()
    rc, text = on_pty(["--fix", "--site-packages", str(site)], answer, stdin=FIXTURES / "fsdp-state-dict-oom.log")
    assert rc == code, text
    assert "Apply this change to" in text and "no terminal to confirm on" not in text
    assert (b".cpu().clone()" in target.read_bytes()) == (code == 0)
    if code == 0:  # the undo hint carries --site-packages: run it from elsewhere, it restores the file
        r = subprocess.run(undo_line(text), capture_output=True, cwd=tmp_path, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert target.read_bytes() == before
    else:
        assert target.read_bytes() == before


def test_fix_apply_on_a_terminal_applies_and_its_undo_reverts(tmp_path: Path) -> None:
    site = torch_site(tmp_path)
    target = site.joinpath(*TARGET)
    before = target.read_bytes()
    rc, text = on_pty(["fix", "fsdp-state-dict-oom", "--site-packages", str(site), "--apply"], None)
    assert rc == 0 and b".cpu().clone()" in target.read_bytes(), text
    assert f"--site-packages {site}" in text
    assert subprocess.run(undo_line(text), capture_output=True, cwd=tmp_path, timeout=120).returncode == 0
    assert target.read_bytes() == before


def test_project_fix_undo_names_the_project(tmp_path: Path) -> None:
    project = tmp_path / "my project"  # a space: the printed command is shell-quoted
    project.mkdir()
    script = project / "finetune.py"
    script.write_text("old_state_dict = model.state_dict\nmodel.state_dict = (lambda self, *_, **__: "
                      "get_peft_model_state_dict(self, old_state_dict())).__get__(model, type(model))\n")
    before = script.read_bytes()
    rc, text = on_pty(["--fix", "--project", str(project)], b"y\n", stdin=FIXTURES / "peft-adapter-empty-save.log")
    assert rc == 0 and script.read_bytes() != before, text
    assert "--- a/finetune.py" in text and "a//" not in text
    assert shlex.quote(str(project)) in text
    assert subprocess.run(undo_line(text), capture_output=True, cwd=tmp_path, timeout=120).returncode == 0
    assert script.read_bytes() == before


def fake_pip(tmp_path: Path) -> dict:
    """A `pip` first on PATH that records its arguments, so --run runs something harmless."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pip = bin_dir / "pip"
    pip.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {shlex.quote(str(tmp_path / 'ran'))}\n")
    pip.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


PIP_LOG = "$ pip install flash-attn==2.5.8\n  ModuleNotFoundError: No module named 'torch'\n" \
          "  Getting requirements to build wheel ... error\n  error: subprocess-exited-with-error\n"


@pytest.mark.parametrize("answer, code", [(b"y\n", 0), (b"n\n", 7)])
@pytest.mark.parametrize("how", ["fix", "--fix"])
def test_run_asks_on_the_terminal(tmp_path: Path, how: str, answer: bytes, code: int) -> None:
    log = tmp_path / "pip.log"
    log.write_text(PIP_LOG)
    env = fake_pip(tmp_path)
    if how == "fix":
        rc, text = on_pty(["fix", "build-isolation-missing-torch", "--log", str(log), "--run"], answer, env=env)
    else:
        rc, text = on_pty(["--fix", "--run"], answer, stdin=log, env=env)
    assert rc == code, text
    ran = tmp_path / "ran"
    assert ran.exists() == (code == 0), text
    if code == 0:
        assert ran.read_text().split() == ["install", "--no-build-isolation", "flash-attn==2.5.8"]

