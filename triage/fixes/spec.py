"""The `fix:` field of a KB entry: what an automatic fix edits, and how safely.

Four kinds: `package` (a file inside an installed package), `project` (the user's own
training scripts), `command` (rewrite the failing command found in the log) and `shell`
(commands to run, e.g. `pip install pytest`, with {placeholders} filled from the log). Paths are
relative and may not climb out of their root; this is checked when the KB loads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Pattern, Tuple

from triage.errors import KBError
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


def _relative(value: Any) -> bool:
    """A path that stays under its root wherever it is joined: a patch must not write elsewhere."""
    if not isinstance(value, str) or not value.strip():
        return False
    parts = value.replace("\\", "/").split("/")
    return not (value.startswith(("/", "\\", "~")) or ":" in parts[0] or ".." in parts)


def parse_fix(raw: Mapping[str, Any], path: str, entry: str) -> FixSpec:
    def fail(field: str, problem: str) -> KBError:
        return KBError(path, entry, f"fix.{field}", problem)

    kind = raw.get("kind")
    if kind not in KINDS:
        raise fail("kind", f"must be one of {', '.join(KINDS)}")
    for key in raw:
        if key not in FIELDS[kind]:
            raise fail(str(key), f"unknown field for a {kind} fix; allowed: {', '.join(sorted(FIELDS[kind]))}")
    safety = raw.get("safety", "safe" if kind in ("package", "project") else "display")
    if safety not in SAFETIES:
        raise fail("safety", f"must be one of {', '.join(SAFETIES)}")
    for key in ("module", "file", "glob"):
        if raw.get(key) is not None and not _relative(raw[key]):
            raise fail(key, "must be a relative path without '..' (no leading '/', '~' or drive)")
    required = {"package": ("package", "module", "file", "old", "new"), "project": ("glob",),
                "command": ("find", "rewrite"), "shell": ("run",)}
    for key in required[kind]:
        if key not in raw:
            raise fail(key, "is required")
    if kind == "project" and ("old" in raw) == ("old_regex" in raw):
        raise fail("old", "give exactly one of old / old_regex")

    def compile_(key: str, value: Any) -> str:
        """Validate now (load time); compiled again, cached, where it is used."""
        try:
            compile_pattern(str(value))
        except Exception as exc:  # regex.error
            raise fail(key, f"invalid regex: {exc}") from None
        return str(value)

    rewrites = []
    for i, item in enumerate(raw.get("rewrite") or []):
        if not isinstance(item, dict) or set(item) != {"regex", "replace"}:
            raise fail(f"rewrite[{i}]", "must be a mapping with regex and replace")
        rewrites.append(Rewrite(compile_(f"rewrite[{i}].regex", item["regex"]), str(item["replace"])))
    examples = []
    for i, item in enumerate(raw.get("examples") or []):
        want = EXAMPLE_FIELDS[kind]
        if not isinstance(item, dict) or not set(item) <= want or not set(item) >= want - {"version"}:
            raise fail(f"examples[{i}]", f"must be a mapping with {', '.join(sorted(want))}")
        examples.append({k: str(v) for k, v in item.items()})
    count = raw.get("count", 1)
    if not isinstance(count, int) or count < 1:
        raise fail("count", "must be an integer >= 1")
    return FixSpec(
        kind=kind, safety=safety, description=str(raw.get("description") or ""),
        package=raw.get("package"), module=raw.get("module"), file=raw.get("file"),
        versions=raw.get("versions"), glob=raw.get("glob"), old=raw.get("old"),
        old_regex=compile_("old_regex", raw["old_regex"]) if "old_regex" in raw else None,
        new=str(raw.get("new") or ""), count=count,
        find=compile_("find", raw["find"]) if "find" in raw else None, rewrites=tuple(rewrites),
        unless=compile_("unless", raw["unless"]) if "unless" in raw else None,
        run=tuple(str(r) for r in raw.get("run") or ()), examples=tuple(examples),
    )
