"""The fast path (big logs: chunks, raw-line prefilter, lazily normalised lines, whole-log
conditions settled across chunks from lines kept aside) against the reference path (the whole log normalised at once):
the same diagnoses, confidences, evidence lines and variables, log by log."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

import triage.engine.anywhere as anywhere
import triage.engine.pipeline as pipeline
from triage import load_kb
from triage.api import analyze
from triage.limits import HOLD_CHARS
from triage.model import LogResult

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"  # the development corpus, beside a checkout when present
LOGS = sorted((ROOT / "fixtures" / "logs").glob("*.log")) + sorted(CORPUS.glob("**/*.log"))
KB = load_kb()


def outcome(result: LogResult) -> List[Tuple]:
    return [(d.id, round(d.confidence, 4), [(e.line, e.signature, e.count) for e in d.evidence], dict(d.variables))
            for d in result.diagnoses]


def pieces(text: str, size: int) -> Iterator[str]:
    for start in range(0, len(text), size):
        yield text[start:start + size]


def both_paths(text: str, monkeypatch: pytest.MonkeyPatch, hold: int = HOLD_CHARS) -> Tuple[List[Tuple], List[Tuple]]:
    reference = outcome(analyze([text], KB))
    monkeypatch.setattr(pipeline, "EAGER_LIMIT", 0)  # as if the log were too big to normalise whole
    monkeypatch.setattr(anywhere, "HOLD_CHARS", hold)  # lines kept aside for whole-log conditions
    fast = outcome(analyze(pieces(text, 4096), KB))  # small chunks: many chunk edges
    monkeypatch.undo()
    return reference, fast


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_fast_path_equals_reference_on_real_logs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference, fast = both_paths(path.read_bytes().decode("utf-8", "replace"), monkeypatch)
    assert fast == reference


def test_fast_path_equals_reference_on_kb_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    differ = []
    for entry in KB.entries:
        for i, example in enumerate(entry.examples.match + entry.examples.no_match):
            text = "step 1 loss 2.31\n" * 3 + example.text + "\n" + "step 2 loss 2.30\n" * 3  # mid-log
            reference, fast = both_paths(text, monkeypatch, hold=16)  # kept lines overflow at once
            if fast != reference:
                differ.append(f"{entry.id}[{i}]")
    assert differ == []
