"""One KB file's data -> an Entry; the only module that knows an entry's YAML shape."""
from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, TypeVar

from triage.engine.literals import derive_literals
from triage.errors import KBError, KBErrors
from triage.fixes.spec import parse_fix
from triage.knowledge.doctorspec import parse_doctor
from triage.knowledge.schema import (
    CONDITION_KEYS,
    ENTRY_KEYS,
    EXAMPLE_ITEM_KEYS,
    EXAMPLE_KEYS,
    ID,
    LOOKUP_KEYS,
    REQUIRED_KEYS,
    SIGNATURE_KEYS,
    SOLUTION_KEYS,
    TABLES,
    Checker,
)
from triage.knowledge.translation import parse_translation
from triage.model import (
    LOOKUP_UNLISTED,
    SEVERITIES,
    Condition,
    Entry,
    Example,
    Examples,
    Lookup,
    Signature,
    Solution,
    compile_pattern,
)

Fragments = Mapping[str, str]
Tables = Mapping[str, Mapping[str, Mapping[str, str]]]
T = TypeVar("T")


def parse_entry(data: Any, path: str, fragments: Fragments, tables: Optional[Tables] = None) -> Entry:
    """The entry, or KBErrors listing every problem found in its independent parts."""
    if not isinstance(data, dict):
        raise KBErrors([KBError(path, None, None, "must be a mapping with id, title, summary, ...")])
    eid = data.get("id") if isinstance(data.get("id"), str) else None
    check = Checker(path, eid)
    check.part(lambda: _top(check, data, path), None)
    signatures: Tuple[Signature, ...] = _each(check, data, "signatures", partial(_signature, check, fragments=fragments))
    fuzzy = tuple(check.part(lambda: check.strings(data, "fuzzy"), []))
    if not signatures and not fuzzy and not check.problems:
        check.part(lambda: check.fail("signatures", "an entry needs at least one signature or fuzzy message"), None)
    solutions: Tuple[Solution, ...] = _each(check, data, "solutions", partial(_solution, check))
    examples = check.part(lambda: _examples(check, data.get("examples")), Examples())
    fix = check.part(lambda: parse_fix(check, data["fix"]), None) if data.get("fix") is not None else None
    rest = check.part(lambda: _plain_fields(check, data), None)
    lookup = check.part(lambda: _lookup(check, data, tables or {}, signatures), None)
    zh = check.part(lambda: parse_translation(check, data.get("zh"), data, solutions), None)
    doctor = check.part(lambda: parse_doctor(check, data["doctor"]), None) if data.get("doctor") is not None else None
    if check.problems or rest is None:
        raise KBErrors(check.problems)
    return Entry(id=eid or "", path=path, signatures=signatures, fuzzy=fuzzy, solutions=solutions,
                 examples=examples, fix=fix, lookup=lookup, zh=zh, doctor=doctor, **rest)


def _each(check: Checker, data: Mapping[str, Any], key: str, parse: Callable[[Any, int], T]) -> Tuple[T, ...]:
    """Each item of a list field parsed on its own, so a problem in one does not hide the next."""
    out: List[T] = []
    for i, raw in enumerate(check.part(lambda: check.list(data, key), [])):
        value = check.part(partial(parse, raw, i), None)
        if value is not None:
            out.append(value)
    return tuple(out)


def _top(check: Checker, data: Mapping[str, Any], path: str) -> None:
    check.keys(data, ENTRY_KEYS, "")
    for key in REQUIRED_KEYS:
        if key not in data:
            check.fail(key, "is required")
    if not ID.fullmatch(check.entry or ""):
        check.fail("id", "must be kebab-case: lower-case letters, digits and '-'")
    if Path(path).stem != check.entry:
        check.fail("id", f"must equal the file name '{Path(path).stem}'")
    if data["severity"] not in SEVERITIES:
        check.fail("severity", f"must be one of {', '.join(SEVERITIES)}")


def _plain_fields(check: Checker, data: Mapping[str, Any]) -> dict:
    return {"title": check.text(data, "title"), "summary": check.text(data, "summary"),
            "tags": tuple(check.strings(data, "tags")), "severity": str(data.get("severity")),
            "priority": check.integer(data, "priority", 50), "causes": tuple(check.strings(data, "causes")),
            "refs": tuple(check.strings(data, "refs")), "notes": tuple(check.strings(data, "notes")),
            "defaults": {str(k): str(v) for k, v in check.mapping(data, "defaults").items()},
            "draft": check.flag(data, "draft")}


def _lookup(check: Checker, data: Mapping[str, Any], tables: Tables,
            signatures: Tuple[Signature, ...]) -> Optional[Lookup]:
    """`lookup: {table: python-modules, key: module, unlisted: skip}`: the table must be loaded, a
    signature must capture `key`, and `defaults` must cover every column a row may lack."""
    raw = data.get("lookup")
    if raw is None:
        return None
    check.keys(raw, LOOKUP_KEYS, "lookup")
    table, key = check.text(raw, "table", "lookup"), check.text(raw, "key", "lookup")
    if table not in tables or table not in TABLES:
        check.fail("lookup.table", f"unknown table '{table}'; known: {', '.join(sorted(tables)) or 'none'} "
                                   "(files kb/_tables/<name>.yaml)")
    if not any(key in compile_pattern(s.source).groupindex for s in signatures):
        check.fail("lookup.key", f"no signature captures '{key}' (write a (?P<{key}>...) group)")
    unlisted = raw.get("unlisted", "defaults")
    if unlisted not in LOOKUP_UNLISTED:
        check.fail("lookup.unlisted", f"must be one of {', '.join(LOOKUP_UNLISTED)} (what a key the table lacks does)")
    required, optional = TABLES[table]
    raw_defaults = data.get("defaults")
    defaults: Dict[str, Any] = raw_defaults if isinstance(raw_defaults, dict) else {}
    missing = [c for c in (required, *optional) if c not in defaults]
    if missing:
        check.fail("defaults", f"table '{table}' fills {', '.join((required, *optional))}: give a default for "
                               f"{', '.join(missing)} (used when the {key} is not in the table)")
    return Lookup(table=table, key=key, rows=tables[table], unlisted=str(unlisted))


def _signature(check: Checker, raw: Any, i: int, fragments: Fragments) -> Signature:
    where = f"signatures[{i}]"
    check.keys(raw, SIGNATURE_KEYS, where)
    if "regex" not in raw:
        check.fail(f"{where}.regex", "is required")
    source = check.text(raw, "regex", where)
    check.regex(source, f"{where}.regex")
    keywords = [k.lower() for k in check.strings(raw, "keywords", where)]
    span = check.integer(raw, "span", 1, where)
    if not 1 <= span <= 20:
        check.fail(f"{where}.span", "must be between 1 and 20")
    return Signature(
        name=str(raw.get("name") or f"{check.entry}#{i}"), source=source,
        literals=tuple(keywords or derive_literals(source)), confidence=check.strength(raw, "confidence", where),
        span=span, requires=_conditions(check, raw, "requires", where, fragments),
        veto=_conditions(check, raw, "veto", where, fragments),
    )


def _conditions(check: Checker, raw: Mapping[str, Any], key: str, where: str,
                fragments: Fragments) -> Tuple[Condition, ...]:
    out = []
    for j, cond in enumerate(check.list(raw, key, where)):
        cw = f"{where}.{key}[{j}]"
        check.keys(cond, CONDITION_KEYS, cw)
        if "within" not in cond:
            check.fail(f"{cw}.within", "is required: a number of lines, or null for anywhere in the log")
        within = cond["within"]
        if within is not None and (not isinstance(within, int) or isinstance(within, bool) or within < 0):
            check.fail(f"{cw}.within", "must be a number of lines >= 0, or null for anywhere")
        source = _condition_source(check, cond, cw, fragments)
        literals = derive_literals(re.sub(r"\{\{\w+\}\}", ".", source))
        check.regex(source, f"{cw}.regex")
        out.append(Condition(source, within, tuple(literals)))
    return tuple(out)


def _condition_source(check: Checker, cond: Mapping[str, Any], cw: str, fragments: Fragments) -> str:
    if ("regex" in cond) == ("use" in cond):
        check.fail(cw, "give exactly one of regex / use (a named fragment from kb/_fragments.yaml)")
    if "regex" in cond:
        return check.text(cond, "regex", cw)
    name = check.text(cond, "use", cw)
    if name not in fragments:
        check.fail(f"{cw}.use", f"unknown fragment '{name}'; known: {', '.join(sorted(fragments)) or 'none'}")
    return fragments[name]


def _solution(check: Checker, raw: Any, i: int) -> Solution:
    where = f"solutions[{i}]"
    check.keys(raw, SOLUTION_KEYS, where)
    return Solution(title=check.text(raw, "title", where), why=check.text(raw, "why", where),
                    steps=tuple(check.strings(raw, "steps", where)), when=_when(raw.get("when")),
                    applies_if=check.applies_if(raw, "applies_if", where), position=i)


def _when(value: Optional[Any]) -> Optional[str]:
    return str(value) if value is not None else None


def _examples(check: Checker, raw: Any) -> Examples:
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
