"""What the loader refuses, and the schema features that make entries cheap to write."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from triage import KBError, diagnose, load_kb
from triage.knowledge.loader import entry_files, parse_all

from .test_kb import GOOD, write_entry

SHELL_FIX = """\
    fix:
      kind: shell
      run: {run}
"""


def good(extra: str = "") -> str:
    return textwrap.dedent(GOOD) + textwrap.dedent(extra)


@pytest.mark.parametrize("text, field, words", [
    (good(SHELL_FIX.format(run='"pip install x"')), "fix.run", "must be a list"),
    (good(SHELL_FIX.format(run="[]")), "fix.run", "at least one command"),
    (good("causes: [no-such-entry]\n"), "causes", "unknown id 'no-such-entry'"),
    (good().replace("  - regex: 'scratch", "  - requires: [{regex: 'sbatch'}]\n    regex: 'scratch"),
     "signatures[0].requires[0].within", "is required"),
    (good().replace("  - regex: 'scratch", "  - requires: [{use: nope, within: 3}]\n    regex: 'scratch"),
     "signatures[0].requires[0].use", "unknown fragment 'nope'"),
    (good().replace("  - regex: 'scratch", "  - confidence: sure\n    regex: 'scratch"),
     "signatures[0].confidence", "must be one of certain"),
    (good("fix:\n  kind: package\n  package: torch\n  module: /etc\n  file: a.py\n  old: a\n  new: b\n"),
     "fix.module", "relative path"),
    (good("fix:\n  kind: package\n  package: torch\n  module: torch\n  file: a.py\n  old: a\n  new: b\n"
          "  versions: 'about 2.0'\n"), "fix.versions", "version range"),
])
def test_refused_at_load_naming_file_entry_and_field(tmp_path: Path, text: str, field: str, words: str) -> None:
    path = write_entry(tmp_path, text)
    with pytest.raises(KBError) as info:
        load_kb(tmp_path)
    err = info.value
    assert (err.path, err.entry, err.field) == (str(path), "my-entry", field)
    assert words in str(err)


def test_every_problem_of_every_file_is_reported(tmp_path: Path) -> None:
    write_entry(tmp_path, good().replace("severity: error", "severity: bad").replace("  - title: Resubmit",
                                                                                      "  - titl: Resubmit"))
    write_entry(tmp_path, good().replace("my-entry", "other-entry").replace("tags: [cluster]", "tags: cluster"),
                name="other-entry")
    _, problems = parse_all(entry_files([tmp_path]))
    found = {(Path(p.path).stem, p.field) for p in problems}
    assert found >= {("my-entry", "severity"), ("my-entry", "solutions[0].titl"), ("other-entry", "tags")}


def test_named_strength_and_fragment_are_used(tmp_path: Path) -> None:
    (tmp_path / "_fragments.yaml").write_text("slurm-job: 'sbatch|srun'\n", encoding="utf-8")
    text = good().replace("  - regex: 'scratch",
                          "  - confidence: strong\n    requires: [{use: slurm-job, within: 2}]\n    regex: 'scratch")
    text = text.replace('- text: "FATAL: scratch volume vol7 is not mounted"',
                        '- text: "srun: job 7\\nFATAL: scratch volume vol7 is not mounted"')
    write_entry(tmp_path, text)
    kb = load_kb(tmp_path)
    sig = kb.get("my-entry").signatures[0]  # type: ignore[union-attr]
    assert sig.confidence == 0.9 and sig.requires[0].source == "sbatch|srun"
    assert [d.id for d in diagnose("srun: job 7\nFATAL: scratch volume vol7 is not mounted", kb)][:1] == ["my-entry"]
    assert "my-entry" not in [d.id for d in diagnose("FATAL: scratch volume vol7 is not mounted", kb)]


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    rows = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    write_entry(tmp_path, "\n".join(rows) + "\n")
    with pytest.raises(KBError, match="aliases expand to more than"):
        load_kb(tmp_path)


def test_small_aliases_still_load(tmp_path: Path) -> None:
    text = good().replace("  - regex: 'scratch", "  - requires: &ctx [{regex: 'srun', within: 2}]\n"
                          "    veto: [{regex: 'retrying', within: 1}]\n    regex: 'scratch")
    text = text.replace('- text: "FATAL: scratch volume vol7 is not mounted"',
                        '- text: "srun: job 7\\nFATAL: scratch volume vol7 is not mounted"')
    write_entry(tmp_path, text)
    assert "my-entry" in load_kb(tmp_path).ids
