"""Corrected commands filled from the log: every nvidia-docker subcommand, docker run without
--gpus, and the three that needed a shell before ($PWD, $FT_PATH, a random port) now run as argv."""
from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from triage.fixes import computed
from triage.fixes.argv import from_log

from .conftest import FIXTURES

NOT_FOUND = "bash: nvidia-docker: command not found\n"


def triage(cwd: Path, *args: str, env: Dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**{k: v for k, v in os.environ.items() if k != "TRIAGE_KB_PATH"}, **(env or {})}
    return subprocess.run([sys.executable, "-m", "triage", *args], capture_output=True, cwd=cwd, env=full,
                          timeout=120)


@pytest.mark.parametrize("typed, corrected", [
    ("nvidia-docker build -t detectron --build-arg CUDA=10.1 docker/", "docker build -t detectron --build-arg CUDA=10.1 docker/"),
    ("$ sudo nvidia-docker run -it --rm nvcr.io/nvidia/pytorch:23.05-py3 bash",
     "sudo docker run --gpus all -it --rm nvcr.io/nvidia/pytorch:23.05-py3 bash"),
    ("$ nvidia-docker pull nvcr.io/nvidia/pytorch:23.05-py3", "docker pull nvcr.io/nvidia/pytorch:23.05-py3"),
])
def test_nvidia_docker_any_subcommand_is_corrected(tmp_path: Path, typed: str, corrected: str) -> None:
    log = tmp_path / "nd.log"
    log.write_text(typed + "\n" + NOT_FOUND)
    r = triage(tmp_path, "fix", "nvidia-docker-not-found", "--log", str(log))
    out = r.stdout.decode()
    assert r.returncode == 0 and f"+ {corrected}" in out.splitlines(), out
    assert "not in the log" not in out


def test_docker_run_without_gpus_is_filled_from_the_whole_command(tmp_path: Path) -> None:
    """The user's `docker run` over several continuation lines, not a `<your usual options>` placeholder."""
    r = triage(tmp_path, "--fix", str(FIXTURES / "docker-gpus-flag-missing--3.log"))
    out = r.stdout.decode()
    assert r.returncode == 0, out
    assert ("+ docker run --gpus all --rm -it -v $HOME/proj/kws:/work -w /work -e TF_CPP_MIN_LOG_LEVEL=1 "
            "tensorflow/tensorflow:2.15.0-gpu python train_kws.py --epochs 30 --batch 256") in out.splitlines()
    assert "<your usual options>" not in out


def fake_programs(tmp_path: Path, *names: str) -> Dict[str, str]:
    """Programs first on PATH that record argv (and cwd) as JSON lines, so --run runs nothing real."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "calls.jsonl"
    for name in names:
        prog = bin_dir / name
        prog.write_text(f"#!{sys.executable}\nimport json, os, sys\n"
                        f"open({str(record)!r}, 'a').write(json.dumps([os.getcwd()] + sys.argv[1:]) + '\\n')\n")
        prog.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def calls(tmp_path: Path) -> List[List[str]]:
    return [json.loads(line) for line in (tmp_path / "calls.jsonl").read_text().splitlines()]


def test_run_fills_pwd_from_the_folder_it_runs_in(tmp_path: Path) -> None:
    env = fake_programs(tmp_path, "docker")
    r = triage(tmp_path, "fix", "dataloader-shm-too-small", "--log",
               str(FIXTURES / "dataloader-shm-too-small.log"), "--run", "--yes", env=env)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    [call] = calls(tmp_path)
    assert call[1:4] == ["run", "--ipc=host", "--gpus"] and f"{tmp_path}:/workspace/det" in call
    assert "(filled in: $PWD)" in r.stdout.decode()


def test_run_fills_a_variable_exported_earlier_in_the_log(tmp_path: Path) -> None:
    env = fake_programs(tmp_path, "mpirun")
    env_without = {k: v for k, v in os.environ.items() if k != "FT_PATH"}
    full = {**env_without, **env}
    r = subprocess.run([sys.executable, "-m", "triage", "fix", "mpirun-as-root", "--log",
                        str(FIXTURES / "mpirun-as-root.log"), "--run", "--yes"], capture_output=True,
                       cwd=tmp_path, env=full, timeout=120)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    [call] = calls(tmp_path)
    assert call[1:3] == ["--allow-run-as-root", "-n"]
    assert call[call.index("--lib_path") + 1] == "/workspace/FasterTransformer/build/lib/libth_transformer.so"


def test_run_uses_a_free_port_found_by_triage(tmp_path: Path) -> None:
    env = fake_programs(tmp_path, "torchrun")
    r = triage(tmp_path, "fix", "torchrun-port-in-use", "--log", str(FIXTURES / "torchrun-port-in-use.log"),
               "--run", "--yes", env=env)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    [call] = calls(tmp_path)
    endpoint = call[call.index("--rdzv_endpoint") + 1]
    assert re.fullmatch(r"localhost:\d+", endpoint) and 29500 <= int(endpoint.split(":")[1]) < 30500
    assert not any("$" in word for word in call)


def test_free_port_skips_a_port_in_use(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert port in (computed.ports_in_use() or {port})
        if computed.ports_in_use() is not None:
            monkeypatch.setattr(computed, "PORTS", range(port, port + 2))
            assert all(computed.free_port() == port + 1 for _ in range(10))


@pytest.mark.parametrize("text, variables, argv", [
    ('docker run -v "$PWD":/w img', {"PWD": "/my dir"}, ["docker", "run", "-v", "/my dir:/w", "img"]),
    ("run --lib ${FT}/x.so", {"FT": "/opt/ft"}, ["run", "--lib", "/opt/ft/x.so"]),
    ("X=$A prog", {"A": "1"}, ["prog"]),
])
def test_plain_variables_are_filled_word_by_word(text: str, variables: Dict[str, str], argv: List[str]) -> None:
    inv = from_log(text, variables)
    assert inv.refused is None and list(inv.argv) == argv, inv


@pytest.mark.parametrize("text, variables, why", [
    ("run $UNSET", {"A": "1"}, "$UNSET, which is neither set"),
    ("run -v $PWD:/w img", {"PWD": "/my dir"}, "split or expand"),
    ("run $A", {"A": "*"}, "split or expand"),
    ("run $(pwd) $A", {"A": "1"}, "'$'"),
    ("echo '$HOME'", {"HOME": "/root"}, "'$'"),
    ("docker run -e HF_TOKEN=$HF_TOKEN img", {"HF_TOKEN": "hf_abc"}, "may hold a secret"),  # never printed  # not filled inside single quotes; a '$' left: refused
    ("torchrun --master_port=$((29500 + RANDOM % 1000)) x.py", {"RANDOM": "1"}, "'$'"),
    ("run $A; rm -rf x", {"A": "1"}, "';'"),
])
def test_anything_beyond_plain_variables_is_refused(text: str, variables: Dict[str, str], why: str) -> None:
    inv = from_log(text, variables)
    assert inv.refused and why in inv.refused, inv


def test_a_value_is_never_read_as_shell_code(tmp_path: Path) -> None:
    planted = tmp_path / "PWNED"
    hostile = f"x;touch {shlex.quote(str(planted))}"
    inv = from_log('run "$A"', {"A": hostile})
    assert inv.argv == ("run", hostile)
