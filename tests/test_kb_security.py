"""KB files from anywhere (--kb, TRIAGE_KB_PATH) cannot blow up loading or point a fix outside its root."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from triage import KBError
from triage.knowledge.loader import load_entry

from .conftest import ROOT
from .test_fixes import PACKAGE_FIX, kb_with

ENTRY = """\
id: {id}
title: t
summary: s
tags: [x]
severity: error
signatures: [{{regex: 'demo failure'}}]
solutions: [{{title: t, why: w, steps: [s]}}]
examples: {{}}
"""
# `defaults` values are turned into strings: each level repeats the one before 9 times, so the
# last stands for 9**9 (387 million) strings, gigabytes once expanded
BOMB = "defaults:\n  l0: &l0 [\"lol\"]\n" + "".join(
    f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10))


def write(folder: Path, eid: str, extra: str) -> Path:
    path = folder / "area" / f"{eid}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ENTRY.format(id=eid) + extra, encoding="utf-8")
    return path


def test_alias_bomb_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "bomb-entry", BOMB)
    with pytest.raises(KBError, match="aliases expand to more than") as info:
        load_entry(path)
    assert info.value.path == str(path)


def test_alias_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "loop-entry", "notes: &me [a, *me]\n")
    with pytest.raises(KBError, match="refers to itself"):
        load_entry(path)


def test_shared_lists_through_anchors_still_load(tmp_path: Path) -> None:
    """Bundled entries share conditions this way; a bounded use of aliases is fine."""
    entry = load_entry(write(tmp_path, "plain-entry", "refs: &r [https://example.com]\nnotes: *r\n"
                                                      "causes: ['a & b', '*not-an-alias']\n"))
    assert entry.notes == ("https://example.com",) and entry.causes == ("a & b", "*not-an-alias")


def test_cli_with_an_alias_bomb_kb_exits_2_quickly(tmp_path: Path) -> None:
    write(tmp_path / "kb", "bomb-entry", BOMB)
    env = {**os.environ, "TRIAGE_NO_CACHE": "1"}
    r = subprocess.run([sys.executable, "-m", "triage", "--kb", str(tmp_path / "kb"), "fixtures/sample.log"],
                       capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert r.returncode == 2 and b"bomb-entry.yaml" in r.stderr and b"aliases expand to" in r.stderr, r.stderr


@pytest.mark.parametrize("module", ["/usr/lib/python3/dist-packages/x", "../../etc", "demo/../../..",
                                    "C:/Windows", "\\\\server\\share", "~/x", ""])
def test_fix_module_must_stay_relative(tmp_path: Path, module: str) -> None:
    bad = PACKAGE_FIX.replace("module: demo", f"module: {module!r}".replace("'", '"').replace("\\\\", "\\\\"))
    with pytest.raises(KBError) as info:
        kb_with(tmp_path, bad)
    assert info.value.field == "fix.module"
