"""The KB as a whole: every taxonomy id present, lint clean, strict validation."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from triage import KBError, load_kb
from triage.knowledge.lint import content_problems, lint_dirs

from .conftest import ROOT

SHARED_TAXONOMY = ROOT.parent / "shared" / "taxonomy.yaml"


def required_ids() -> set:
    lines = (ROOT / "tests" / "taxonomy_ids.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_taxonomy_id_has_an_entry(kb) -> None:
    missing = required_ids() - set(kb.ids)
    assert not missing, f"KB lacks taxonomy ids: {sorted(missing)}"


@pytest.mark.skipif(not SHARED_TAXONOMY.is_file(), reason="../shared not beside this checkout")
def test_local_id_list_matches_shared_taxonomy() -> None:
    shared = {e["id"] for e in yaml.safe_load(SHARED_TAXONOMY.read_text(encoding="utf-8"))}
    assert shared == required_ids()


def test_entries_live_in_area_folders_named_by_id(kb) -> None:
    for entry in kb.entries:
        path = Path(entry.path)
        assert path.stem == entry.id
        assert path.parent.parent.name in ("kb", "_kb"), f"{path}: expected kb/<area>/<id>.yaml"


def test_every_entry_has_examples_solutions_and_refs(kb) -> None:
    assert content_problems(kb) == []  # the gate `triage kb lint` applies, same thresholds


def test_lint_reports_every_broken_file_and_exits_1(tmp_path: Path) -> None:
    write_entry(tmp_path, GOOD.replace("severity: error", "severity: bad"))
    write_entry(tmp_path, GOOD.replace("my-entry", "thin-entry").replace("    refs: [https://example.org/wiki/scratch]\n",
                                                                         ""), name="thin-entry")
    write_entry(tmp_path, GOOD.replace("my-entry", "wrong-entry").replace("vol7 is not mounted\"", "vol7 gone\""),
                name="wrong-entry")
    report = lint_dirs([tmp_path])
    text = "\n".join(report.errors)
    assert "my-entry', field 'severity'" in text
    assert "thin-entry', field 'refs'" in text and "thin-entry', field 'examples'" in text
    assert "wrong-entry::match[0]: not diagnosed" in text
    r = subprocess.run([sys.executable, "-m", "triage", "kb", "lint", "--kb", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "my-entry', field 'severity'" in r.stderr and "wrong-entry::match[0]" in r.stderr


def write_entry(folder: Path, text: str, name: str = "my-entry") -> Path:
    area = folder / "team"
    area.mkdir(parents=True, exist_ok=True)
    path = area / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    id: my-entry
    title: Our cluster's scratch disk is not mounted
    summary: The job started on a node without /scratch.
    tags: [cluster]
    severity: error
    signatures:
      - regex: 'scratch volume (?P<vol>\\w+) is not mounted'
    solutions:
      - title: Resubmit on a node with /scratch
        why: Only some nodes mount it.
        steps: ["sbatch --constraint=scratch job.sh  # volume {vol}"]
    refs: [https://example.org/wiki/scratch]
    examples:
      match:
        - text: "FATAL: scratch volume vol7 is not mounted"
          vars: {vol: vol7}
      no_match:
        - "scratch volume vol7 mounted"
"""


def test_extra_kb_folder_is_merged(tmp_path: Path) -> None:
    write_entry(tmp_path, GOOD)
    kb = load_kb(tmp_path)
    assert "my-entry" in kb.ids and "cuda-out-of-memory" in kb.ids


def test_triage_kb_path_environment_variable(tmp_path: Path, monkeypatch) -> None:
    write_entry(tmp_path, GOOD)
    monkeypatch.setenv("TRIAGE_KB_PATH", str(tmp_path))
    assert "my-entry" in load_kb().ids


@pytest.mark.parametrize("mutation, field, words", [
    (lambda t: t + "colour: red\n", "colour", "unknown field"),
    (lambda t: t.replace("is not mounted'", "is not (mounted'"), "signatures[0].regex", "invalid regex"),
    (lambda t: t.replace("title: Our cluster's scratch disk is not mounted\n", ""), "title", "required"),
    (lambda t: t.replace("severity: error", "severity: bad"), "severity", "one of"),
    (lambda t: t.replace("  - regex:", "  - regx:"), "signatures[0].regx", "unknown field"),
])
def test_broken_entry_names_file_entry_and_field(tmp_path: Path, mutation, field, words) -> None:
    path = write_entry(tmp_path, mutation(textwrap.dedent(GOOD)))
    with pytest.raises(KBError) as info:
        load_kb(tmp_path)
    err = info.value
    assert err.path == str(path) and err.entry == "my-entry" and err.field == field
    assert words in str(err) and str(path) in str(err)


def test_clash_of_ids_is_an_error(tmp_path: Path) -> None:
    write_entry(tmp_path, GOOD.replace("my-entry", "cuda-out-of-memory"), name="cuda-out-of-memory")
    with pytest.raises(KBError, match="duplicate id"):
        load_kb(tmp_path)


def test_unparseable_yaml_names_the_file(tmp_path: Path) -> None:
    path = write_entry(tmp_path, "id: [unclosed\n")
    with pytest.raises(KBError, match="cannot be read as YAML") as info:
        load_kb(tmp_path)
    assert info.value.path == str(path)
