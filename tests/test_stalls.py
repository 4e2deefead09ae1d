"""Hostile logs must not stall a scan: every regex call runs under a budget that holds (per call,
per pattern, per log), a call cut short counts as not matching and is counted, and the KB's
own patterns are linear on long lines. Work is counted, never timed: machines are shared."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import pytest

from tests.test_engine import kb_of
from triage.api import scan, text_chunks
from triage.engine import budget as budget_mod
from triage.engine.budget import RegexBudget
from triage.model import KnowledgeBase

# quadratic on a long run of digits: every start position scans the whole run (issue 10)
SLOW = r'\d+(?:\.\d+)?\s?it/s\b'
HOSTILE_LINE = "0" * 8000 + " it/sx"


class FakePattern:
    """Stands for a compiled regex: records the time limits it is given, and times out."""

    def __init__(self, source: str = "slow", times_out: bool = True) -> None:
        self.pattern = source
        self.times_out = times_out
        self.limits: List[float] = []

    def search(self, text: str, timeout: Optional[float] = None) -> Optional[str]:
        assert timeout is not None
        self.limits.append(timeout)
        if self.times_out:
            raise TimeoutError("regex timed out")
        return text


def test_a_call_cut_short_counts_as_not_matching_and_is_counted() -> None:
    budget = RegexBudget()
    assert budget.search(FakePattern(), "x") is None  # type: ignore[arg-type]
    assert budget.timeouts == 1 and budget.cut == 1


def test_every_call_has_a_time_limit_and_a_slow_pattern_gets_a_short_leash() -> None:
    budget, slow, fast = RegexBudget(base=100), FakePattern("slow"), FakePattern("fast", times_out=False)
    for _ in range(5):
        budget.search(slow, "x")  # type: ignore[arg-type]
        budget.search(fast, "x")  # type: ignore[arg-type]
    strikes = budget_mod.STRIKES
    assert slow.limits == [budget_mod.PER_CALL] * strikes + [budget_mod.SHORT] * (5 - strikes)
    assert fast.limits == [budget_mod.PER_CALL] * 5  # other patterns keep their full limit


def test_a_spent_log_budget_skips_the_remaining_calls() -> None:
    budget, pattern = RegexBudget(base=0.0), FakePattern(times_out=False)
    assert budget.search(pattern, "x") is None  # type: ignore[arg-type]
    assert pattern.limits == [] and budget.skipped == 1
    budget.grant(1 << 20)  # more log read: more time
    assert budget.search(pattern, "x") == "x"  # type: ignore[arg-type]
    assert 0 < pattern.limits[0] <= budget_mod.PER_CALL


def test_no_call_is_given_more_than_what_is_left_of_the_log_budget() -> None:
    budget, pattern = RegexBudget(base=0.01), FakePattern(times_out=False)
    budget.search(pattern, "x")  # type: ignore[arg-type]
    assert pattern.limits[0] <= 0.01


ENTRY = """
    id: {eid}
    title: t
    summary: s
    tags: [x]
    severity: error
    signatures:
      - regex: '{regex}'
        keywords: ["it/s", "boom"]
{extra}
    solutions: [{{title: t, why: w, steps: [s]}}]
    examples: {{}}
"""


def entry(eid: str, regex: str = "boom (?P<n>\\d+)", extra: str = "") -> str:
    return ENTRY.format(eid=eid, regex=regex, extra=extra)


CASES = {  # where the slow pattern sits -> is the entry diagnosed once it is cut short?
    "signature": (entry("slow-signature", SLOW), False),
    "requires-near": (entry("slow-requires", extra=f"        requires: [{{regex: '{SLOW}', within: 3}}]"), False),
    "requires-anywhere": (entry("slow-requires-anywhere", extra=f"        requires: [{{regex: '{SLOW}', within: null}}]"),
                          False),
    "veto-near": (entry("slow-veto", extra=f"        veto: [{{regex: '{SLOW}', within: 3}}]"), True),
    "veto-anywhere": (entry("slow-veto-anywhere", extra=f"        veto: [{{regex: '{SLOW}', within: null}}]"), True),
}


@pytest.mark.parametrize("where", sorted(CASES))
def test_a_slow_pattern_anywhere_in_an_entry_is_cut_short(tmp_path: Path, where: str) -> None:
    text, diagnosed = CASES[where]
    kb = kb_of(tmp_path, **{text.split("id: ")[1].split()[0]: text})
    log = "\n".join([HOSTILE_LINE] * 20 + ["boom 7"]) + "\n"
    result = scan(text_chunks(log), kb)
    assert result.regex_timeouts >= 1
    assert bool(result.diagnoses) is diagnosed


def test_the_log_budget_bounds_many_slow_patterns(tmp_path: Path) -> None:
    """Forty slow patterns on forty hostile lines: most calls are skipped once the log's time is spent."""
    entries = {f"slow-{i}": entry(f"slow-{i}", SLOW + "|x" * i) for i in range(40)}
    kb: KnowledgeBase = kb_of(tmp_path, **entries)
    result = scan(text_chunks("\n".join([HOSTILE_LINE] * 40) + "\n"), kb)
    calls = 40 * 40 * 2  # a raw-line check and a clean-line check per pattern and line at most
    assert 40 <= result.regex_timeouts <= calls
    assert result.diagnoses == []


def test_issue_10_whole_log_veto_no_longer_stalls() -> None:
    """bitsandbytes-cpu-library-loaded's whole-log veto took 4-7 s on this line, 80-130 s on 20."""
    for log in (HOSTILE_LINE + "\n", (HOSTILE_LINE + "\n") * 20):
        assert scan(text_chunks(log)).regex_timeouts == 0  # linear now: nothing needed cutting
