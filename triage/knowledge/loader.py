"""Find, read and load the knowledge base: folders, YAML files, named fragments, the cache."""
from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple

from triage.errors import KBError, KBErrors
from triage.knowledge import yamlsafe
from triage.knowledge.entry import parse_entry
from triage.knowledge.schema import ID, TABLES, Checker
from triage.model import Entry, KnowledgeBase

FRAGMENTS_FILE = "_fragments.yaml"
TABLES_DIR = "_tables"  # kb/_tables/<name>.yaml are lookup tables, not entries
Tables = Dict[str, Dict[str, Dict[str, str]]]


def bundled_kb_dir() -> Path:
    """The KB shipped in the wheel (triage/_kb), or the source tree's kb/ in a checkout."""
    packaged = Path(__file__).resolve().parent.parent / "_kb"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "kb"


def kb_dirs(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> List[Path]:
    dirs = [bundled_kb_dir()]
    env = os.environ.get("TRIAGE_KB_PATH", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra_dirs]
    return dirs


def entry_files(dirs: Iterable[Path]) -> List[Path]:
    files: List[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise KBError(str(d), None, None, "is not a folder of KB entries")
        files += sorted(p for p in d.rglob("*.yaml") if p.is_file())
    return files


def load_kb(*extra_dirs: str | os.PathLike[str]) -> KnowledgeBase:
    """Load the bundled KB plus TRIAGE_KB_PATH and `extra_dirs`; ids must be unique."""
    from triage.knowledge.cache import cache_key, load_cached, store

    files = entry_files(kb_dirs(extra_dirs))
    key = cache_key(files)  # taken before parsing: a file edited meanwhile gets a new key next time
    cached = load_cached(key)
    if cached is not None:
        return cached
    kb = parse_files(files)
    store(key, kb)
    return kb


def parse_files(files: List[Path]) -> KnowledgeBase:
    """Every entry of `files`; KBErrors (all problems of all files) when any is broken."""
    entries, problems = parse_all(files)
    if problems:
        raise KBErrors(problems)
    return KnowledgeBase(tuple(sorted(entries, key=lambda e: e.id)))


def parse_all(files: List[Path]) -> Tuple[List[Entry], List[KBError]]:
    """The entries that load, and every problem: per file, then across files (ids, causes)."""
    entries: List[Entry] = []
    problems: List[KBError] = []
    try:
        fragments = load_fragments(files)
        tables = load_tables(files)
    except KBErrors as exc:
        return [], exc.problems
    for path in filter(is_entry, files):
        try:
            entries.append(load_entry(path, fragments, tables))
        except KBErrors as exc:
            problems += exc.problems
    return entries, problems + cross_file_problems(entries)


def cross_file_problems(entries: List[Entry]) -> List[KBError]:
    problems: List[KBError] = []
    seen: Dict[str, str] = {}
    for entry in entries:
        if entry.id in seen:
            problems.append(KBError(entry.path, entry.id, "id", f"duplicate id, already defined in {seen[entry.id]}"))
        seen.setdefault(entry.id, entry.path)
    for entry in entries:
        for target in entry.causes:
            if target not in seen:
                problems.append(KBError(entry.path, entry.id, "causes", f"unknown id '{target}'"))
    return problems


def is_fragments(path: Path) -> bool:
    return path.name == FRAGMENTS_FILE


def is_table(path: Path) -> bool:
    return path.parent.name == TABLES_DIR


def is_entry(path: Path) -> bool:
    return not is_fragments(path) and not is_table(path)


def load_tables(files: List[Path]) -> Tables:
    """The lookup tables (kb/_tables/<name>.yaml) that entries' `lookup` reads; a table may be
    split over several KB folders, but a key is defined once."""
    return _load_each(filter(is_table, files), _table)


def _load_each(paths: Iterable[Path], load_one: Callable[[Checker, Any, Path], None]) -> Any:
    """Fragments and tables alike: each file fills one shared mapping through its own checker;
    every problem of every file is collected, then raised together."""
    out: Dict[str, Any] = {}
    problems: List[KBError] = []
    for path in paths:
        check = Checker(str(path), None)
        check.part(partial(load_one, check, out, path), None)
        problems += check.problems
    if problems:
        raise KBErrors(problems)
    return out


def _table(check: Checker, out: Tables, path: Path) -> None:
    name = path.stem
    if name not in TABLES:
        check.fail("(table)", f"unknown table '{name}'; known: {', '.join(sorted(TABLES))}")
    data = read_yaml(path)
    if not isinstance(data, dict) or not data:
        check.fail("(top)", "a table must map each key to a row")
    rows = out.setdefault(name, {})
    for key, raw in data.items():
        row = check.part(partial(check.table_row, name, key, raw), None)
        if row is None:
            continue
        if key in rows:
            check.part(partial(check.fail, str(key), f"defined twice in table '{name}'"), None)
        rows[key] = row


def load_fragments(files: List[Path]) -> Dict[str, str]:
    """Named regex fragments (`_fragments.yaml` beside the entries) that conditions `use:`."""
    return _load_each(filter(is_fragments, files), _fragments_file)


def _fragments_file(check: Checker, out: Dict[str, str], path: Path) -> None:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise KBError(str(path), None, None, "must map fragment names to regexes")
    for name, source in data.items():
        check.part(partial(_fragment, check, out, str(name), source), None)


def _fragment(check: Checker, out: Dict[str, str], name: str, source: Any) -> None:
    if not ID.fullmatch(name):
        check.fail(name, "a fragment name must be kebab-case")
    if name in out:
        check.fail(name, "fragment defined twice")
    if not isinstance(source, str) or not source.strip():
        check.fail(name, "must be a regex string")
    check.regex(source, name)
    out[name] = source


def load_entry(path: Path, fragments: Optional[Mapping[str, str]] = None,
               tables: Optional[Tables] = None) -> Entry:
    return parse_entry(read_yaml(path), str(path), fragments or {}, tables or {})


def read_yaml(path: Path) -> Any:
    """A KB file's data (alias expansion bounded, see yamlsafe); problems as KBErrors."""
    try:
        return yamlsafe.read_yaml(path)
    except KBError as exc:
        raise KBErrors([exc]) from None
