"""Every entry over every benign or unknown-failure fixture: any firing fails with the entry's
name and the line it fired on."""
from __future__ import annotations

import pytest

from triage import diagnose
from triage.knowledge.fixtures import read_marker

from .conftest import FIXTURES

SILENT = [p for p in sorted(FIXTURES.glob("*.log")) if (m := read_marker(p)) is not None and m.label == "none"]


@pytest.mark.parametrize("path", SILENT, ids=[p.stem for p in SILENT])
def test_no_entry_fires_on_a_silent_log(path, kb) -> None:
    fired = [f"{d.id} fired on {path.name}:{e.line}: {e.text.strip()[:150]}"
             for d in diagnose(path.read_bytes(), kb) for e in d.evidence]
    assert fired == []
