"""A draft KB entry: its content, its YAML text (with the cluster's size and sources in comments),
and the proof that it loads and passes its own examples before it is written."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from triage.errors import KBErrors
from triage.knowledge.entry import parse_entry
from triage.learn.nearby import Near
from triage.learn.region import Region
from triage.learn.template import Pattern
from triage.model import Entry, KnowledgeBase

PREFIX = "draft-"
MAX_SOURCES = 20  # source logs listed in a draft's comments
_UNSAFE_COMMENT = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Draft:
    id: str
    title: str
    pattern: Pattern
    regions: Tuple[Region, ...]  # every log of the cluster
    examples: Tuple[str, ...]  # match snippets (safe text) from up to 3 of them
    no_match: Tuple[str, ...]
    near: Optional[Near]
    generic: bool = False  # little constant text besides captured names: it would fire on unrelated failures

    @property
    def file_name(self) -> str:
        return f"{self.id}.yaml"


def draft_yaml(d: Draft) -> str:
    """The draft as a KB file a person edits: what to do with it first, then the entry."""
    size = len(d.regions)
    out = [f"# Drafted by `triage learn` from {size} log{'s' * (size != 1)} that the KB did not diagnose, whose",
           "# failure messages differ only where the regex has a named group:"]
    out += [f"#   {_comment(r.source)} (line {r.line})" for r in d.regions[:MAX_SOURCES]]
    if size > MAX_SOURCES:
        out.append(f"#   ... and {size - MAX_SOURCES} more")
    if d.near is not None:
        out += [f"# Extend entry {d.near.entry} instead? This message is {d.near.score:.0f}% similar to its",
                f"#   {_comment(d.near.text[:150])}",
                f"# If it is the same problem, add this signature and an example to {d.near.entry} and delete this file."]
    if d.generic:
        out += ["# Generic: beside the names it captures, the regex holds little more than a common error's",
                "# wording, so it would fire on unrelated failures: keep a name in it, or delete the draft."]
    out += ["# To accept it: write the title, summary and solutions, check the regex and its named groups, add",
            "# refs, then delete `draft: true`, give it an id and file name of its own and move it into your",
            "# team's KB folder (kb/README.md, 'Adding an entry').",
            f"id: {d.id}", "draft: true", f"title: {quote(d.title)}",
            f"summary: {quote(_summary(d))}", "tags: [draft]", "severity: error", "signatures:",
            f"  - name: {d.id}#message", f"    regex: {quote(d.pattern.source)}"]
    if d.pattern.keyword:
        out.append(f"    keywords: [{quote(d.pattern.keyword)}]")
    out += ["    confidence: moderate  # name the strength once reviewed; a draft scores 0.45 at most",
            "solutions:", f"  - title: {quote('TODO: the fix, in the imperative')}",
            f"    why: {quote('TODO: why it works')}", f"    steps: [{quote('TODO: the commands, one per step')}]"]
    if d.near is not None:
        note = (f"Extend entry {d.near.entry} instead of adding a problem: this message is "
                f"{d.near.score:.0f}% similar to its wording.")
        out += ["notes:", f"  - {quote(note)}"]
    out += ["examples:", "  match:"] + [f"    - {quote(x)}" for x in d.examples]
    out += ["  no_match:"] + [f"    - {quote(x)}" for x in d.no_match] if d.no_match else ["  no_match: []"]
    return "\n".join(out) + "\n"


def _summary(d: Draft) -> str:
    near = f" It may be a new wording of {d.near.entry}." if d.near else ""
    return f"TODO: what goes wrong and why. Seen in {len(d.regions)} logs by `triage learn`.{near}"


def quote(text: str) -> str:
    """A YAML scalar: single-quoted when it is one printable line (regexes stay readable), else
    double-quoted with JSON's escapes (which YAML reads the same)."""
    if text.isprintable() and "\t" not in text:
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return _UNSAFE_COMMENT.sub("?", text)


def parse_draft(text: str, path: Path) -> Entry:
    """The draft as the loader reads it (KBErrors when it would not load)."""
    return parse_entry(yaml.safe_load(text), str(path), {}, {})


def check_drafts(texts: Dict[str, str], folder: Path) -> Dict[str, List[str]]:
    """Each draft's problems (by id): it must load, pass its own examples and keep a linear regex."""
    from triage.knowledge.examples import run_all
    from triage.knowledge.redos import find_superlinear

    problems: Dict[str, List[str]] = {}
    entries: List[Entry] = []
    for draft_id, text in texts.items():
        try:
            entries.append(parse_draft(text, folder / f"{draft_id}.yaml"))
        except (KBErrors, yaml.YAMLError) as exc:
            problems.setdefault(draft_id, []).append(str(exc))
    kb = KnowledgeBase(tuple(entries))
    failures, _ = run_all(kb)
    for entry in entries:
        problems.setdefault(entry.id, [])
        problems[entry.id] += [f for f in failures if f"{entry.id}::" in f]
    for finding in find_superlinear(kb):
        problems.setdefault(finding.regex.entry, []).append(finding.message())
    return problems


def existing_regex(path: Path) -> Optional[str]:
    """The regex of a draft already written at `path` (so a second run does not write it again)."""
    try:
        entry = parse_draft(path.read_text(encoding="utf-8"), path)
    except (OSError, UnicodeDecodeError, KBErrors, yaml.YAMLError):
        return None
    return entry.signatures[0].source if entry.signatures else None


def write_draft(d: Draft, text: str, folder: Path) -> Path:
    """Write a new draft file; never replaces one (a person may be editing it)."""
    path = folder / d.file_name
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)
    return path


def unused_id(base: str, taken: Sequence[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
