"""The pre-commit hook: main(argv) called directly, then once through the real pre-commit."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from triage.cli import hook

from .conftest import ROOT

OOM = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB "
       "total capacity; 20.61 GiB already allocated; 1.69 GiB free; 21.92 GiB reserved in total by PyTorch)")
LOCALE = "locale: Cannot set LC_CTYPE to default locale: No such file or directory"  # severity: warning
GOOD = "epoch 1 step 10 loss 0.4321\nepoch 1 step 20 loss 0.4012\ntraining finished\n"
CUSTOM_ENTRY = """\
id: team-disk-quota
title: The scratch disk quota is exhausted
summary: The job wrote past the team's scratch quota.
tags: [team]
severity: critical
signatures:
  - name: quota
    regex: 'scratch-full: team quota (?P<quota>[A-Z]+-\\d+) reached'
solutions:
  - title: Clean the scratch folder
    why: Old checkpoints fill it.
    steps: ["rm -rf /scratch/$USER/old-checkpoints"]
examples:
  match:
    - text: "scratch-full: team quota FOO-1234 reached"
      vars: {quota: FOO-1234}
"""


@pytest.fixture()
def logs(tmp_path: Path) -> Path:
    (tmp_path / "bad.log").write_text(f"+ python train.py\nstep 1\n{OOM}\n")
    (tmp_path / "good.log").write_text(GOOD)
    (tmp_path / "locale.log").write_text(f"{LOCALE}\nok\n")
    (tmp_path / "empty.log").write_text("")
    (tmp_path / "core.log").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "quota.log").write_text("saving\nscratch-full: team quota FOO-1234 reached\n")
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "team-disk-quota.yaml").write_text(CUSTOM_ENTRY)
    return tmp_path


def run_hook(capsys: pytest.CaptureFixture[str], *args: str) -> tuple:
    code = hook.main(list(args))
    return code, capsys.readouterr().out.splitlines()


def test_a_known_problem_fails_with_file_line_id_title(logs: Path, capsys) -> None:
    code, out = run_hook(capsys, str(logs / "bad.log"), str(logs / "good.log"))
    assert code == 1
    assert len(out) == 1
    assert out[0].startswith(f"{logs / 'bad.log'}:3: cuda-out-of-memory: ")
    assert out[0].endswith("(confidence 0.99)")


def test_clean_logs_and_no_files_pass_silently(logs: Path, capsys) -> None:
    assert run_hook(capsys, str(logs / "good.log")) == (0, [])
    assert run_hook(capsys) == (0, [])


def test_fail_on_sets_the_lowest_severity_that_counts(logs: Path, capsys) -> None:
    locale = str(logs / "locale.log")
    assert run_hook(capsys, locale) == (0, [])  # a warning; default --fail-on error
    code, out = run_hook(capsys, "--fail-on", "warning", locale)
    assert code == 1 and out[0].startswith(f"{locale}:1: terminal-locale-garbled: ")
    assert run_hook(capsys, "--fail-on", "critical", str(logs / "bad.log")) == (0, [])  # an error


def test_min_confidence_drops_weak_diagnoses(logs: Path, capsys) -> None:
    locale = str(logs / "locale.log")  # confidence 0.75
    assert run_hook(capsys, "--fail-on", "info", "--min-confidence", "0.8", locale) == (0, [])
    assert run_hook(capsys, "--fail-on", "info", "--min-confidence", "0.7", locale)[0] == 1


def test_unreadable_files_are_reported_but_do_not_fail(logs: Path, capsys) -> None:
    code, out = run_hook(capsys, str(logs / "empty.log"), str(logs / "core.log"))
    assert code == 0
    assert out[0] == f"{logs / 'empty.log'}: cannot be read (empty)"
    assert out[1].startswith(f"{logs / 'core.log'}: cannot be read (") and "binary" in out[1]
    code, out = run_hook(capsys, str(logs / "empty.log"), str(logs / "bad.log"))
    assert code == 1 and len(out) == 2


def test_extra_kb_folders(logs: Path, capsys) -> None:
    quota = str(logs / "quota.log")
    assert run_hook(capsys, quota) == (0, [])
    code, out = run_hook(capsys, "--kb", str(logs / "kb"), "--fail-on", "critical", quota)
    assert code == 1 and out == [f"{quota}:2: team-disk-quota: The scratch disk quota is exhausted (confidence 0.80)"]


def test_a_broken_kb_folder_is_one_line_and_exit_2(logs: Path, capsys) -> None:
    code, out = run_hook(capsys, "--kb", str(logs / "no-such-kb"), str(logs / "bad.log"))
    assert code == 2 and len(out) == 1 and "no-such-kb" in out[0]


def test_bad_arguments_are_usage_errors(capsys) -> None:
    for args in (["--fail-on", "fatal"], ["--min-confidence", "2"]):
        with pytest.raises(SystemExit) as exc:
            hook.main(args)
        assert exc.value.code == 2


def git(cwd: Path, *args: str, env: dict) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed: pre-commit needs it")
def test_end_to_end_with_pre_commit(tmp_path: Path) -> None:
    """The real pre-commit installs this checkout's COMMITTED HEAD (`rev`) and runs the hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "TRIAGE_"))}
    env.update(PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    if not (ROOT / ".git").exists():
        pytest.skip(f"{ROOT} is not a git checkout: pre-commit installs hooks from a commit")
    rev = git(ROOT, "rev-parse", "HEAD", env=env)
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {rev}\n    hooks:\n      - id: triage\n")
    (repo / "bad.log").write_text(f"+ python train.py\nstep 1\n{OOM}\n")
    (repo / "good.log").write_text(GOOD)
    git(repo, "init", "-q", env=env)
    git(repo, "add", ".", env=env)
    git(repo, "-c", "commit.gpgsign=false", "commit", "-qm", "logs", env=env)

    def pre_commit(name: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--files", name], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=1200)  # first run pip-installs triage

    bad = pre_commit("bad.log")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.log:3: cuda-out-of-memory: " in bad.stdout
    good = pre_commit("good.log")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
