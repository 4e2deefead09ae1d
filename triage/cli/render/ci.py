"""Results -> CI formats: SARIF 2.1.0, GitHub Actions commands, Markdown, JUnit XML.

Pure functions returning strings: no I/O, no rich or click.
"""
from __future__ import annotations

import hashlib
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, Callable, Dict, List, Optional, Sequence

from triage.model import Diagnosis, Evidence
from triage.cli.render.text import Result, printable

FORMATS = ("sarif", "github", "markdown", "junit")
STDIN = "standard input"  # the label LogSource gives "-"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/mltriage/"
_LEVELS = {"critical": "error", "error": "error", "warning": "warning", "info": "note"}
_GH_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_URI_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def render(fmt: str, results: Sequence[Result], version: str) -> str:
    """One of FORMATS for every log's result; ValueError for an unknown format."""
    renderers: Dict[str, Callable[[Sequence[Result], str], str]] = {
        "sarif": sarif_report, "github": github_report, "markdown": markdown_report, "junit": junit_report}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderers[fmt](results, version)


def level(d: Diagnosis) -> str:
    """SARIF level of a diagnosis: critical/error -> error, warning -> warning, info -> note."""
    return _LEVELS.get(d.severity, "error")


def first_evidence(d: Diagnosis) -> Optional[Evidence]:
    return d.evidence[0] if d.evidence else None  # never empty from diagnose(); hand-built ones may be


def sarif_report(results: Sequence[Result], version: str) -> str:
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
                rules.append(sarif_rule(d))
            out.append(sarif_result(d, index[d.id], uri, seen))
    driver = {"name": "triage", "informationUri": INFORMATION_URI, "version": version, "rules": rules}
    doc = {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [{"tool": {"driver": driver}, "results": out}]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def sarif_rule(d: Diagnosis) -> Dict[str, Any]:
    rule: Dict[str, Any] = {
        "id": d.id, "name": camel_case(d.id)[:255],
        "shortDescription": {"text": d.title[:1024] or d.id},
        "fullDescription": {"text": (d.summary or d.title)[:1024] or d.id},
        "defaultConfiguration": {"level": level(d)},
        "help": {"text": help_text(d, markdown=False), "markdown": help_text(d, markdown=True)},
        "properties": {"tags": list(d.tags), "problem.severity": _PROBLEM_SEVERITY[level(d)]},
    }
    if d.refs:
        rule["helpUri"] = d.refs[0]
    return rule


def help_text(d: Diagnosis, markdown: bool) -> str:
    """The ranked solutions with their steps (never empty: GitHub requires help.text)."""
    out: List[str] = []
    for i, s in enumerate(d.solutions, 1):
        when = f" (when: {s.when})" if s.when else ""
        out.append(f"{i}. {'**' + s.title + '**' if markdown else s.title}{when}: {s.why}")
        out += [f"   - {inline_code(step) if markdown else '$ ' + step}" for step in s.steps]
    if not out:
        out.append(f"No fix is recorded; run `triage explain {d.id}` for details.")
    return "\n".join(out)


def sarif_result(d: Diagnosis, rule_index: int, uri: str, seen: Dict[str, int]) -> Dict[str, Any]:
    ev = first_evidence(d)
    text = ev.text if ev else ""
    start = max(1, ev.line) if ev else 1
    raw_lines = text.splitlines() or [""]
    message = f"{d.title} (confidence {d.confidence:.2f})"
    if ev:
        message += f". Line {ev.line}: {printable(text)}"
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


def github_report(results: Sequence[Result], version: str) -> str:
    """One `::error|warning|notice file=,line=,title=::message` per diagnosis.

    A log with no known problem gets one `::notice` pointing at its likely failure line (nothing
    when there is none). Logs read from stdin carry no file/line (there is no file to annotate).
    GitHub shows at most 10 annotations of each kind per step; the top-ranked come first.
    """
    lines: List[str] = []
    for result in results:
        for d in result.diagnoses:
            ev = first_evidence(d)
            lines.append(workflow_command(_GH_COMMANDS[level(d)], result.source, ev.line if ev else None,
                                          d.title, github_message(d)))
        if not result.diagnoses and result.likely_failure:
            lf = result.likely_failure
            lines.append(workflow_command("notice", result.source, lf.line, "triage: no known problem",
                                          f"The line that most looks like the failure: {printable(lf.text)}"))
    return "".join(line + "\n" for line in lines)


def github_message(d: Diagnosis) -> str:
    ev = first_evidence(d)
    out = [f"{d.id} (confidence {d.confidence:.2f})"]
    if ev:
        out.append(f"line {ev.line}: {printable(ev.text)}")
    if d.solutions:
        fix = d.solutions[0]
        out.append(f"Fix: {fix.title}")
        out += [f"$ {step}" for step in fix.steps[:1]]
    return "\n".join(out)


def workflow_command(cmd: str, source: str, line: Optional[int], title: str, message: str) -> str:
    props: List[str] = []
    if source != STDIN:
        props.append(f"file={escape_property(source)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{cmd} {','.join(props)}::{escape_data(message)}"


def escape_data(value: str) -> str:
    """As @actions/core's escapeData."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """As @actions/core's escapeProperty."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def markdown_report(results: Sequence[Result], version: str) -> str:
    """A compact report for an issue or pull-request comment."""
    out: List[str] = []
    for result in results:
        out += markdown_result(result)
    out.append(f"<sub>triage {md_escape(version)}</sub>")
    return "\n".join(out) + "\n"


def markdown_result(result: Result) -> List[str]:
    out = [f"### triage: {md_escape(result.source)}", ""]
    if not result.diagnoses:
        out.append("No known problem found.")
        if result.likely_failure:
            lf = result.likely_failure
            out += [f"The line that most looks like the failure (line {lf.line}):", ""] + fenced(lf.text)
        return out + [""]
    out += ["| # | id | title | confidence | line |", "|---|---|---|---|---|"]
    for i, d in enumerate(result.diagnoses, 1):
        ev = first_evidence(d)
        line = ev.line if ev else ""
        out.append(f"| {i} | {inline_code(d.id)} | {md_escape(d.title)} | {d.confidence:.2f} | {line} |")
    for i, d in enumerate(result.diagnoses, 1):
        out += [""] + markdown_diagnosis(i, d)
    return out + [""]


def markdown_diagnosis(i: int, d: Diagnosis) -> List[str]:
    out = [f"#### {i}. {md_escape(d.title)} ({inline_code(d.id)}, {d.severity})", ""]
    if d.summary:
        out += [md_escape(d.summary), ""]
    if d.evidence:
        out += fenced("\n".join(f"line {ev.line}: {ev.text}" for ev in d.evidence)) + [""]
    for j, s in enumerate(d.solutions, 1):
        when = f" (when: {md_escape(s.when)})" if s.when else ""
        out.append(f"{j}. **{md_escape(s.title)}**{when}")
        out += [f"   - {inline_code(step)}" for step in s.steps]
    return out


def fenced(text: str) -> List[str]:
    """A code block whose fence is longer than any backtick run inside, so nothing breaks out."""
    lines = [printable(line, 500) for line in text.splitlines()] or [""]
    longest = max((len(run) for run in re.findall("`+", "\n".join(lines))), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text"] + lines + [fence]


def inline_code(text: str) -> str:
    text = printable(text, 1000)
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", printable(text, 1000))


def junit_report(results: Sequence[Result], version: str) -> str:
    """testsuites > testsuite "triage" > one testcase per log; a known problem is a failure."""
    failures = sum(1 for r in results if r.diagnoses)
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "triage", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "triage", "skipped": "0", **counts})
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="triage.version", value=xml_clean(version))
    for result in results:
        junit_case(suite, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def junit_case(suite: ET.Element, result: Result) -> None:
    """A failure (typed by the top id) listing every diagnosis; a clean log passes."""
    case = ET.SubElement(suite, "testcase", classname="triage", name=xml_clean(result.source))
    if result.diagnoses:
        top = result.diagnoses[0]
        failure = ET.SubElement(case, "failure", message=xml_clean(f"{top.id}: {top.title}"), type=xml_clean(top.id))
        lines: List[str] = []
        for i, d in enumerate(result.diagnoses, 1):
            lines.append(f"{i}. {d.id}: {d.title} (confidence {d.confidence:.2f}, {d.severity})")
            lines += [f"   line {ev.line}: {printable(ev.text)}" for ev in d.evidence]
        failure.text = xml_clean("\n".join(lines))
    elif result.likely_failure:
        lf = result.likely_failure
        out = ET.SubElement(case, "system-out")
        out.text = xml_clean(f"no known problem; likely failure line {lf.line}: {printable(lf.text)}")


def xml_clean(text: str) -> str:
    """Drop the characters XML 1.0 forbids (NUL, ESC, other C0 controls, lone surrogates)."""
    return _XML_FORBIDDEN.sub("", text)
