"""Results -> SARIF 2.1.0, as GitHub code scanning reads it."""
from __future__ import annotations

import hashlib
import json
import posixpath
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Dict, List, Sequence

from triage.cli.render.common import STDIN, first_evidence, level, printable, solution_lines
from triage.i18n.words import ENGLISH, Words
from triage.model import Diagnosis, LogResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/mltriage/"
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_URI_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


def sarif_report(results: Sequence[LogResult], version: str, words: Words = ENGLISH) -> str:
    """SARIF 2.1.0 with every property GitHub code scanning marks as required."""
    rules: List[Dict[str, Any]] = []
    index: Dict[str, int] = {}
    seen: Dict[str, int] = {}
    out: List[Dict[str, Any]] = []
    for result in results:
        uri = artifact_uri(result.source)
        for d in result.diagnoses:
            if d.id not in index:
                index[d.id] = len(rules)
                rules.append(sarif_rule(d, words))
            out.append(sarif_result(d, index[d.id], uri, seen, words))
    driver = {"name": "triage", "informationUri": INFORMATION_URI, "version": version, "rules": rules}
    doc = {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [{"tool": {"driver": driver}, "results": out}]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def sarif_rule(d: Diagnosis, words: Words = ENGLISH) -> Dict[str, Any]:
    rule: Dict[str, Any] = {
        "id": d.id, "name": camel_case(d.id)[:255],
        "shortDescription": {"text": d.title[:1024] or d.id},
        "fullDescription": {"text": (d.summary or d.title)[:1024] or d.id},
        "defaultConfiguration": {"level": level(d)},
        "help": {"text": help_text(d, False, words), "markdown": help_text(d, True, words)},
        "properties": {"tags": list(d.tags), "problem.severity": _PROBLEM_SEVERITY[level(d)]},
    }
    if d.refs:
        rule["helpUri"] = d.refs[0]
    return rule


def help_text(d: Diagnosis, markdown: bool, words: Words = ENGLISH) -> str:
    """The ranked solutions with their steps (never empty: GitHub requires help.text)."""
    out: List[str] = []
    for i, s in enumerate(d.solutions, 1):
        out += solution_lines(i, s, markdown, words=words)
    if not out:
        out.append(words.gettext("No fix is recorded; run `triage explain {id}` for details.").format(id=d.id))
    return "\n".join(out)


def sarif_result(d: Diagnosis, rule_index: int, uri: str, seen: Dict[str, int],
                 words: Words = ENGLISH) -> Dict[str, Any]:
    _ = words.gettext
    ev = first_evidence(d)
    text = ev.text if ev else ""
    start = max(1, ev.line) if ev else 1
    raw_lines = text.splitlines() or [""]
    message = _("{title} (confidence {confidence})").format(title=d.title, confidence=f"{d.confidence:.2f}")
    if ev:
        message += _(". Line {line}: {text}").format(line=ev.line, text=printable(text))
    region = {"startLine": start, "startColumn": 1, "endLine": start + len(raw_lines) - 1,
              "endColumn": max(2, len(raw_lines[-1]) + 1)}
    return {
        "ruleId": d.id, "ruleIndex": rule_index, "level": level(d), "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint(d.id, text, uri, seen)},
        "properties": {"confidence": d.confidence},
    }


def fingerprint(rule_id: str, text: str, uri: str, seen: Dict[str, int]) -> str:
    """Stable across runs: a hash of rule id + evidence text, plus its occurrence in the file."""
    digest = hashlib.sha256(f"{rule_id}\0{text.strip()}".encode("utf-8", "replace")).hexdigest()[:16]
    key = f"{uri}\0{digest}"
    seen[key] = seen.get(key, 0) + 1
    return f"{digest}:{seen[key]}"


def artifact_uri(source: str) -> str:
    """The log path as a URI: relative paths stay relative (forward slashes), absolute -> file://."""
    if source == STDIN:
        return "stdin"
    win = PureWindowsPath(source)
    if win.drive and win.is_absolute():
        return win.as_uri()
    posix = PurePosixPath(source.replace("\\", "/"))
    if posix.is_absolute():
        return posix.as_uri()
    return "".join(c if c in _URI_SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8", "replace"))
                   for c in posixpath.normpath(str(posix)))


def camel_case(entry_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", entry_id) if part)
