"""Docs cannot drift: the catalogue lists every entry, the README's hook id is the manifest's,
and the README documents every output format and command."""
from __future__ import annotations

import yaml

from triage.knowledge.lint import catalog_problems

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_catalogue_is_up_to_date(kb) -> None:
    assert catalog_problems(kb, ROOT / "docs" / "catalog.md") == []  # the gate `triage kb lint` applies
    current = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    for entry in kb.entries:
        assert f"`{entry.id}`" in current


def test_readme_hook_id_matches_the_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["triage"]
    assert f"- id: {hooks[0]['id']}" in README


def test_readme_documents_formats_commands_and_exit_codes() -> None:
    for word in ("--format sarif", "--format github", "--format markdown", "--format junit", "triage scan",
                 "triage fix", "triage --fix", "triage explain", "triage kb lint", "triage learn", "mltriage", "| 3 |"):
        assert word in README, word


def test_readme_example_is_what_triage_prints() -> None:
    """The README's example output, line by line, in order: `...` alone skips lines, a line ending
    in ` ...` is a prefix. On failure, paste the real output (`triage fixtures/sample.log | cat`)."""
    import subprocess
    import sys

    start = README.index("Example (`triage fixtures/sample.log` piped")
    block = README[README.index("```\n", start) + 4: README.index("\n```", start)].split("\n")
    real = subprocess.run([sys.executable, "-m", "triage", "fixtures/sample.log"], cwd=ROOT,
                          capture_output=True, text=True).stdout.split("\n")
    at = 0
    for line in (x for x in block if x.strip() != "..."):
        prefix = line[:-4] if line.endswith(" ...") else None
        while at < len(real) and not (real[at] == line or (prefix and real[at].startswith(prefix))):
            at += 1
        assert at < len(real), f"README example line not in triage's output (in this order): {line!r}"
        at += 1
