"""The engine is pure: only the CLI and the terminal renderer may import click or rich."""
from __future__ import annotations

import ast

from .conftest import ROOT

SHELL_MODULES = {"cli.py", "fixcli.py", "console.py", "__main__.py"}


def imported_modules(path) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_never_imports_click_or_rich() -> None:
    offenders = {p.name: sorted(imported_modules(p) & {"click", "rich"})
                 for p in (ROOT / "triage").glob("*.py") if p.name not in SHELL_MODULES}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_engine_never_touches_the_network() -> None:
    for p in (ROOT / "triage").glob("*.py"):
        assert not imported_modules(p) & {"socket", "urllib", "http", "requests"}, p.name


def test_py_typed_marker_ships() -> None:
    assert (ROOT / "triage" / "py.typed").is_file()
