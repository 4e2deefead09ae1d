"""Fixture logs say what they expect (first line marker); each is checked, and the whole set
is scored against a floor. To re-bless after a deliberate change, fix the marker line in the
fixture itself: `# triage-fixture: expect=<id> line=<N>` (see fixtures/README.md)."""
from __future__ import annotations

import pytest

from triage import diagnose
from triage.cli.evaluate import evaluate
from triage.knowledge.fixtures import labelled_logs, read_marker
from triage.knowledge.lint import fixture_problems

from .conftest import FIXTURES

LOGS = sorted(FIXTURES.glob("*.log"))
TOP1_FLOOR = 0.95  # share of labelled fixtures whose expected entry must rank first
REBLESS = "re-bless: edit the first line of {path} (`# triage-fixture: expect=<id> line=<N>`)"


def test_every_fixture_has_a_marker() -> None:
    assert [p.name for p in LOGS if read_marker(p) is None] == []


@pytest.mark.parametrize("path", LOGS, ids=[p.stem for p in LOGS])
def test_fixture(path, kb) -> None:
    marker = read_marker(path)
    assert marker is not None
    found = diagnose(path.read_bytes(), kb)
    if marker.label == "none":
        fired = [f"{d.id} on line {e.line}: {e.text.strip()[:120]}" for d in found for e in d.evidence[:1]]
        assert fired == [], f"{path.name} must produce no diagnosis; " + REBLESS.format(path=path)
        return
    assert found, f"{path.name}: nothing diagnosed, want {marker.label}; " + REBLESS.format(path=path)
    top = found[0]
    assert top.id == marker.label, f"{path.name}: want {marker.label} first, got {[d.id for d in found[:3]]}"
    if marker.line is not None:
        covered = {n for e in top.evidence for n in range(e.line, (e.last_line or e.line) + 1)}
        covered |= {e.line + k for e in top.evidence for k in range(e.text.count("\n") + 1)}
        assert marker.line in covered, f"{path.name}: line {marker.line} not in evidence {sorted(covered)}"


def test_fixture_set_is_big_enough() -> None:
    labels = [m.label for m in labelled_logs(FIXTURES)]
    assert labels.count("none") >= 30


def test_eval_floor_on_fixtures(kb) -> None:
    score = evaluate(FIXTURES, kb)
    assert score.top1_rate >= TOP1_FLOOR and score.false_positives == 0, \
        f"top1={score.top1_rate:.0%} fp={score.false_positives}: {[(m.path.name, g) for m, g in score.misses]}"


def test_each_kb_entry_has_a_fixture(kb) -> None:
    assert fixture_problems(kb, FIXTURES) == []  # the gate `triage kb lint` applies
