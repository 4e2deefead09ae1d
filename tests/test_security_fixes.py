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

from triage import PatchError
from triage.fixes import safeio
from triage.fixes.argv import from_log, from_template, shell_syntax
from triage.fixes.plan import apply_fix, plan_fix, revert_fix
from triage.knowledge.loader import entry_files, load_entry
from triage.model import KnowledgeBase

from .conftest import FIXTURES, ROOT
from .test_fixes import ENTRY, LINE_OLD, PACKAGE_FIX, site

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
    from triage.model import Diagnosis

    from .test_fixes import SHELL_FIX, kb_with

    out, planted = tmp_path / "ran.txt", tmp_path / "PWNED"
    kb = kb_with(tmp_path, SHELL_FIX.replace("{out}", str(out)))
    diagnosis = Diagnosis("demo-patch", "t", 0.9, (), {"module": f"a; touch {planted}"}, (), True)
    plan = plan_fix(diagnosis, kb=kb)
    from triage.fixes.cli import act

    assert act(plan, apply=False, revert=False, run=True, yes=True, unsafe=False) == 0
    assert out.read_text() == f"a; touch {planted}\n" and not planted.exists()


# --- file patches: links, locks, interruptions, permissions ---------------------------------

BODY = "def f():\n" + LINE_OLD + "    return 1\n"
OTHER_FIX = PACKAGE_FIX.replace('old: "state_dict[fqn] = state_dict[fqn].clone().detach()"', 'old: "return 1"') \
    .replace('new: "state_dict[fqn] = state_dict[fqn].cpu().clone().detach()"', 'new: "return 2"')


def two_fix_kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb" / "demo"
    folder.mkdir(parents=True)
    (folder / "demo-patch.yaml").write_text(ENTRY.format(fix=PACKAGE_FIX), encoding="utf-8")
    (folder / "demo-other.yaml").write_text(ENTRY.format(fix=OTHER_FIX).replace("id: demo-patch", "id: demo-other"),
                                            encoding="utf-8")
    return tmp_path / "kb"


def loaded(kb_dir: Path) -> KnowledgeBase:
    return KnowledgeBase(tuple(load_entry(p) for p in entry_files([kb_dir])))


def setup(tmp_path: Path) -> "tuple[KnowledgeBase, Path, Path]":
    kb = loaded(two_fix_kb(tmp_path))
    root = site(tmp_path, body=BODY)
    return kb, root, root / "demo" / "sub" / "mod.py"


def leftovers(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "mod.py")


@pytest.mark.parametrize("name", ["mod.py.triage-backup.json", "mod.py.triage-backup", ".mod.py.triage-lock"])
def test_link_planted_at_a_name_triage_writes_is_never_followed(tmp_path: Path, name: str) -> None:
    kb, root, target = setup(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (target.parent / name).symlink_to(victim)
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    with pytest.raises(PatchError, match="link") as info:
        apply_fix(plan)
    assert info.value.outcome == "refused"
    assert victim.read_text() == "precious\n" and target.read_text() == BODY


def test_revert_never_reads_a_backup_swapped_for_a_link(tmp_path: Path) -> None:
    kb, root, target = setup(tmp_path)
    plan = apply_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    secret = tmp_path / "secret.txt"
    secret.write_text("api_key = hunter2\n")
    backup = target.with_name("mod.py.triage-backup")
    backup.unlink()
    backup.symlink_to(secret)
    with pytest.raises(PatchError, match="symbolic link"):
        revert_fix(plan)
    assert "hunter2" not in target.read_text()


def test_target_that_is_a_link_inside_the_package_is_patched_in_its_real_file(tmp_path: Path) -> None:
    kb, root, target = setup(tmp_path)
    real = target.with_name("real_mod.py")
    target.rename(real)
    target.symlink_to("real_mod.py")
    plan = apply_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    assert target.is_symlink() and ".cpu()" in real.read_text()
    assert real.with_name("real_mod.py.triage-backup").is_file()
    revert_fix(plan)
    assert target.is_symlink() and real.read_text() == BODY


def cli(tmp_path: Path, *args: str) -> "subprocess.Popen[bytes]":
    return subprocess.Popen([sys.executable, "-m", "triage", "fix", *args, "--kb", str(tmp_path / "kb"),
                             "--site-packages", str(tmp_path / "site")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "TRIAGE_KB_PATH": ""})


def test_two_applies_at_once_never_both_win(tmp_path: Path) -> None:
    _, _, target = setup(tmp_path)
    one = BODY.replace("clone()", "cpu().clone()")
    other = BODY.replace("return 1", "return 2")
    for _ in range(4):
        target.write_text(BODY)
        procs = [cli(tmp_path, "demo-patch", "--apply"), cli(tmp_path, "demo-other", "--apply")]
        codes = [p.wait(timeout=120) for p in procs]
        errs = [p.stderr.read().decode() for p in procs if p.stderr]
        assert sorted(codes) == [0, 7], errs
        winner = codes.index(0)
        assert target.read_text() == (one, other)[winner]
        assert "revert" in errs[1 - winner] or "changed since" in errs[1 - winner]
        loser_id = ("demo-patch", "demo-other")[1 - winner]
        assert cli(tmp_path, loser_id, "--revert").wait(timeout=120) == 7
        assert cli(tmp_path, ("demo-patch", "demo-other")[winner], "--revert").wait(timeout=120) == 0
        assert target.read_text() == BODY and leftovers(target.parent) == []


def test_apply_waits_for_the_lock_then_refuses_if_it_is_not_released(tmp_path: Path, monkeypatch) -> None:
    kb, root, target = setup(tmp_path)
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    monkeypatch.setattr(safeio, "LOCK_WAIT", 0.2)
    with safeio.Folder(target.parent) as folder, folder.locked("mod.py"):
        with pytest.raises(PatchError, match="another `triage fix`"):
            apply_fix(plan)
    assert target.read_text() == BODY
    apply_fix(plan)  # released: the lock file went with it
    assert ".cpu()" in target.read_text() and not target.with_name(".mod.py.triage-lock").exists()


KILLER = """
import os, signal, sys
from pathlib import Path
from triage.fixes.plan import apply_fix, plan_fix, revert_fix
from triage.knowledge.loader import entry_files, load_entry
from triage.model import KnowledgeBase
kb = KnowledgeBase(tuple(load_entry(p) for p in entry_files([Path(sys.argv[1])])))
op, call, nth = sys.argv[3], sys.argv[4], int(sys.argv[5])
real = getattr(os, call)
count = [0]
def dying(*args, **kwargs):
    count[0] += 1
    if count[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)  # no cleanup runs: as if the machine lost power
    return real(*args, **kwargs)
plan = plan_fix("demo-patch", site_packages=sys.argv[2], kb=kb)
setattr(os, call, dying)
(apply_fix if op == "apply" else revert_fix)(plan)
"""


def killed(tmp_path: Path, op: str, call: str, nth: int) -> None:
    r = subprocess.run([sys.executable, "-c", KILLER, str(tmp_path / "kb"), str(tmp_path / "site"), op, call,
                        str(nth)], capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == -9, r.stderr.decode()


# apply: metadata, backup, file, each a temp written (fsync) then renamed into place
@pytest.mark.parametrize("call, nth", [("fsync", 1), ("replace", 1), ("replace", 2), ("fsync", 5), ("replace", 3)])
def test_apply_killed_at_any_step_is_settled_by_the_next_apply(tmp_path: Path, call: str, nth: int) -> None:
    kb, root, target = setup(tmp_path)
    killed(tmp_path, "apply", call, nth)
    assert target.read_text() == BODY and leftovers(target.parent)  # it stopped half-way
    plan = apply_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    assert ".cpu()" in target.read_text() and plan.notes
    revert_fix(plan)
    assert target.read_text() == BODY and leftovers(target.parent) == []


@pytest.mark.parametrize("call, nth", [("fsync", 1), ("replace", 1), ("unlink", 1), ("unlink", 2)])
def test_revert_killed_at_any_step_is_settled_by_the_next_revert(tmp_path: Path, call: str, nth: int) -> None:
    kb, root, target = setup(tmp_path)
    apply_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    killed(tmp_path, "revert", call, nth)
    revert_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    assert target.read_text() == BODY and leftovers(target.parent) == []


def test_backup_without_metadata_is_explained_with_the_commands_that_resolve_it(tmp_path: Path) -> None:
    kb, root, target = setup(tmp_path)
    plan = apply_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    target.with_name("mod.py.triage-backup.json").unlink()
    for attempt in (lambda: apply_fix(plan_fix("demo-other", site_packages=str(root), kb=kb)),
                    lambda: revert_fix(plan)):
        with pytest.raises(PatchError, match="without its metadata") as info:
            attempt()
        assert info.value.outcome == "refused"
    message = str(info.value)
    restore = message[message.index("to restore the backup: ") + 23:message.index("; to keep")]
    for step in restore.split(" && "):
        subprocess.run(from_log(step).argv, check=True)
    assert target.read_text() == BODY and leftovers(target.parent) == []


def test_read_only_file_is_refused_not_patched(tmp_path: Path) -> None:
    _, _, target = setup(tmp_path)
    target.chmod(0o444)
    proc = cli(tmp_path, "demo-patch", "--apply")
    assert proc.wait(timeout=120) == 7
    assert b"read-only (mode 0444)" in (proc.stderr.read() if proc.stderr else b"")
    assert target.read_text() == BODY and leftovers(target.parent) == []


def test_folder_that_refuses_writes_gives_a_clear_refusal(tmp_path: Path, monkeypatch, capsys) -> None:
    """As root a 0555 folder is writable, so the OS refusal is simulated where it would happen."""
    from triage.fixes.cli import act

    kb, root, target = setup(tmp_path)
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    real_open = os.open

    def refusing(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing)
    assert act(plan, apply=True, revert=False, run=False, yes=True, unsafe=False) == 7
    err = capsys.readouterr().err
    assert "permission denied" in err and "run as a user who can write" in err and "internal error" not in err
    assert target.read_text() == BODY


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a 0555 folder anyway")
def test_read_only_package_folder_gives_a_clear_refusal(tmp_path: Path) -> None:
    _, _, target = setup(tmp_path)
    target.parent.chmod(0o555)
    try:
        proc = cli(tmp_path, "demo-patch", "--apply")
        assert proc.wait(timeout=120) == 7
        assert b"permission denied" in (proc.stderr.read() if proc.stderr else b"")
    finally:
        target.parent.chmod(0o755)
    assert target.read_text() == BODY


def test_dry_run_says_up_front_when_run_would_refuse(tmp_path: Path) -> None:
    """A command substitution in the log's command: shown to copy, never run by triage."""
    log = tmp_path / "shm.log"
    log.write_text("$ docker run --gpus all -v $(pwd):/w trainer:latest python train.py\nERROR: Unexpected bus error "
                   "encountered in worker. This might be caused by insufficient shared memory (shm).\n")
    r = subprocess.run([sys.executable, "-m", "triage", "fix", "dataloader-shm-too-small", "--log", str(log)],
                       capture_output=True, cwd=tmp_path, env=fake_pip(tmp_path), timeout=120)
    out = r.stdout.decode()
    assert r.returncode == 0 and "--run: will not run: the command holds a '$'" in out
    assert "(not run: triage will not run this one" in out and "add --run" not in out


def test_stale_temp_alone_is_cleaned_but_is_no_backup_to_revert(tmp_path: Path) -> None:
    from triage.fixes.patch import revert_file

    _, root, target = setup(tmp_path)
    stale = target.with_name(".mod.py.0123abcd.triage-tmp")
    stale.write_bytes(b"x" * 4096)
    unrelated = target.with_name(".mod.py.notours.tmp")
    unrelated.write_text("someone else's")
    with pytest.raises(PatchError, match="no triage backup"):
        revert_file(target, "demo-patch", root)
    assert not stale.exists() and unrelated.exists() and target.read_text() == BODY
