"""The answer on one screen: fix steps by kind, the decisive part of evidence, a real terminal."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from typing import List

import pytest

from triage.cli.render.common import CONFIG, PYTHON, SHELL, TEXT, decisive, step_groups, step_kind

from .conftest import ROOT

FSDP = str(ROOT / "fixtures/logs/fsdp-state-dict-oom.log")
OOM = ("[rank0]:torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 982.00 MiB (GPU 2; 39.56 GiB "
       "total capacity; 38.02 GiB already allocated; 78.56 MiB free; 38.55 GiB reserved in total by PyTorch) If "
       "reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation")


@pytest.mark.parametrize("step, kind", [
    ("pip install -U torch   # keep the CUDA index", SHELL),
    ("sudo apt install -y libaio-dev", SHELL),
    ("MAX_JOBS=4 pip install flash-attn --no-build-isolation", SHELL),
    ("F=$(python -c 'import torch'); grep -n x \"$F\"", SHELL),
    ("ip -br addr   # find the interface", SHELL),
    ("from torch.distributed.fsdp import FullyShardedDataParallel as FSDP", PYTHON),
    ("cfg = FullStateDictConfig(offload_to_cpu=True, rank0_only=True)", PYTHON),
    ("with FSDP.state_dict_type(model, StateDictType.FULL_STATE_DICT, cfg): state = model.state_dict()", PYTHON),
    ("model.gradient_checkpointing_enable()", PYTHON),
    ("resize_vocab: true   # in the YAML", CONFIG),
    ('{"zero_optimization": {"stage": 3}}', CONFIG),
    ("delete (or comment out) the line that overrides model.state_dict", TEXT),
    ("Or run one batch on the CPU to get a readable error", TEXT),
    ("HF Trainer scripts: wrap their trainer.model.state_dict() call in the same with-block", TEXT),
])
def test_step_kind(step: str, kind: str) -> None:
    assert step_kind(step) == kind


def test_consecutive_code_steps_are_one_block() -> None:
    groups = step_groups(["from a import b", "b()", "Then restart", "pip install x", "pip check"])
    assert [(k, len(g)) for k, g in groups] == [(PYTHON, 2), (TEXT, 1), (SHELL, 2)]


@pytest.mark.parametrize("width", [50, 80, 120])
def test_decisive_keeps_the_oom_request_not_the_head(width: int) -> None:
    shown = decisive(OOM, width, ["982.00 MiB", "2"])
    assert len(shown) <= width and "Tried to allocate 982.00 MiB" in shown
    assert decisive("short line", width) == "short line"


def on_terminal(args: List[str], cols: int = 120, rows: int = 40) -> str:
    """Run triage on a pseudo-terminal of cols x rows; its output with ANSI codes removed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: triage with the pty as its terminal
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        os.execve(sys.executable, [sys.executable, "-m", "triage", *args], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_one_log_fits_one_120x40_screen() -> None:
    out = on_terminal([FSDP])
    lines = out.rstrip("\n").split("\n")
    screen_rows = sum(max(1, -(-len(line) // 120)) for line in lines)  # long commands: the terminal wraps
    assert screen_rows <= 40
    assert "fsdp-state-dict-oom  confidence 0.99, error" in out  # never cut from the panel title
    assert "Fix 1: Gather the full state dict" in out and "Fix 2: Patch the clone" in out
    assert "$ from torch" not in out and "Python:" in out  # code is not shown as a shell command
    assert "triage fix fsdp-state-dict-oom --log" in out  # says it can apply a fix, with the command
    assert "2. cuda-out-of-memory" in out and "triage -v" in out


def test_narrow_terminal_keeps_confidence_in_the_title() -> None:
    out = on_terminal([FSDP], cols=60)
    assert "confidence 0.99, error" in out


def test_verbose_shows_everything_and_pipes_keep_the_full_text() -> None:
    verbose = on_terminal(["-v", FSDP])
    assert "Fix 4: Save a sharded checkpoint" in verbose and "$ accelerate merge-weights" in verbose
    piped = subprocess.run([sys.executable, "-m", "triage", FSDP], capture_output=True, text=True).stdout
    assert "Why: Training fit" in piped and "Fix 4:" in piped and "$ sed -i.bak" in piped
