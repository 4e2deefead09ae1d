"""Every automatic fix in the KB, from its own examples: plan -> apply -> re-apply (no change)
-> revert (byte for byte). File fixes run on real files in a temporary site-packages or project."""
from __future__ import annotations

from pathlib import Path

import pytest

from triage import load_kb
from triage.fixes import computed
from triage.fixes.plan import apply_fix, plan_fix, revert_fix

KB = load_kb()
CASES = [(e, i, ex) for e in KB.entries if e.fix is not None for i, ex in enumerate(e.fix.examples)]


def test_every_fix_has_examples() -> None:
    assert [e.id for e in KB.entries if e.fix is not None and e.fix.kind != "shell" and not e.fix.examples] == []


def make_site(tmp_path: Path, spec, before: str, version: str) -> Path:
    site = tmp_path / "site-packages"
    target = site / spec.module / spec.file
    target.parent.mkdir(parents=True)
    target.write_text(before, encoding="utf-8")
    meta = site / f"{spec.package}-{version}.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {spec.package}\nVersion: {version}\n", encoding="utf-8")
    return target


def make_project(tmp_path: Path, spec, before: str) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    name = spec.glob.replace("**/", "").replace("*", "train")
    target = project / name
    target.write_text(before, encoding="utf-8")
    target.chmod(0o754)
    return target


@pytest.mark.parametrize("entry, i, example", CASES, ids=[f"{e.id}::fix[{i}]" for e, i, _ in CASES])
def test_fix_example(tmp_path: Path, entry, i: int, example, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = entry.fix
    if spec.kind == "command":  # values triage computes (a free port) are {named} in the example
        monkeypatch.setattr(computed, "COMPUTED", {"free_port": lambda: 29999})
        plan = plan_fix(entry.id, log=example["log"], kb=KB)
        assert plan.outcome == "ready", plan.reason
        assert plan.command == example["command"].replace("{free_port}", "29999")
        if spec.unless is not None:  # the corrected command is recognised as fixed
            again = plan_fix(entry.id, log=f"$ {plan.command}\n", kb=KB)
            assert again.outcome == "already-applied", again
        return
    if spec.kind == "package":
        target = make_site(tmp_path, spec, example["before"], example.get("version", "0"))
        kwargs = {"site_packages": str(target.parents[len(Path(spec.module, spec.file).parts) - 1])}
    else:
        target = make_project(tmp_path, spec, example["before"])
        kwargs = {"project": str(target.parent)}
    original = target.read_bytes()
    mode = target.stat().st_mode
    plan = plan_fix(entry.id, kb=KB, **kwargs)
    assert plan.outcome == "ready", plan.reason
    assert plan.diff.startswith("--- a/") and target.read_bytes() == original  # a plan writes nothing
    apply_fix(plan)
    assert target.read_text(encoding="utf-8") == example["after"]
    assert target.stat().st_mode == mode
    again = plan_fix(entry.id, kb=KB, **kwargs)
    assert again.outcome == "already-applied" and not again.edits
    assert target.read_text(encoding="utf-8") == example["after"]
    revert_fix(again)
    assert target.read_bytes() == original
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # backups cleaned up
