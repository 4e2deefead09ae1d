"""Lookup tables (kb/_tables/<name>.yaml): loaded as tables, not entries; checked; filled into solutions."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from triage import KBError, diagnose, load_kb
from triage.engine.rank import values_of
from triage.knowledge.loader import entry_files, parse_all
from triage.model import Lookup

ENTRY = """\
    id: mod-entry
    title: A module is missing
    summary: "'{module}' is not installed."
    tags: [python]
    severity: error
    lookup: {table: python-modules, key: module}
    defaults: {package: "{top}", install: "python -m pip install {package}", note: ""}
    signatures:
      - regex: 'Nope: no module called (?P<module>(?P<top>\\w+)(?:\\.\\w+)*)$'
    solutions:
      - title: Install {package}
        why: It provides {module}.
        steps: ["{install}", "{note}"]
    examples:
      match:
        - text: "Nope: no module called zzcv"
          vars: {module: zzcv, top: zzcv}
      no_match:
        - "no module called zzcv"
"""

TABLE = """\
    zzcv:
      package: zz-opencv
      note: "use zz-opencv-headless on servers"
    zzyaml: ZZYaml
    zz.proto:
      package: zzproto
      install: "pip install --pre zzproto"
"""


def write(folder: Path, entry: str = ENTRY, table: str = TABLE, table_name: str = "python-modules") -> Path:
    (folder / "team").mkdir(parents=True, exist_ok=True)
    (folder / "_tables").mkdir(exist_ok=True)
    (folder / "team" / "mod-entry.yaml").write_text(textwrap.dedent(entry), encoding="utf-8")
    (folder / "_tables" / f"{table_name}.yaml").write_text(textwrap.dedent(table), encoding="utf-8")
    return folder / "team" / "mod-entry.yaml"


def test_table_files_are_tables_not_entries(tmp_path: Path) -> None:
    write(tmp_path)
    entries, problems = parse_all(entry_files([tmp_path]))
    assert problems == []
    assert [e.id for e in entries] == ["mod-entry"]
    lookup = entries[0].lookup
    assert lookup is not None and (lookup.table, lookup.key) == ("python-modules", "module")
    assert lookup.rows["zzyaml"] == {"package": "ZZYaml"}  # a bare string is the package column


def test_bundled_table_merges_with_an_extra_folder(tmp_path: Path) -> None:
    write(tmp_path)
    kb = load_kb(tmp_path)
    entry = kb.get("mod-entry")
    assert entry is not None and entry.lookup is not None
    assert entry.lookup.row("zzcv") is not None and entry.lookup.row("cv2") is not None  # bundled rows too


@pytest.mark.parametrize("table, table_name, field, words", [
    (TABLE, "no-such-table", "(table)", "unknown table 'no-such-table'"),
    ("zzcv: {pkg: x}\n", "python-modules", "zzcv.pkg", "unknown field"),
    ("zzcv: {note: x}\n", "python-modules", "zzcv.package", "is required"),
    ("zzcv: {package: ''}\n", "python-modules", "zzcv.package", "non-empty string"),
    ("yes: x\n", "python-modules", "True", "table key"),
    ("- zzcv\n", "python-modules", "(top)", "map each key to a row"),
])
def test_a_broken_table_is_refused(tmp_path: Path, table: str, table_name: str, field: str, words: str) -> None:
    write(tmp_path, table=table, table_name=table_name)
    with pytest.raises(KBError) as info:
        load_kb(tmp_path)
    assert info.value.path.endswith(f"{table_name}.yaml") and info.value.field == field
    assert words in str(info.value)


def test_a_key_defined_twice_across_folders_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a")
    (tmp_path / "b" / "_tables").mkdir(parents=True)
    (tmp_path / "b" / "_tables" / "python-modules.yaml").write_text("zzcv: other\n", encoding="utf-8")
    _, problems = parse_all(entry_files([tmp_path / "a", tmp_path / "b"]))
    assert [(p.field, p.problem) for p in problems] == [("zzcv", "defined twice in table 'python-modules'")]


@pytest.mark.parametrize("change, field, words", [
    (("table: python-modules", "table: pypi-names"), "lookup.table", "unknown table 'pypi-names'"),
    (("key: module", "key: modname"), "lookup.key", "no signature captures 'modname'"),
    (("lookup: {table: python-modules, key: module}", "lookup: {table: python-modules, column: module}"),
     "lookup.column", "unknown field"),
    ((', note: ""', ""), "defaults", "give a default for note"),
    (("key: module}", "key: module, unlisted: never}"), "lookup.unlisted", "must be one of defaults, skip"),
])
def test_a_broken_lookup_is_refused_naming_file_entry_and_field(tmp_path: Path, change, field: str,
                                                                words: str) -> None:
    path = write(tmp_path, entry=ENTRY.replace(*change))
    with pytest.raises(KBError) as info:
        load_kb(tmp_path)
    assert (info.value.path, info.value.entry, info.value.field) == (str(path), "mod-entry", field)
    assert words in str(info.value)


def test_solutions_are_filled_from_the_row(tmp_path: Path) -> None:
    write(tmp_path)
    kb = load_kb(tmp_path)
    [found] = [d for d in diagnose("Nope: no module called zzcv\n", kb) if d.id == "mod-entry"]
    solution = found.solutions[0]
    assert solution.title == "Install zz-opencv"
    assert solution.steps == ("python -m pip install zz-opencv", "use zz-opencv-headless on servers")
    assert found.variables == {"module": "zzcv", "top": "zzcv"}  # captures only; table cells are not evidence


def test_dotted_names_fall_back_to_shorter_prefixes_then_defaults(tmp_path: Path) -> None:
    write(tmp_path)
    entry = load_kb(tmp_path).get("mod-entry")
    assert entry is not None
    filled = values_of(entry, {"module": "zz.proto.internal", "top": "zz"})
    assert (filled["package"], filled["install"]) == ("zzproto", "pip install --pre zzproto")
    unknown = values_of(entry, {"module": "qqq.sub", "top": "qqq"})
    assert (unknown["package"], unknown["install"], unknown["note"]) == ("qqq", "python -m pip install qqq", "")
    [found] = [d for d in diagnose("Nope: no module called qqq\n", load_kb(tmp_path)) if d.id == "mod-entry"]
    assert found.solutions[0].steps == ("python -m pip install qqq",)  # an empty step is left out


def test_unlisted_skip_counts_only_keys_the_table_lists(tmp_path: Path) -> None:
    write(tmp_path, entry=ENTRY.replace("key: module}", "key: module, unlisted: skip}"))
    kb = load_kb(tmp_path)
    assert "mod-entry" in [d.id for d in diagnose("Nope: no module called zzcv\n", kb)]
    assert "mod-entry" in [d.id for d in diagnose("Nope: no module called zz.proto.sub\n", kb)]
    assert "mod-entry" not in [d.id for d in diagnose("Nope: no module called mylocalthing\n", kb)]


def test_captures_are_never_filled_and_win_over_the_table() -> None:
    from triage.model import Entry

    entry = Entry(id="e", title="t", summary="s", tags=(), severity="error", path="e.yaml",
                  defaults={"package": "{module}"}, lookup=Lookup("python-modules", "module", {"m": {"package": "p"}}))
    assert values_of(entry, {"module": "{x}"})["package"] == "{x}"
    assert values_of(entry, {"module": "m", "package": "captured"})["package"] == "captured"


def test_bundled_table_knows_the_common_traps() -> None:
    entry = load_kb().get("python-module-missing")
    assert entry is not None and entry.lookup is not None
    row = entry.lookup.row
    assert row("cv2")["package"] == "opencv-python" and "headless" in row("cv2")["note"]
    assert row("sklearn")["package"] == "scikit-learn"
    assert row("google.protobuf.internal")["package"] == "protobuf"
    assert "--no-build-isolation" in row("flash_attn")["install"]
    assert "NVIDIA/apex" in row("apex")["install"]
    assert row("google") is None
    assert 60 <= len(entry.lookup.rows) <= 120


def test_bundled_console_scripts_table_fills_the_path_entry() -> None:
    kb = load_kb()
    [found] = [d for d in diagnose("bash: huggingface-cli: command not found\n", kb)
               if d.id == "console-script-not-on-path"]
    assert found.solutions[0].title.startswith("Install huggingface-hub")
    assert "hf" in found.solutions[0].why
    assert "console-script-not-on-path" not in [d.id for d in diagnose("bash: mytool: command not found\n", kb)]
