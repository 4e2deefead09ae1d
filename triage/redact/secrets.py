"""Find and mask secrets in text with the rule table. Pure: no I/O, nothing printed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from triage.redact.rules import Rule, RuleTable, rule_table

ALREADY = "***REDACTED"  # a mask never gets masked again (redacting twice changes nothing)


@dataclass(frozen=True)
class Found:
    """One secret: where it sits in the text, its value, and the rule that found it."""

    start: int
    end: int
    value: str
    rule: Rule


def find_secrets(text: str, table: Optional[RuleTable] = None) -> List[Found]:
    """Every secret in `text`, in order, never overlapping: where two rules' masks would
    overlap, the earlier rule in the table wins (vendor formats before generic names)."""
    table = table or rule_table()
    taken: List[Tuple[int, int]] = []
    found: List[Found] = []
    for rule in table.rules:
        for start, end in _matches(rule, text, table):
            if not _overlaps(taken, start, end):
                taken.append((start, end))
                found.append(Found(start, end, text[start:end], rule))
    return sorted(found, key=lambda f: f.start)


def _matches(rule: Rule, text: str, table: RuleTable) -> Iterator[Tuple[int, int]]:
    """Spans of the rule's secrets. A match whose name is not a secret's is retried just after
    that name: in "FAILED: db_password: x" the value of FAILED holds the next name."""
    pos = 0
    while pos <= len(text):
        m = rule.pattern.search(text, pos)
        if m is None:
            return
        start, end = m.span("secret")
        value = m.group("secret")
        if rule.names and not (table.names.is_secret_name(m.group("name")) and table.names.is_secret_value(value)):
            pos = m.end("name")
            continue
        if rule.names:  # the pattern read at most 256 characters of the value: mask it to its end
            run = table.names.value.match(text, end)  # matches the empty string at least
            end = run.end() if run else end
        if start < end and ALREADY not in value:
            yield start, end
        pos = max(m.end(), pos + 1)


def _overlaps(taken: List[Tuple[int, int]], start: int, end: int) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def mask_of(found: Found) -> str:
    # a masked PEM block keeps its line breaks: line numbers after it must not move
    return found.rule.mask + "\n" * found.value.count("\n")


def apply_masks(text: str, found: List[Found]) -> str:
    out: List[str] = []
    pos = 0
    for f in found:
        out += [text[pos:f.start], mask_of(f)]
        pos = f.end
    out.append(text[pos:])
    return "".join(out)
