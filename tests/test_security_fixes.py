"""Fixes under attack: text from a log never reaches a shell; writes never follow planted links,
never race, never leave a half-done state that apply and revert both refuse."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from triage.fixes.argv import from_log, from_template, shell_syntax

from .conftest import FIXTURES

ISOLATION_LOG = FIXTURES / "build-isolation-missing-torch.log"
FAKE_PIP = """#!{python}
import json, os, sys
with open(os.environ["FAKE_PIP_OUT"], "a") as fh:
    fh.write(json.dumps({{"argv": sys.argv[1:], "aio": os.environ.get("DS_BUILD_AIO"),
                         "arch": os.environ.get("TORCH_CUDA_ARCH_LIST")}}) + "\\n")
"""


def fake_pip(tmp_path: Path) -> Dict[str, str]:
    """An environment whose `pip` only records how it was called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pip = bin_dir / "pip"
    pip.write_text(FAKE_PIP.format(python=sys.executable))
    pip.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "FAKE_PIP_OUT": str(tmp_path / "pip-calls.jsonl"), "TRIAGE_KB_PATH": ""}


def pip_calls(tmp_path: Path) -> List[dict]:
    out = tmp_path / "pip-calls.jsonl"
    return [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []


def run_fix(tmp_path: Path, entry: str, log: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "triage", "fix", entry, "--log", str(log), "--run", "--yes"],
                          capture_output=True, cwd=tmp_path, env=fake_pip(tmp_path), timeout=120)


@pytest.mark.parametrize("payload", ["; touch {x}", "&& touch {x}", "|| touch {x}", "| tee {x}", "& touch {x}",
                                     "`touch {x}`", "$(touch {x})", "> {x}", "2>{x}", "< /etc/passwd",
                                     "--pre #; touch {x}", "'unclosed"])
def test_command_from_a_log_never_reaches_a_shell(tmp_path: Path, payload: str) -> None:
    planted = tmp_path / "PWNED"
    log = tmp_path / "evil.log"
    line = "pip install flash-attn " + payload.format(x=planted)
    log.write_text(ISOLATION_LOG.read_text().replace("pip install -r requirements.txt", line))
    r = run_fix(tmp_path, "build-isolation-missing-torch", log)
    assert r.returncode == 7, r.stdout.decode() + r.stderr.decode()
    assert b"refusing to run" in r.stderr and b"only a shell understands" in r.stderr
    assert not planted.exists() and pip_calls(tmp_path) == []


def test_plain_command_from_a_log_runs_as_the_argv_shown(tmp_path: Path) -> None:
    log = tmp_path / "ok.log"
    log.write_text(ISOLATION_LOG.read_text().replace("pip install -r requirements.txt",
                                                      "pip install 'flash-attn>=2' --no-deps"))
    r = run_fix(tmp_path, "build-isolation-missing-torch", log)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    argv = ["install", "--no-build-isolation", "flash-attn>=2", "--no-deps"]
    assert pip_calls(tmp_path) == [{"argv": argv, "aio": None, "arch": None}]
    assert f"argv {['pip', *argv]!r}" in r.stdout.decode()


def test_leading_assignments_become_environment_and_quoted_semicolons_stay_text(tmp_path: Path) -> None:
    r = run_fix(tmp_path, "deepspeed-async-io-precompile", FIXTURES / "deepspeed-async-io-precompile.log")
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert pip_calls(tmp_path) == [{"argv": ["install", "--no-cache-dir", "deepspeed==0.9.5"],
                                    "aio": "0", "arch": "8.0;8.6"}]


def test_shell_syntax_names_what_it_found() -> None:
    assert shell_syntax('DS_BUILD_OPS=1 TORCH_CUDA_ARCH_LIST="8.0;8.6" pip install x') is None
    assert shell_syntax("docker run -v /data:/data --ipc=host img python train.py") is None
    assert "';'" in (shell_syntax("a; b") or "")
    assert "'&&'" in (shell_syntax("a&&b") or "")
    assert "'$'" in (shell_syntax("docker run -v $PWD:/w img") or "")
    assert "line break" in (shell_syntax("a\nb") or "")
    assert from_log("torchrun --master_port=$((29500 + RANDOM % 1000)) x.py").refused


def test_placeholder_from_a_log_is_one_argument_never_shell_code(tmp_path: Path) -> None:
    planted = tmp_path / "PWNED"
    hostile = f"x; touch {planted} $(touch {planted}) `touch {planted}`"
    plain = from_template("python -m pip install {module}", {"module": hostile})
    assert plain.script is None and plain.argv == ("python", "-m", "pip", "install", hostile)
    out = tmp_path / "out.txt"
    scripted = from_template(f"echo {{module}} > {out}", {"module": hostile})
    assert scripted.script is not None and hostile not in scripted.script
    args, env = scripted.command()
    assert subprocess.call(args, env={**os.environ, **env}) == 0
    assert out.read_text() == hostile + "\n" and not planted.exists()


def test_placeholder_posing_as_an_option_is_refused() -> None:
    inv = from_template("python -m pip install {module}", {"module": "--index-url=https://evil.example/"})
    assert inv.refused and "starts with '-'" in inv.refused


def test_shell_fix_with_hostile_variable_runs_nothing_it_should_not(tmp_path: Path) -> None:
    """End to end: the value comes from the log through the diagnosis, not from the KB."""
    from triage.fixes.plan import plan_fix
    from triage.model import Diagnosis

    from .test_fixes import SHELL_FIX, kb_with

    out, planted = tmp_path / "ran.txt", tmp_path / "PWNED"
    kb = kb_with(tmp_path, SHELL_FIX.replace("{out}", str(out)))
    diagnosis = Diagnosis("demo-patch", "t", 0.9, (), {"module": f"a; touch {planted}"}, (), True)
    plan = plan_fix(diagnosis, kb=kb)
    from triage.fixes.cli import act

    assert act(plan, apply=False, revert=False, run=True, yes=True, unsafe=False) == 0
    assert out.read_text() == f"a; touch {planted}\n" and not planted.exists()
