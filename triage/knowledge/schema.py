"""The one schema checker for everything a KB file holds: entries, their fixes, fragments.

Typed field access that names file, entry and field on every problem. A checker collects the
problems of independent parts (each signature, solution, example list, the fix) so that
`triage kb lint` can report all of them; loading raises the first.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Pattern, Tuple, TypeVar, Union

from triage.errors import KBError
from triage.model import PLATFORMS, AppliesIf, compile_pattern

T = TypeVar("T")
D = TypeVar("D")

ENTRY_KEYS = {"id", "title", "summary", "tags", "severity", "priority", "causes", "signatures",
              "fuzzy", "solutions", "refs", "notes", "defaults", "examples", "fix", "lookup", "zh",
              "draft", "doctor"}
REQUIRED_KEYS = ("id", "title", "summary", "tags", "severity", "solutions", "examples")
SIGNATURE_KEYS = {"name", "regex", "keywords", "confidence", "span", "requires", "veto"}
CONDITION_KEYS = {"regex", "use", "within"}
SOLUTION_KEYS = {"title", "why", "steps", "when", "applies_if"}
APPLIES_KEYS = {"packages", "python", "platform", "conda", "container"}
DIST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")  # a distribution name (PEP 508)
LOOKUP_KEYS = {"table", "key", "unlisted"}
# the lookup tables a KB may hold, as kb/_tables/<name>.yaml: name -> (required column, optional columns).
# A table maps a key (an import name, a command) to a row; a row written as a bare string is its
# required column.
TABLES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "python-modules": ("package", ("install", "note")),  # import name -> distribution to install
    "console-scripts": ("package", ("install", "note")),  # command -> distribution that installs it
}
TABLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
EXAMPLE_KEYS = {"match", "no_match", "todo_match"}
EXAMPLE_ITEM_KEYS = {"text", "vars"}
ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# the `doctor:` block: how `triage doctor` checks an entry on a machine (knowledge/doctorspec.py)
DOCTOR_KEYS = {"facts", "rules", "unknown", "scenarios"}
DOCTOR_RULE_KEYS = {"verdict", "if", "reason"}
DOCTOR_SCENARIO_KEYS = {"verdict", "facts", "vars"}
DOCTOR_VERDICTS = ("confirmed", "ruled_out")  # what a rule may conclude; no rule holding is "unknown"
# a fact's name: torch_cuda, package:flash-attn, log:glibcxx (a capture of the diagnosis checked)
FACT_NAME = r"[A-Za-z][\w.+-]*(?::[A-Za-z0-9][\w.+-]*)?"
# one condition of a doctor rule: `{fact} OP value`, value a literal or another `{fact}`;
# ==, != compare versions when both sides are versions, else text; <, <=, >, >= need versions;
# has / lacks: whether the left fact's space-separated words include the value
DOCTOR_CONDITION = re.compile(rf"\{{(?P<left>{FACT_NAME})\}}\s+(?P<op>==|!=|<=|>=|<|>|has|lacks)\s+"
                              rf"(?:\{{(?P<right_fact>{FACT_NAME})\}}|(?P<right>[^\s{{}}]+))")
# how strong one hit of a signature is, by name; a number in (0, 1] is still accepted
STRENGTHS = {"certain": 0.95, "strong": 0.9, "likely": 0.85, "moderate": 0.8, "plausible": 0.7,
             "weak": 0.6, "hint": 0.5}
DEFAULT_CONFIDENCE = STRENGTHS["moderate"]
# one clause of a version range: >=2.0 / <2.1 / ==2.0.* (what fixes/sitepkgs.satisfies reads)
VERSION_CLAUSE = re.compile(r"(>=|<=|==|!=|>|<)\s*([\d.]+)(\.\*)?")


class Checker:
    """Checks one file's data; `fail` raises KBError naming the file, entry and field."""

    def __init__(self, path: str, entry: Optional[str]) -> None:
        self.path, self.entry = path, entry
        self.problems: List[KBError] = []

    def fail(self, field: str, problem: str) -> None:
        raise KBError(self.path, self.entry, field, problem)

    def part(self, parse: Callable[[], T], default: D) -> Union[T, D]:
        """Parse an independent part; a problem is recorded and the next part still checked."""
        try:
            return parse()
        except KBError as exc:
            self.problems.append(exc)
            return default

    def keys(self, raw: Any, allowed: set, where: str) -> None:
        if not isinstance(raw, dict):
            self.fail(where or "(top)", "must be a mapping")
        for key in raw:
            if key not in allowed:
                self.fail(join(where, str(key)), f"unknown field; allowed: {', '.join(sorted(allowed))}")

    def text(self, raw: Mapping[str, Any], key: str, where: str = "") -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(join(where, key), "must be a non-empty string")
        return str(value)

    def optional_text(self, raw: Mapping[str, Any], key: str, where: str = "") -> Optional[str]:
        return self.text(raw, key, where) if raw.get(key) is not None else None

    def list(self, raw: Mapping[str, Any], key: str, where: str = "") -> List[Any]:
        value = raw.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(join(where, key), "must be a list" + (" (write one item per line under it)"
                                                              if isinstance(value, str) else ""))
        return value

    def strings(self, raw: Mapping[str, Any], key: str, where: str = "") -> List[str]:
        values = self.list(raw, key, where)
        for j, v in enumerate(values):
            if not isinstance(v, str) or not v.strip():
                self.fail(f"{join(where, key)}[{j}]", "must be a non-empty string")
        return values

    def mapping(self, raw: Mapping[str, Any], key: str, where: str = "") -> Dict[str, Any]:
        value = raw.get(key) or {}
        if not isinstance(value, dict):
            self.fail(join(where, key), "must be a mapping")
        return value

    def flag(self, raw: Mapping[str, Any], key: str, where: str = "") -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.fail(join(where, key), "must be true or false")
        return bool(value)

    def integer(self, raw: Mapping[str, Any], key: str, default: int, where: str = "") -> int:
        value = raw.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(join(where, key), "must be an integer")
        return int(value)

    def strength(self, raw: Mapping[str, Any], key: str, where: str) -> float:
        value = raw.get(key, DEFAULT_CONFIDENCE)
        if isinstance(value, str) and value in STRENGTHS:
            return STRENGTHS[value]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            self.fail(join(where, key), f"must be one of {', '.join(STRENGTHS)} or a number in (0, 1]")
        return float(value)

    def regex(self, source: str, field: str) -> Pattern[str]:
        try:
            return compile_pattern(source)
        except Exception as exc:  # regex.error; its message says what is wrong and where
            self.fail(field, f"invalid regex: {exc}")
            raise  # unreachable: fail raises

    def relative_path(self, raw: Mapping[str, Any], key: str, where: str = "") -> Optional[str]:
        value = raw.get(key)
        if value is None:
            return None
        if (not isinstance(value, str) or not value.strip() or value.startswith(("/", "\\", "~"))
                or re.match(r"^[A-Za-z]:", value) or ".." in value.replace("\\", "/").split("/")):
            self.fail(join(where, key), "must be a relative path without '..' (it may not leave its root)")
        return str(value)

    def table_row(self, name: str, key: Any, raw: Any) -> Dict[str, str]:
        """One row of table `name`: its key and cells checked against the table's columns."""
        required, optional = TABLES[name]
        if not isinstance(key, str) or not TABLE_KEY.fullmatch(key):
            self.fail(str(key), "a table key must be a name such as cv2 or google.protobuf (quote yes/no/on/off/numbers)")
        if isinstance(raw, str):
            raw = {required: raw}
        self.keys(raw, {required, *optional}, key)
        if required not in raw:
            self.fail(join(key, required), "is required")
        return {str(column): self.text(raw, column, key) for column in raw}

    def version_range(self, raw: Mapping[str, Any], key: str, where: str = "") -> Optional[str]:
        value = raw.get(key)
        if value is None:
            return None
        clauses = [c.strip() for c in str(value).split(",")]
        if not isinstance(value, str) or not all(VERSION_CLAUSE.fullmatch(c) for c in clauses):
            self.fail(join(where, key), "must be a version range such as '>=2.0,<2.1' or '==2.0.*'")
        return str(value)


    def applies_if(self, raw: Mapping[str, Any], key: str, where: str) -> Optional[AppliesIf]:
        """`applies_if: {packages: {bitsandbytes: "<0.43"}, python: ">=3.12", platform: linux,
        conda: true, container: false}`: every key optional, at least one given."""
        value = raw.get(key)
        if value is None:
            return None
        at = join(where, key)
        self.keys(value, APPLIES_KEYS, at)
        if not value:
            self.fail(at, f"give at least one of {', '.join(sorted(APPLIES_KEYS))}")
        packages = self.mapping(value, "packages", at)
        for name in packages:
            if not isinstance(name, str) or not DIST_NAME.fullmatch(name):
                self.fail(join(at, "packages"), f"{name!r} is not a distribution name such as bitsandbytes")
            self.version_range(packages, name, join(at, "packages"))
        platform = value.get("platform", [])
        platforms = [platform] if isinstance(platform, str) else platform
        if not isinstance(platforms, list) or not all(p in PLATFORMS for p in platforms):
            self.fail(join(at, "platform"), f"must be one of {', '.join(PLATFORMS)}, or a list of them")
        flags = {name: value.get(name) for name in ("conda", "container")}
        for name, flag in flags.items():
            if flag is not None and not isinstance(flag, bool):
                self.fail(join(at, name), "must be true or false")
        return AppliesIf(packages={str(k).lower(): str(v) for k, v in packages.items()},
                         python=self.version_range(value, "python", at), platform=tuple(platforms),
                         conda=flags["conda"], container=flags["container"])


def join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
