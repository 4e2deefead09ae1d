"""Safety of file patches on a small KB written here, and the CLI around them."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from triage import KBError, PatchError
from triage.fixes.plan import apply_fix, plan_fix, revert_fix
from triage.knowledge.loader import entry_files, load_entry
from triage.model import KnowledgeBase

from .conftest import ROOT

LINE_OLD = "    state_dict[fqn] = state_dict[fqn].clone().detach()\n"
ENTRY = """\
id: demo-patch
title: t
summary: s
tags: [x]
severity: error
signatures: [{{regex: 'demo failure'}}]
solutions: [{{title: t, why: w, steps: [s]}}]
examples: {{}}
fix:
{fix}
"""
PACKAGE_FIX = """\
  kind: package
  package: demo-pkg
  module: demo
  file: sub/mod.py
  versions: ">=2.0,<2.1"
  old: "state_dict[fqn] = state_dict[fqn].clone().detach()"
  new: "state_dict[fqn] = state_dict[fqn].cpu().clone().detach()"
"""


def kb_with(tmp_path: Path, fix: str) -> KnowledgeBase:
    folder = tmp_path / "kb" / "demo"
    folder.mkdir(parents=True)
    (folder / "demo-patch.yaml").write_text(ENTRY.format(fix=fix), encoding="utf-8")
    return KnowledgeBase(tuple(load_entry(p) for p in entry_files([tmp_path / "kb"])))


def site(tmp_path: Path, version: str = "2.0.1", body: str = "def f():\n" + LINE_OLD) -> Path:
    root = tmp_path / "site"
    (root / "demo" / "sub").mkdir(parents=True)
    (root / "demo" / "sub" / "mod.py").write_text(body, encoding="utf-8")
    (root / f"demo_pkg-{version}.dist-info").mkdir()
    (root / f"demo_pkg-{version}.dist-info" / "METADATA").write_text(f"Name: demo-pkg\nVersion: {version}\n")
    return root


def test_not_applicable_shows_found_and_wanted_versions(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, PACKAGE_FIX)
    root = site(tmp_path, "2.1.0", body="def f():\n    return state_dict\n")
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    assert plan.outcome == "not-applicable"
    assert "2.1.0" in plan.reason and ">=2.0,<2.1" in plan.reason


def test_target_not_found_when_package_missing(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, PACKAGE_FIX)
    (tmp_path / "empty").mkdir()
    plan = plan_fix("demo-patch", site_packages=str(tmp_path / "empty"), kb=kb)
    assert plan.outcome == "target-not-found" and "demo-pkg is not installed" in plan.reason


def test_ambiguous_old_text_is_not_applied(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, PACKAGE_FIX)
    root = site(tmp_path, body="def f():\n" + LINE_OLD + LINE_OLD)
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    assert plan.outcome == "not-applicable" and "2 times" in plan.reason
    with pytest.raises(PatchError):
        apply_fix(plan)


def test_revert_refuses_a_file_changed_since(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, PACKAGE_FIX)
    root = site(tmp_path)
    plan = apply_fix(plan_fix("demo-patch", site_packages=str(root), kb=kb))
    target = root / "demo" / "sub" / "mod.py"
    target.write_text(target.read_text() + "# edited by hand\n")
    with pytest.raises(PatchError, match="changed since"):
        revert_fix(plan)
    assert "# edited by hand" in target.read_text()


def test_apply_refuses_when_file_changed_after_planning(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, PACKAGE_FIX)
    root = site(tmp_path)
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    target = root / "demo" / "sub" / "mod.py"
    target.write_text(target.read_text() + "x = 1\n")
    with pytest.raises(PatchError, match="changed since the fix was planned"):
        apply_fix(plan)


def test_symlink_escaping_the_package_is_refused(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, PACKAGE_FIX)
    root = site(tmp_path)
    outside = tmp_path / "outside.py"
    outside.write_text("def f():\n" + LINE_OLD)
    target = root / "demo" / "sub" / "mod.py"
    target.unlink()
    target.symlink_to(outside)
    plan = plan_fix("demo-patch", site_packages=str(root), kb=kb)
    with pytest.raises(PatchError, match="outside"):
        apply_fix(plan)
    assert outside.read_text() == "def f():\n" + LINE_OLD


@pytest.mark.parametrize("bad, field", [
    (PACKAGE_FIX.replace("file: sub/mod.py", "file: ../../etc/passwd"), "fix.file"),
    (PACKAGE_FIX.replace("file: sub/mod.py", "file: /etc/passwd"), "fix.file"),
    (PACKAGE_FIX.replace("kind: package", "kind: magic"), "fix.kind"),
    (PACKAGE_FIX + "  colour: red\n", "fix.colour"),
])
def test_bad_fix_specs_are_rejected_at_load(tmp_path: Path, bad: str, field: str) -> None:
    with pytest.raises(KBError) as info:
        kb_with(tmp_path, bad)
    assert info.value.field == field


def test_python_option_resolves_a_really_installed_package(tmp_path: Path) -> None:
    """Dry run against click as installed in this test venv, found through a real interpreter."""
    import click

    fix = """\
  kind: package
  package: click
  module: click
  file: core.py
  old: "class Context:"
  new: "class Context:  # patched"
"""
    kb = kb_with(tmp_path, fix)
    plan = plan_fix("demo-patch", python=sys.executable, kb=kb)
    assert plan.outcome == "ready", plan.reason
    assert Path(plan.target).resolve() == (Path(click.__file__).parent / "core.py").resolve()
    from importlib.metadata import version

    assert plan.version == version("click")


def cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRIAGE_KB_PATH"}
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, capture_output=True,
                          cwd=ROOT, env=env, timeout=120)


def test_cli_fix_dry_run_apply_again_revert(tmp_path: Path) -> None:
    kb_with(tmp_path, PACKAGE_FIX)
    root = site(tmp_path)
    target = root / "demo" / "sub" / "mod.py"
    before = target.read_bytes()
    common = ["fix", "demo-patch", "--kb", str(tmp_path / "kb"), "--site-packages", str(root)]
    dry = cli(*common)
    assert dry.returncode == 0 and b"+    state_dict[fqn] = state_dict[fqn].cpu()" in dry.stdout
    assert b"2.0.1" in dry.stdout and target.read_bytes() == before
    assert cli(*common, "--apply").returncode == 0 and b".cpu()" in target.read_bytes()
    again = cli(*common, "--apply")
    assert again.returncode == 4 and b"already applied" in again.stdout
    assert cli(*common, "--revert").returncode == 0 and target.read_bytes() == before
    assert cli(*common, "--revert").returncode == 7


def test_cli_fix_unknown_id_and_entry_without_fix() -> None:
    assert cli("fix", "no-such-entry").returncode == 2
    r = cli("fix", "cuda-out-of-memory")
    assert r.returncode == 5 and b"no automatic fix" in r.stderr


SHELL_FIX = """\
  kind: shell
  description: install what is missing
  run: ["echo {module} > {out}"]
"""


def test_shell_fix_prints_then_runs_only_with_run_and_yes(tmp_path: Path) -> None:
    out = tmp_path / "ran.txt"
    kb_with(tmp_path, SHELL_FIX.replace("{out}", str(out)) + "  # {module} comes from defaults\n")
    entry = tmp_path / "kb" / "demo" / "demo-patch.yaml"
    entry.write_text(entry.read_text().replace("examples: {}", "examples: {}\ndefaults: {module: pytest}"))
    common = ["fix", "demo-patch", "--kb", str(tmp_path / "kb")]
    shown = cli(*common)
    assert shown.returncode == 0 and f"$ echo pytest > {out}".encode() in shown.stdout and not out.exists()
    assert b"add --run" in shown.stdout
    ran = cli(*common, "--run", "--yes")
    assert ran.returncode == 0 and out.read_text().strip() == "pytest"
