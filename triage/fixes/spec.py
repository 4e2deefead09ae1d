"""The `fix:` field of a KB entry: what an automatic fix edits, and how safely.

Four kinds: `package` (a file inside an installed package), `project` (the user's own
training scripts), `command` (rewrite the failing command found in the log) and `shell`
(commands to run, e.g. `pip install pytest`, with {placeholders} filled from the log). Paths are
relative and may not climb out of their root; this is checked when the KB loads, by the
same checker as the rest of an entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional, Pattern, Tuple

from triage.knowledge.schema import Checker
from triage.model import compile_pattern

KINDS = ("package", "project", "command", "shell")
SAFETIES = ("safe", "unsafe", "display")
FIELDS = {
    "package": {"kind", "safety", "description", "package", "module", "file", "versions", "old", "new", "count",
                "examples"},
    "project": {"kind", "safety", "description", "glob", "old", "old_regex", "new", "count", "run", "examples"},
    "command": {"kind", "safety", "description", "find", "rewrite", "unless", "run", "examples"},
    "shell": {"kind", "safety", "description", "run"},
}
REQUIRED = {"package": ("package", "module", "file", "old", "new"), "project": ("glob",),
            "command": ("find", "rewrite"), "shell": ("run",)}
# each kind's examples (tests generated from them): file fixes give before/after text,
# command fixes give a log and the corrected command
EXAMPLE_FIELDS = {"package": {"before", "after", "version"}, "project": {"before", "after"},
                  "command": {"log", "command"}, "shell": set()}


@dataclass(frozen=True)
class Rewrite:
    source: str
    replace: str

    @property
    def pattern(self) -> Pattern[str]:
        return compile_pattern(self.source)


@dataclass(frozen=True)
class FixSpec:
    kind: str
    safety: str
    description: str
    package: Optional[str] = None  # distribution name, for its version
    module: Optional[str] = None  # import folder under site-packages
    file: Optional[str] = None  # relative to the module folder
    versions: Optional[str] = None  # e.g. ">=2.0,<2.1": the releases the patch is known for
    glob: Optional[str] = None  # project files to look in
    old: Optional[str] = None  # exact text replaced
    old_regex: Optional[str] = None  # or a pattern, for user code that varies in layout
    new: str = ""
    count: int = 1  # how many times the old text must occur
    find: Optional[str] = None  # a pattern for the failing command in the log (group `cmd`)
    rewrites: Tuple[Rewrite, ...] = ()
    unless: Optional[str] = None  # the command is already fixed if this pattern matches
    run: Tuple[str, ...] = ()  # shell commands printed, run only with --run
    examples: Tuple[Mapping[str, str], ...] = ()


def parse_fix(check: Checker, raw: Any) -> FixSpec:
    """The `fix:` field, checked by the same checker as the entry, one function per kind."""
    if not isinstance(raw, dict):
        check.fail("fix", "must be a mapping with kind, and the fields of that kind")
    kind = raw.get("kind")
    if kind not in KINDS:
        check.fail("fix.kind", f"must be one of {', '.join(KINDS)}")
    check.keys(raw, FIELDS[kind], "fix")
    safety = raw.get("safety", "safe" if kind in ("package", "project") else "display")
    if safety not in SAFETIES:
        check.fail("fix.safety", f"must be one of {', '.join(SAFETIES)}")
    for key in REQUIRED[kind]:
        if key not in raw:
            check.fail(f"fix.{key}", "is required")
    common = {"kind": kind, "safety": safety, "description": check.optional_text(raw, "description", "fix") or "",
              "run": tuple(check.strings(raw, "run", "fix")), "examples": _examples(check, raw, kind)}
    return FixSpec(**common, **_BY_KIND[kind](check, raw))


def _package(check: Checker, raw: Mapping[str, Any]) -> Dict[str, Any]:
    return {"package": check.text(raw, "package", "fix"), "module": check.relative_path(raw, "module", "fix"),
            "file": check.relative_path(raw, "file", "fix"), "versions": check.version_range(raw, "versions", "fix"),
            **_edit(check, raw)}


def _project(check: Checker, raw: Mapping[str, Any]) -> Dict[str, Any]:
    if ("old" in raw) == ("old_regex" in raw):
        check.fail("fix.old", "give exactly one of old / old_regex")
    return {"glob": check.relative_path(raw, "glob", "fix"), **_edit(check, raw)}


def _edit(check: Checker, raw: Mapping[str, Any]) -> Dict[str, Any]:
    count = check.integer(raw, "count", 1, "fix")
    if count < 1:
        check.fail("fix.count", "must be an integer >= 1")
    old_regex = _pattern(check, raw, "old_regex")
    new = raw.get("new", "")
    if not isinstance(new, str):
        check.fail("fix.new", "must be a string")
    return {"old": check.optional_text(raw, "old", "fix"), "old_regex": old_regex, "new": new, "count": count}


def _command(check: Checker, raw: Mapping[str, Any]) -> Dict[str, Any]:
    rewrites = []
    for i, item in enumerate(check.list(raw, "rewrite", "fix")):
        where = f"fix.rewrite[{i}]"
        if not isinstance(item, dict) or set(item) != {"regex", "replace"}:
            check.fail(where, "must be a mapping with regex and replace")
        if not isinstance(item["replace"], str):
            check.fail(f"{where}.replace", "must be a string (may be empty: the match is deleted)")
        rewrites.append(Rewrite(_pattern(check, item, "regex", where) or "", item["replace"]))
    return {"find": _pattern(check, raw, "find"), "rewrites": tuple(rewrites), "unless": _pattern(check, raw, "unless")}


def _shell(check: Checker, raw: Mapping[str, Any]) -> Dict[str, Any]:
    if not check.strings(raw, "run", "fix"):
        check.fail("fix.run", "must list at least one command")
    return {}


def _pattern(check: Checker, raw: Mapping[str, Any], key: str, where: str = "fix") -> Optional[str]:
    """Validated now (load time); compiled again, cached, where it is used."""
    source = check.optional_text(raw, key, where)
    if source is not None:
        check.regex(source, f"{where}.{key}")
    return source


def _examples(check: Checker, raw: Mapping[str, Any], kind: str) -> Tuple[Mapping[str, str], ...]:
    want = EXAMPLE_FIELDS[kind]
    out = []
    for i, item in enumerate(check.list(raw, "examples", "fix")):
        if not isinstance(item, dict) or not set(item) <= want or not set(item) >= want - {"version"}:
            check.fail(f"fix.examples[{i}]", f"must be a mapping with {', '.join(sorted(want))}")
        out.append({k: str(v) for k, v in item.items()})
    return tuple(out)


_BY_KIND: Dict[str, Callable[[Checker, Mapping[str, Any]], Dict[str, Any]]] = {
    "package": _package, "project": _project, "command": _command, "shell": _shell}
