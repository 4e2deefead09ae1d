"""The built wheel carries the KB: install it into a fresh venv and run it outside the tree."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from .conftest import ROOT


def test_wheel_installs_and_runs_from_outside_the_source_tree(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, timeout=600)
    wheel = next(dist.glob("mltriage-*.whl"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=900)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    sample = outside / "build.log"
    shutil.copy(ROOT / "fixtures" / "sample.log", sample)
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TRIAGE_KB_PATH")}
    run = subprocess.run([str(bindir / "triage"), str(sample)], capture_output=True, cwd=outside,
                         env=clean_env, timeout=120)
    assert run.returncode == 1, run.stderr.decode()
    assert "deepspeed-async-io-precompile" in run.stdout.decode()
    listed = subprocess.run([str(bindir / "python"), "-m", "triage", "kb", "list", "--format", "json"],
                            capture_output=True, cwd=outside, env=clean_env, timeout=120)
    assert b"_kb" in listed.stdout and str(ROOT).encode() not in listed.stdout
    # the compiled Chinese catalog ships in the wheel: a zh locale gets triage's own words in Chinese
    chinese = subprocess.run([str(bindir / "triage"), str(sample)], capture_output=True, cwd=outside,
                             env={**clean_env, "TRIAGE_LANG": "", "LC_ALL": "zh_CN.UTF-8"}, timeout=120)
    assert "个已知问题".encode() in chinese.stdout and "deepspeed-async-io-precompile" in chinese.stdout.decode()
