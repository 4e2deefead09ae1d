"""The `doctor:` block: each entry's scenarios run as tests, the schema refuses what it cannot read,
the facts the KB names are documented, and the cache keeps the block."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from triage import KBError, load_kb
from triage.doctor import FACTS
from triage.doctor.checks import check_diagnoses, with_log
from triage.doctor.facts import documented
from triage.doctor.verdict import evaluate, holds
from triage.knowledge.doctorspec import read_facts
from triage.model import Diagnosis, KnowledgeBase

from .test_kb import GOOD, write_entry

_KB = load_kb()
SCENARIOS = [(e, i, s) for e in _KB.entries if e.doctor for i, s in enumerate(e.doctor.scenarios)]
ISSUE_ENTRIES = ("cuda-driver-insufficient", "no-kernel-image", "extension-cuda-version-mismatch", "cuda-home-not-set",
                 "bitsandbytes-cpu-library-loaded", "deepspeed-async-io-precompile", "python-dev-headers-missing",
                 "glibcxx-version-not-found", "nvml-driver-library-mismatch", "nvidia-docker-not-found",
                 "docker-gpus-flag-unknown", "docker-gpu-capabilities", "dataloader-shm-too-small",
                 "numpy-abi-mismatch", "flash-attn-undefined-symbol", "transformers-too-old",
                 "peft-adapter-empty-save", "ninja-missing", "torch-not-compiled-with-cuda")


@pytest.mark.parametrize("entry, index, scenario", SCENARIOS, ids=[f"{e.id}::doctor[{i}]" for e, i, _ in SCENARIOS])
def test_doctor_scenario(entry, index, scenario) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(entry.id, entry.doctor, with_log(scenario.facts, scenario.variables))
    assert result.verdict == scenario.verdict, result.reason
    assert not re.search(r"\{[\w:.+-]+\}", result.reason), result.reason  # every placeholder filled


def test_the_issue_s_entries_have_checks_that_confirm_and_rule_out(kb: KnowledgeBase) -> None:
    for entry_id in ISSUE_ENTRIES:
        entry = kb.get(entry_id)
        assert entry is not None and entry.doctor is not None, entry_id
        assert {"confirmed", "ruled_out"} <= {s.verdict for s in entry.doctor.scenarios}, entry_id


def test_every_fact_the_kb_reads_is_documented(kb: KnowledgeBase) -> None:
    named = {n for e in kb.entries if e.doctor for n in read_facts(e.doctor.rules) + e.doctor.facts}
    assert {n for n in named if not documented(n)} == set()
    assert all(isinstance(v, str) and v for v in FACTS.values())


def test_conditions_are_three_valued() -> None:
    facts = {"a": "12.1", "b": "12.2", "words": "cpu cuda118", "word": "none", "abi": "false"}
    assert holds("{a} < {b}", facts) is True and holds("{a} >= {b}", facts) is False
    assert holds("{a} == 12.1.0", facts) is True  # versions compare as versions
    assert holds("{word} > 1", facts) is None  # a word has no order
    assert holds("{missing} == none", facts) is None and holds("{a} < {missing}", facts) is None
    assert holds("{words} has cuda118", facts) is True and holds("{words} lacks cuda121", facts) is True
    assert holds("{abi} != true", facts) is True


def test_unknown_names_what_is_missing_and_what_the_log_must_give(kb: KnowledgeBase) -> None:
    entry = kb.get("glibcxx-version-not-found")
    assert entry is not None and entry.doctor is not None
    result = evaluate(entry.id, entry.doctor, {})
    assert result.verdict == "unknown"
    assert "needs the log's symbol, glibcxx" in result.reason and "glibcxx_versions" in result.reason
    assert "libstdcxx=(unknown)" in result.facts


def test_a_diagnosis_s_captures_are_log_facts(kb: KnowledgeBase) -> None:
    d = Diagnosis("glibcxx-version-not-found", "t", 0.9, (), {"symbol": "GLIBCXX", "glibcxx": "3.4.32"}, (), False)
    facts = {"libstdcxx": "/opt/conda/lib/libstdc++.so.6", "glibcxx_versions": "3.4 3.4.30", "glibcxx_max": "3.4.30"}
    [check] = check_diagnoses(kb, facts, [d, Diagnosis("cuda-out-of-memory", "t", 0.9, (), {}, (), False)])
    assert check.verdict == "confirmed" and "needs GLIBCXX_3.4.32" in check.reason


DOCTOR = """\
    doctor:
      rules:
        - verdict: confirmed
          if: ["{scratch_mounted} == false"]
          reason: "/scratch is not mounted here"
        - verdict: ruled_out
          if: ["{scratch_mounted} == true"]
          reason: "/scratch is mounted"
      scenarios:
        - {verdict: confirmed, facts: {scratch_mounted: "false"}}
        - {verdict: ruled_out, facts: {scratch_mounted: "true"}}
"""


def test_a_team_entry_declares_a_check_and_the_cache_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRIAGE_NO_CACHE", raising=False)
    write_entry(tmp_path / "kb", GOOD.replace("    examples:", DOCTOR + "    examples:"))
    first, second = load_kb(tmp_path / "kb"), load_kb(tmp_path / "kb")  # the second from the cache
    for kb in (first, second):
        entry = kb.get("my-entry")
        assert entry is not None and entry.doctor is not None
        assert entry.doctor.facts == ("scratch_mounted",) and entry.doctor.rules[1].verdict == "ruled_out"
    assert list((tmp_path / "cache" / "triage").glob("kb-*.marshal"))


@pytest.mark.parametrize("change, field", [
    ('["{scratch_mounted} == false"]', "doctor.rules[0].if[0]"),  # replaced below by a bad condition
    ("verdict: confirmed\n      if", "doctor.rules[0].verdict"),
    ("- {verdict: ruled_out, facts: {scratch_mounted: \"true\"}}", "doctor.scenarios"),
    ("reason: \"/scratch is mounted\"", "doctor.rules[1].reason"),
])
def test_the_schema_refuses_what_it_cannot_read(tmp_path: Path, change: str, field: str) -> None:
    bad = {"doctor.rules[0].if[0]": '["scratch_mounted is false"]',
           "doctor.rules[0].verdict": "verdict: maybe\n      if",
           "doctor.scenarios": "- {verdict: confirmed, facts: {scratch_mounted: \"true\"}}",
           "doctor.rules[1].reason": "reason: \"{bad!name}\""}[field]
    block = DOCTOR.replace(change.replace("\n      ", "\n          "), bad.replace("\n      ", "\n          "))
    assert block != DOCTOR
    write_entry(tmp_path, GOOD.replace("    examples:", block + "    examples:"))
    with pytest.raises(KBError) as err:
        load_kb(tmp_path)
    assert f"field '{field}'" in str(err.value)


def test_kb_lint_runs_the_doctor_scenarios(tmp_path: Path) -> None:
    import subprocess
    import sys

    wrong = DOCTOR.replace('- {verdict: ruled_out, facts: {scratch_mounted: "true"}}',
                           '- {verdict: ruled_out, facts: {scratch_mounted: "true"}}\n        '
                           '- {verdict: confirmed, facts: {scratch_mounted: "true"}}')
    write_entry(tmp_path, GOOD.replace("    examples:", wrong + "    examples:"))
    r = subprocess.run([sys.executable, "-m", "triage", "kb", "lint", "--kb", str(tmp_path)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 1 and "my-entry::doctor[2]: ruled_out, not confirmed (/scratch is mounted)" in r.stderr
