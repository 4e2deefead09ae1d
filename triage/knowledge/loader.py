"""Load, validate and compile the knowledge base; the only module that knows the YAML shape."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from triage.errors import KBError
from triage.fixes.spec import parse_fix
from triage.engine.literals import derive_literals
from triage.model import (
    SEVERITIES,
    Condition,
    Entry,
    Example,
    Examples,
    KnowledgeBase,
    Signature,
    Solution,
    compile_pattern,
)

ENTRY_KEYS = {"id", "title", "summary", "tags", "severity", "priority", "causes", "signatures",
              "fuzzy", "solutions", "refs", "notes", "defaults", "examples", "fix"}
REQUIRED_KEYS = ("id", "title", "summary", "tags", "severity", "solutions", "examples")
SIGNATURE_KEYS = {"name", "regex", "keywords", "confidence", "span", "requires", "veto"}
CONDITION_KEYS = {"regex", "within"}
SOLUTION_KEYS = {"title", "why", "steps", "when"}
EXAMPLE_KEYS = {"match", "no_match", "todo_match"}
EXAMPLE_ITEM_KEYS = {"text", "vars"}
DEFAULT_CONFIDENCE = 0.8


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
    entries: List[Entry] = []
    seen: Dict[str, str] = {}
    for path in files:
        entry = load_entry(path)
        if entry.id in seen:
            raise KBError(str(path), entry.id, "id", f"duplicate id, already defined in {seen[entry.id]}")
        seen[entry.id] = str(path)
        entries.append(entry)
    return KnowledgeBase(tuple(sorted(entries, key=lambda e: e.id)))


def load_entry(path: Path) -> Entry:
    from triage.knowledge.yamlsafe import read_yaml  # bounds alias expansion: no "billion laughs"

    return parse_entry(read_yaml(path), str(path))


def parse_entry(data: Any, path: str) -> Entry:
    if not isinstance(data, dict):
        raise KBError(path, None, None, "must be a mapping with id, title, summary, ...")
    eid = data.get("id") if isinstance(data.get("id"), str) else None
    check = _Checker(path, eid)
    check.keys(data, ENTRY_KEYS, "")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.fail(key, "is required")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", eid or ""):
        check.fail("id", "must be kebab-case: lower-case letters, digits and '-'")
    if Path(path).stem != eid:
        check.fail("id", f"must equal the file name '{Path(path).stem}'")
    if data["severity"] not in SEVERITIES:
        check.fail("severity", f"must be one of {', '.join(SEVERITIES)}")
    signatures = tuple(_signature(check, s, i) for i, s in enumerate(check.list(data, "signatures")))
    fuzzy = tuple(check.strings(data, "fuzzy"))
    if not signatures and not fuzzy:
        check.fail("signatures", "an entry needs at least one signature or fuzzy message")
    return Entry(
        id=eid or "", title=check.text(data, "title"), summary=check.text(data, "summary"),
        tags=tuple(check.strings(data, "tags")), severity=data["severity"], path=path,
        signatures=signatures, fuzzy=fuzzy, priority=check.integer(data, "priority", 50),
        causes=tuple(check.strings(data, "causes")),
        solutions=tuple(_solution(check, s, i) for i, s in enumerate(check.list(data, "solutions"))),
        refs=tuple(check.strings(data, "refs")), notes=tuple(check.strings(data, "notes")),
        defaults={str(k): str(v) for k, v in check.mapping(data, "defaults").items()},
        examples=_examples(check, data.get("examples")),
        fix=parse_fix(check.mapping(data, "fix"), path, eid or "") if data.get("fix") is not None else None,
    )


def _signature(check: "_Checker", raw: Any, i: int) -> Signature:
    where = f"signatures[{i}]"
    check.keys(raw, SIGNATURE_KEYS, where)
    if "regex" not in raw:
        check.fail(f"{where}.regex", "is required")
    source = check.text(raw, "regex", where)
    check.compile(source, f"{where}.regex")
    keywords = [k.lower() for k in check.strings(raw, "keywords", where)]
    confidence = raw.get("confidence", DEFAULT_CONFIDENCE)
    if not isinstance(confidence, (int, float)) or not 0 < confidence <= 1:
        check.fail(f"{where}.confidence", "must be a number in (0, 1]")
    span = check.integer(raw, "span", 1, where)
    if not 1 <= span <= 20:
        check.fail(f"{where}.span", "must be between 1 and 20")
    return Signature(
        name=str(raw.get("name") or f"{check.entry}#{i}"), source=source,
        literals=tuple(keywords or derive_literals(source)), confidence=float(confidence), span=span,
        requires=_conditions(check, raw, "requires", where), veto=_conditions(check, raw, "veto", where),
    )


def _conditions(check: "_Checker", raw: Mapping[str, Any], key: str, where: str) -> Tuple[Condition, ...]:
    out = []
    for j, cond in enumerate(check.list(raw, key, where)):
        cw = f"{where}.{key}[{j}]"
        check.keys(cond, CONDITION_KEYS, cw)
        within = cond.get("within")
        if within is not None and (not isinstance(within, int) or within < 0):
            check.fail(f"{cw}.within", "must be a number of lines >= 0, or null for anywhere")
        source = check.text(cond, "regex", cw)
        literals = derive_literals(re.sub(r"\{\{\w+\}\}", ".", source))
        check.compile(source, f"{cw}.regex")
        out.append(Condition(source, within, tuple(literals)))
    return tuple(out)


def _solution(check: "_Checker", raw: Any, i: int) -> Solution:
    where = f"solutions[{i}]"
    check.keys(raw, SOLUTION_KEYS, where)
    when = raw.get("when")
    return Solution(title=check.text(raw, "title", where), why=check.text(raw, "why", where),
                    steps=tuple(check.strings(raw, "steps", where)),
                    when=str(when) if when is not None else None)


def _examples(check: "_Checker", raw: Any) -> Examples:
    if not isinstance(raw, dict):
        check.fail("examples", "must be a mapping with match / no_match lists")
    check.keys(raw, EXAMPLE_KEYS, "examples")

    def items(key: str) -> Tuple[Example, ...]:
        out = []
        for j, item in enumerate(check.list(raw, key, "examples")):
            if isinstance(item, str):
                out.append(Example(item))
                continue
            iw = f"examples.{key}[{j}]"
            check.keys(item, EXAMPLE_ITEM_KEYS, iw)
            out.append(Example(check.text(item, "text", iw),
                               {str(k): str(v) for k, v in check.mapping(item, "vars", iw).items()}))
        return tuple(out)

    return Examples(match=items("match"), no_match=items("no_match"), todo_match=items("todo_match"))


class _Checker:
    """Typed field access that raises KBError naming file, entry and field."""

    def __init__(self, path: str, entry: Optional[str]) -> None:
        self.path, self.entry = path, entry

    def fail(self, field: str, problem: str) -> None:
        raise KBError(self.path, self.entry, field, problem)

    def keys(self, raw: Any, allowed: set, where: str) -> None:
        if not isinstance(raw, dict):
            self.fail(where or "(top)", "must be a mapping")
        for key in raw:
            if key not in allowed:
                field = f"{where}.{key}" if where else str(key)
                self.fail(field, f"unknown field; allowed: {', '.join(sorted(allowed))}")

    def _field(self, where: str, key: str) -> str:
        return f"{where}.{key}" if where else key

    def text(self, raw: Mapping[str, Any], key: str, where: str = "") -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(self._field(where, key), "must be a non-empty string")
        return str(value)

    def list(self, raw: Mapping[str, Any], key: str, where: str = "") -> List[Any]:
        value = raw.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(self._field(where, key), "must be a list")
        return value

    def strings(self, raw: Mapping[str, Any], key: str, where: str = "") -> List[str]:
        values = self.list(raw, key, where)
        for j, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                self.fail(f"{self._field(where, key)}[{j}]", "must be a non-empty string")
        return values

    def mapping(self, raw: Mapping[str, Any], key: str, where: str = "") -> Dict[str, Any]:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            self.fail(self._field(where, key), "must be a mapping")
        return value

    def integer(self, raw: Mapping[str, Any], key: str, default: int, where: str = "") -> int:
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(self._field(where, key), "must be an integer")
        return int(value)

    def compile(self, source: str, field: str) -> Any:
        try:
            return compile_pattern(source)
        except Exception as exc:  # regex.error; its message says what is wrong and where
            self.fail(field, f"invalid regex: {exc}")
