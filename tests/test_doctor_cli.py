"""`triage doctor` and `triage LOG --doctor` as a user runs them, on this machine and on a fake
site-packages tree."""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cli import triage

OLD_GLIBCXX = (b"Traceback (most recent call last):\n"
               b'  File "/home/alice/venv/lib/python3.8/site-packages/scipy/__init__.py", line 4, in <module>\n'
               b"ImportError: /opt/conda/lib/libstdc++.so.6: version `GLIBCXX_3.4.32' not found "
               b"(required by /home/alice/venv/lib/python3.8/site-packages/scipy/_lib/_uarray/_uarray.so)\n")


def cpu_torch_site(tmp_path: Path) -> Path:
    site = tmp_path / "lib" / "python3.10" / "site-packages"
    (site / "torch").mkdir(parents=True)
    (site / "torch" / "version.py").write_text("__version__ = '2.3.1+cpu'\ndebug = False\ncuda = None\n")
    (site / "torch-2.3.1+cpu.dist-info").mkdir()
    (site / "torch-2.3.1+cpu.dist-info" / "METADATA").write_text("Name: torch\nVersion: 2.3.1+cpu\n")
    return site


def test_doctor_json_on_this_machine_has_the_issue_s_shape() -> None:
    r = triage("doctor", "--format", "json")
    doc = json.loads(r.stdout)
    assert set(doc) == {"schema", "facts", "checks"} and doc["schema"] == 1
    assert doc["facts"]["platform"] == ("linux" if sys.platform.startswith("linux") else sys.platform)
    assert all(set(c) == {"id", "verdict", "reason", "facts"} for c in doc["checks"]) and len(doc["checks"]) >= 19
    assert all(c["verdict"] in ("confirmed", "ruled_out", "unknown") and c["reason"] for c in doc["checks"])
    confirmed = any(c["verdict"] == "confirmed" for c in doc["checks"])
    assert r.returncode == (1 if confirmed else 0), r.stderr


def test_doctor_text_says_what_it_looked_at() -> None:
    r = triage("doctor")
    out = r.stdout.decode()
    assert out.startswith("triage doctor: Python ") and "NVIDIA GPU: " in out and "Checks (" in out
    assert "static checks only" in out and r.stderr == b""


def test_doctor_on_a_site_packages_tree_and_chosen_ids(tmp_path: Path) -> None:
    site = cpu_torch_site(tmp_path)
    r = triage("doctor", "--site-packages", str(site), "--for", "torch-not-compiled-with-cuda", "ninja-missing",
               "--format", "json")
    checks = {c["id"]: c for c in json.loads(r.stdout)["checks"]}
    assert list(checks) == ["torch-not-compiled-with-cuda", "ninja-missing"]
    assert checks["torch-not-compiled-with-cuda"]["verdict"] == "confirmed"
    assert "torch=2.3.1+cpu" in checks["torch-not-compiled-with-cuda"]["facts"]
    assert r.returncode == 1


def test_doctor_markdown_is_a_table(tmp_path: Path) -> None:
    r = triage("doctor", "--site-packages", str(cpu_torch_site(tmp_path)), "--for", "torch-not-compiled-with-cuda",
               "--format", "markdown")
    out = r.stdout.decode()
    assert out.startswith("## triage doctor") and "| confirmed | `torch-not-compiled-with-cuda` |" in out


@pytest.mark.parametrize("args, message", [
    (["--python", sys.executable, "--site-packages", "."], "exclude each other"),
    (["--for", "no-such-entry"], "no KB entry named no-such-entry"),
    (["--python", "/nonexistent/python"], "not an executable interpreter"),
    (["stray-word"], "entry ids follow --for"),
])
def test_doctor_bad_input_is_one_line_and_exit_2(args: list, message: str) -> None:
    r = triage("doctor", *args)
    assert r.returncode == 2 and message in r.stderr.decode() and b"Traceback" not in r.stderr


def test_an_entry_without_a_check_is_unknown_and_says_why() -> None:
    r = triage("doctor", "--for", "cuda-out-of-memory", "--format", "json")
    [check] = json.loads(r.stdout)["checks"]
    assert check["verdict"] == "unknown" and "declares no check" in check["reason"] and r.returncode == 0


def test_log_doctor_adds_a_doctor_list_and_says_the_log_is_foreign(tmp_path: Path) -> None:
    log = tmp_path / "import.log"
    log.write_bytes(OLD_GLIBCXX)
    plain = json.loads(triage(str(log), "--format", "json").stdout)
    assert "doctor" not in plain["results"][0]  # the JSON stays as it was without --doctor
    doc = json.loads(triage(str(log), "--doctor", "--format", "json").stdout)
    result = doc["results"][0]
    [check] = [c for c in result["doctor"] if c["id"] == "glibcxx-version-not-found"]
    assert check["verdict"] in ("confirmed", "ruled_out", "unknown") and "log:glibcxx=3.4.32" in check["facts"]
    assert any("/home/alice/venv/lib/python3.8/site-packages" in s and "not exist here" in s
               for s in result["elsewhere"])
    text = triage(str(log), "--doctor").stdout.decode()
    assert "On this machine: glibcxx-version-not-found: " in text
    assert "The log looks like it came from another machine: " in text


# a real torch: the interpreter in TRIAGE_TEST_TORCH_PYTHON, or this one when it has torch (never a test dependency)
TORCH_PYTHON = os.environ.get("TRIAGE_TEST_TORCH_PYTHON") or (sys.executable if importlib.util.find_spec("torch") else None)
TRUTH = ("import json, torch; print(json.dumps({'torch': torch.__version__, 'torch_cuda': torch.version.cuda or 'none', "
         "'torch_cxx11_abi': 'true' if torch.compiled_with_cxx11_abi() else 'false'}))")


@pytest.mark.skipif(TORCH_PYTHON is None, reason="no torch here (set TRIAGE_TEST_TORCH_PYTHON to an interpreter with one)")
def test_static_and_live_facts_agree_with_a_real_torch() -> None:
    assert TORCH_PYTHON is not None
    truth = json.loads(subprocess.run([TORCH_PYTHON, "-c", TRUTH], capture_output=True, text=True, timeout=300).stdout)
    live = json.loads(triage("doctor", "--python", TORCH_PYTHON, "--live", "--format", "json").stdout)["facts"]
    static = json.loads(triage("doctor", "--python", TORCH_PYTHON, "--format", "json").stdout)["facts"]
    assert live["live"] == "ok" and "live" not in static
    for key, value in truth.items():  # what torch says of itself, read without importing it and with
        assert static.get(key) == value, key
        assert live.get(key) == value, key
    arch = live["torch_arch_list"]
    assert arch == "none" if truth["torch_cuda"] == "none" else arch.startswith("sm_")
