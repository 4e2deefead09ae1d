"""The redaction rule table (rules.yaml beside this module): loaded once, validated, compiled.

A broken table is a bug in triage, not in the user's input, but it is reported like a broken KB
file (KBError naming file, rule and field) so the message says exactly what to fix.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Mapping, Pattern, Tuple

import yaml

from triage.errors import KBError

RULES_FILE = Path(__file__).with_name("rules.yaml")
KEEPS = ("prefix", "context")
_RULE_KEYS = {"name", "what", "pattern", "keep", "names", "examples", "no_match"}
_NAME_KEYS = {"words", "key_qualifiers", "not_first", "placeholders", "min_value_length", "value"}
_KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")  # HF_TOKEN, hfToken, apiKey2 -> words


@dataclass(frozen=True)
class Rule:
    name: str
    what: str
    pattern: Pattern[str]
    keep: str  # "prefix" or "context"
    names: bool  # the `name` group must look like a secret's name
    examples: Tuple[str, ...] = ()
    no_match: Tuple[str, ...] = ()

    @property
    def mask(self) -> str:
        # a vendor prefix kept in front already says what was there; otherwise say which rule
        return "***REDACTED***" if self.keep == "prefix" else f"***REDACTED:{self.name}***"


@dataclass(frozen=True)
class SecretNames:
    """When a variable, flag or key name (and its value) look like a secret's."""

    words: FrozenSet[str]
    key_qualifiers: FrozenSet[str]
    not_first: FrozenSet[str]
    placeholders: FrozenSet[str]
    min_value_length: int
    value_char: str  # a regex for one character of a value (VALUE in the patterns)
    value: Pattern[str]  # a run of them: where a value read only in part ends

    def is_secret_name(self, name: str) -> bool:
        # only the last dotted part names the value: config.hub_token yes, tokenizer.pad_token no
        words = [w.lower() for w in _WORDS.findall(name.rsplit(".", 1)[-1])]
        if not words or words[0] in self.not_first:
            return False
        last = words[-1]
        if last in self.words:
            return True
        return last == "key" and len(words) > 1 and words[-2] in self.key_qualifiers

    def is_secret_value(self, value: str) -> bool:
        """A real value, not a placeholder ($VAR, <token>, ***, None, an empty string...)."""
        if len(value) < self.min_value_length or value.lower() in self.placeholders:
            return False
        return value[0] not in "$<*[{%-" and len(set(value)) > 2


@dataclass(frozen=True)
class RuleTable:
    rules: Tuple[Rule, ...]
    names: SecretNames


@lru_cache(maxsize=1)
def rule_table() -> RuleTable:
    """The bundled table, read and checked once per process."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster at start-up
    return parse_table(yaml.load(RULES_FILE.read_text(encoding="utf-8"), Loader=loader), str(RULES_FILE))


def parse_table(doc: Any, path: str) -> RuleTable:
    if not isinstance(doc, dict) or set(doc) != {"secret_names", "rules"}:
        raise KBError(path, None, None, "expected exactly the keys secret_names and rules")
    names = parse_names(doc["secret_names"], path)
    rules = [parse_rule(raw, path, i, names.value_char) for i, raw in enumerate(doc["rules"] or [])]
    seen: Dict[str, int] = {}
    for rule in rules:
        if rule.name in seen:
            raise KBError(path, rule.name, "name", "defined twice; rule names must be unique")
        seen[rule.name] = 1
    return RuleTable(tuple(rules), names)


def parse_rule(raw: Any, path: str, index: int, value: str = ".") -> Rule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise KBError(path, where, None, "a rule must be a mapping")
    name = str(raw.get("name", ""))
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise KBError(path, name or where, ", ".join(sorted(unknown)), f"unknown key; allowed: {sorted(_RULE_KEYS)}")
    if not _KEBAB.match(name):
        raise KBError(path, where, "name", "required, kebab-case (e.g. huggingface-token)")
    for key in ("what", "pattern"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise KBError(path, name, key, "required, a non-empty string")
    if raw.get("keep") not in KEEPS:
        raise KBError(path, name, "keep", f"must be one of {', '.join(KEEPS)}")
    source = raw["pattern"].replace("VALUE", value) if raw.get("names") else raw["pattern"]
    pattern = compile_rule_pattern(source, path, name, bool(raw.get("names")))
    return Rule(name=name, what=raw["what"], pattern=pattern, keep=raw["keep"], names=bool(raw.get("names")),
                examples=_strings(raw, "examples", path, name), no_match=_strings(raw, "no_match", path, name))


def compile_rule_pattern(source: str, path: str, name: str, names: bool) -> Pattern[str]:
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise KBError(path, name, "pattern", f"does not compile: {exc}") from None
    if "secret" not in pattern.groupindex:
        raise KBError(path, name, "pattern", "needs a named group (?P<secret>...): the part that is masked")
    if names and "name" not in pattern.groupindex:
        raise KBError(path, name, "pattern", "names: true needs a named group (?P<name>...)")
    return pattern


def parse_names(raw: Any, path: str) -> SecretNames:
    if not isinstance(raw, dict) or set(raw) != _NAME_KEYS:
        raise KBError(path, "secret_names", None, f"expected exactly the keys {sorted(_NAME_KEYS)}")

    def words(key: str) -> FrozenSet[str]:
        value = raw[key]
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise KBError(path, "secret_names", key, "must be a list of strings")
        return frozenset(w.lower() for w in value)

    if not isinstance(raw["min_value_length"], int) or raw["min_value_length"] < 1:
        raise KBError(path, "secret_names", "min_value_length", "must be a positive integer")
    try:
        value = re.compile(f"(?:{raw['value']})*")
    except (re.error, TypeError) as exc:
        raise KBError(path, "secret_names", "value", f"must be a regex for one character: {exc}") from None
    return SecretNames(words("words"), words("key_qualifiers"), words("not_first"), words("placeholders"),
                       raw["min_value_length"], raw["value"], value)


def _strings(raw: Mapping[str, Any], key: str, path: str, name: str) -> Tuple[str, ...]:
    value = raw.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KBError(path, name, key, "must be a list of strings")
    return tuple(value)


def rule_names() -> List[str]:
    return [r.name for r in rule_table().rules]
