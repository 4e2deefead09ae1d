"""The house: each concern in its room, and the rooms' doors only one way.

engine/ turns bytes into diagnoses; knowledge/ loads and checks the KB; fixes/ plans and applies
fixes; cli/ is the command line. Only cli/ may import click or rich; the engine imports nothing
of the command line, fixes import no renderer, batch scanning imports no renderer.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Set

import pytest

from .conftest import ROOT

PACKAGE = ROOT / "triage"
MAX_LINES = 250
MAX_TOP_LEVEL = 6


def modules() -> list:
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: Path) -> Set[str]:
    """Every module a file imports, as dotted names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names}
    return names


def files_in(room: str) -> list:
    return [p for p in modules() if p.relative_to(PACKAGE).parts[0] == room]


@pytest.mark.parametrize("room", ["engine", "knowledge", "fixes", "i18n", "learn"])
def test_rooms_outside_the_cli_never_import_click_rich_or_the_cli(room: str) -> None:
    offenders = {}
    for p in files_in(room):
        if p.relative_to(PACKAGE).as_posix() == "fixes/cli.py":  # the fix command's own shell
            continue
        bad = {n for n in imported(p) if n.split(".")[0] in ("click", "rich") or n.startswith("triage.cli")}
        if bad:
            offenders[p.name] = sorted(bad)
    assert offenders == {}


def test_top_level_engine_modules_are_pure() -> None:
    for p in PACKAGE.glob("*.py"):
        if p.name == "__main__.py":
            continue
        assert not {n for n in imported(p) if n.split(".")[0] in ("click", "rich")}, p.name


def test_the_engine_imports_no_fixes_and_no_cli() -> None:
    bad = {p.name: sorted(n for n in imported(p) if n.startswith(("triage.fixes", "triage.cli")))
           for p in files_in("engine")}
    assert {k: v for k, v in bad.items() if v} == {}


def test_fixes_and_batch_scanning_import_no_renderer() -> None:
    paths = files_in("fixes") + [PACKAGE / "cli" / "batch.py"]
    bad = {p.name: sorted(n for n in imported(p) if n.startswith("triage.cli.render") or n == "triage.cli.console")
           for p in paths}
    assert {k: v for k, v in bad.items() if v} == {}


def test_renderers_are_pure_functions_of_results() -> None:
    for p in (PACKAGE / "cli" / "render").glob("*.py"):
        assert not {n for n in imported(p) if n.split(".")[0] in ("click", "rich", "subprocess", "os")}, p.name


def test_engine_never_touches_the_network() -> None:
    for p in modules():
        assert not {n for n in imported(p) if n.split(".")[0] in ("socket", "urllib", "http", "requests")}, p.name


def test_no_module_over_250_lines_and_at_most_6_at_the_top() -> None:
    long = {p.relative_to(PACKAGE).as_posix(): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top



def test_py_typed_marker_ships() -> None:
    assert (PACKAGE / "py.typed").is_file()
