"""One test per example of every KB entry (ids like `cuda-out-of-memory::match[2]`).

Adding an entry never needs a test file: its YAML examples are collected here.
"""
from __future__ import annotations

import pytest

from triage import load_kb
from triage.knowledge.examples import cases, check

KB = load_kb()
CASES = list(cases(KB))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example(case) -> None:
    problem = check(case, KB)
    if case.kind == "todo_match":
        if problem:
            pytest.xfail(f"known gap: {problem}")
        return
    assert problem is None, f"{case.entry.path}: {case.name}: {problem}"
