"""Hostile logs must not stall a scan: every regex call runs under a budget that holds (per call,
per pattern, per log), a call cut short counts as not matching and is counted, and the KB's
own patterns are linear on long lines. Work is counted, never timed: machines are shared."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from tests.test_engine import kb_of
from triage.api import analyze, text_chunks
from triage.engine import budget as budget_mod
from triage.engine.budget import RegexBudget, search_once, sub_once
from triage.fixes.patch import EDIT_TIMEOUT, edit_regex
from triage.knowledge import redos
from triage.knowledge.lint import lint_dirs, superlinear_regexes
from triage.knowledge.redos import KBRegex, measure
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


def test_a_spent_log_budget_leaves_new_patterns_a_short_leash_and_skips_slow_ones() -> None:
    budget, fast, slow = RegexBudget(base=0.0), FakePattern("fast", times_out=False), FakePattern("slow")
    assert budget.search(fast, "x") == "x"  # type: ignore[arg-type]
    for _ in range(budget_mod.STRIKES + 3):
        budget.search(slow, "x")  # type: ignore[arg-type]
    assert fast.limits == [budget_mod.SHORT]
    assert slow.limits == [budget_mod.SHORT] * budget_mod.STRIKES  # then skipped
    assert budget.skipped == 3 and budget.timeouts == budget_mod.STRIKES
    budget.grant(1 << 20)  # more log read: more time
    assert budget.search(fast, "x") == "x"  # type: ignore[arg-type]
    assert fast.limits[-1] == budget_mod.PER_CALL


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
    result = analyze(text_chunks(log), kb)
    assert result.regex_timeouts >= 1
    assert bool(result.diagnoses) is diagnosed


def test_the_log_budget_bounds_many_slow_patterns(tmp_path: Path) -> None:
    """Forty slow patterns on forty hostile lines, then a real error: each slow pattern is cut
    short a few times and then skipped or kept on a short leash; the real error is still found."""
    entries = {f"slow-{i}": entry(f"slow-{i}", SLOW + "|x" * i) for i in range(40)}
    entries["real"] = entry("real")
    kb: KnowledgeBase = kb_of(tmp_path, **entries)
    result = analyze(text_chunks("\n".join([HOSTILE_LINE] * 40 + ["boom 7"]) + "\n"), kb)
    assert 40 * budget_mod.STRIKES <= result.regex_timeouts <= 2 * 41 * 41  # raw and clean line, per pattern
    assert [d.id for d in result.diagnoses] == ["real"]


def test_issue_10_whole_log_veto_no_longer_stalls() -> None:
    """bitsandbytes-cpu-library-loaded's whole-log veto took 4-7 s on this line, 80-130 s on 20."""
    for log in (HOSTILE_LINE + "\n", (HOSTILE_LINE + "\n") * 20):
        assert analyze(text_chunks(log)).regex_timeouts == 0  # linear now: nothing needed cutting


# patterns of the KB before issue 10, each quadratic (or worse) on some long line
ISSUE_10_PATTERNS = {
    "whole-log it/s veto": r'(?i)\bloss[=:]\s*\d|\bstep \d+/\d+|\d+(?:\.\d+)?\s?it/s\b|train_runtime',
    "kernel-assertion-line": r"""(?x)(?:(?P<source>[\w.-]+\.(?:cuh?|py)):\d+:\ .{0,400}?)?
        block:\ \[\d+,\s?\d+,\s?\d+\],?\s+thread:\ \[\d+,\s?\d+,\s?\d+\],?\s+
        Assertion\s+[`'"‘]?(?P<assertion>.+?)(?:[`'"’]?\s+failed|[`'"’]\s*$)""",
    "detected-cuda-mismatch-retyped":
        r'(?i)detected CUDA version\s*\(?\s*(?P<system_cuda>\d+(?:\.\d+)+)\s*\)?\s*mismatch(?:es)? (?:the|with)\b',
    "ls-tiny-adapter": r"""(?x)^[-l][rwxsStT-]{9}[.+@]?\s+\d+\s+.+?\s+(?P<size>\d{1,3}|1\d{3})\s+
        (?:\w{3}\s+\d{1,2}|\d{1,2}\s+\w{3,4}\.?|\d{4}-\d\d-\d\d)\s+(?:\d\d:\d\d|\d{4})\s+
        (?P<file>\S*adapter_model\.(?:bin|safetensors|pth))\s*$""",
    "a path before a literal": r'(?P<path2>\S+): smudge filter lfs failed',
    "a lazy gap per occurrence": r'(?i)(?:/dev/shm|shared memory)[^\n]*No space left on device|No space left on device[^\n]*/dev/shm',
    "nested repeats": r'^(?:a|a)+$',
}


@pytest.mark.parametrize("name", sorted(ISSUE_10_PATTERNS))
def test_the_measurement_flags_each_slow_pattern_of_issue_10(name: str) -> None:
    found = measure(KBRegex("kb/x/y.yaml", "y", "signatures[0].regex", ISSUE_10_PATTERNS[name]))
    assert found is not None and (found.ratio > redos.MAX_RATIO or found.small >= redos.LIMIT / redos.MAX_RATIO)
    message = found.message()
    assert "kb/x/y.yaml" in message and "'y'" in message and "signatures[0].regex" in message
    assert "possessive" in message and "bound it" in message  # it tells the author how to fix it


@pytest.mark.parametrize("source", [r'(?<!\d)\d++(?:\.\d++)?\s?(?:it/s|s/it)\b', r'(?<!\w)[A-Za-z_]\w*+=\S*+\s',
                                    r'^\s*(?P<key>\w+)\s*=\s*(?P<value>.*)$', r'Traceback \(most recent call last\)'])
def test_linear_patterns_pass(source: str) -> None:
    assert measure(KBRegex("p", "e", "f", source)) is None


LINT_ENTRY = """
    id: slow-{where}
    title: t
    summary: s
    tags: [x]
    severity: error
    signatures:
      - regex: '{sig}'
        keywords: ["boom"]
        veto: [{{regex: '{veto}', within: 5}}]
    solutions: [{{title: t, why: w, steps: [s]}}]
    examples: {{}}
    fix:
      kind: command
      safety: safe
      description: d
      find: '{find}'
      rewrite: [{{regex: 'x', replace: 'y'}}]
"""


@pytest.mark.parametrize("where,field", [("sig", "signatures[0].regex"), ("veto", "signatures[0].veto[0].regex"),
                                         ("find", "fix.find")])
def test_lint_refuses_a_super_linear_regex_naming_file_entry_and_field(tmp_path: Path, where: str, field: str) -> None:
    slow, fast = SLOW, "boom (?P<n>\\\\d+)"
    text = LINT_ENTRY.format(where=where, sig=slow if where == "sig" else fast, veto=slow if where == "veto" else "ok",
                             find=slow if where == "find" else "^x")
    kb = kb_of(tmp_path, **{f"slow-{where}": text})
    errors = superlinear_regexes(kb)
    assert len(errors) == 1
    assert f"slow-{where}.yaml" in errors[0] and f"'slow-{where}'" in errors[0] and f"'{field}'" in errors[0]
    assert any(f"'{field}': super-linear regex" in e for e in lint_dirs([tmp_path], run_examples=False).errors)


class FakeSub(FakePattern):
    def sub(self, repl: str, text: str, count: int = 0, timeout: Optional[float] = None) -> str:
        self.search(text, timeout)
        return repl

    def subn(self, repl: str, text: str, timeout: Optional[float] = None) -> Tuple[str, int]:
        self.search(text, timeout)
        return repl, 1


def test_fix_patterns_run_with_a_time_limit_and_a_cut_short_one_changes_nothing() -> None:
    slow = FakeSub()
    assert search_once(slow, HOSTILE_LINE) is None  # type: ignore[arg-type]
    assert sub_once(slow, "x", HOSTILE_LINE) == HOSTILE_LINE  # type: ignore[arg-type]
    state, after = edit_regex(HOSTILE_LINE, slow, "x")  # type: ignore[arg-type]
    assert state.startswith("not-applicable:") and "too long" in state and after is None
    assert slow.limits == [budget_mod.PER_CALL, budget_mod.PER_CALL, EDIT_TIMEOUT]
