"""Results -> JUnit XML (GitLab, Jenkins): one test case per log."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import List, Sequence

from triage.cli.render.common import printable, severity
from triage.i18n.words import ENGLISH, Words
from triage.model import LogResult

_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_report(results: Sequence[LogResult], version: str, words: Words = ENGLISH) -> str:
    """testsuites > testsuite "triage" > one testcase per log; a known problem is a failure."""
    failures = sum(1 for r in results if r.diagnoses)
    counts = {"tests": str(len(results)), "failures": str(failures), "errors": "0"}
    root = ET.Element("testsuites", {"name": "triage", **counts})
    suite = ET.SubElement(root, "testsuite", {"name": "triage", "skipped": "0", **counts})
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="triage.version", value=xml_clean(version))
    for result in results:
        junit_case(suite, result, words)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def junit_case(suite: ET.Element, result: LogResult, words: Words = ENGLISH) -> None:
    """A failure (typed by the top id) listing every diagnosis; a clean log passes."""
    _ = words.gettext
    case = ET.SubElement(suite, "testcase", classname="triage", name=xml_clean(result.source))
    if result.diagnoses:
        top = result.diagnoses[0]
        failure = ET.SubElement(case, "failure", message=xml_clean(f"{top.id}: {top.title}"), type=xml_clean(top.id))
        lines: List[str] = []
        for i, d in enumerate(result.diagnoses, 1):
            lines.append(f"{i}. {d.id}: {d.title} " + _("(confidence {confidence}, {severity})")
                         .format(confidence=f"{d.confidence:.2f}", severity=severity(d, words)))
            lines += ["   " + _("line {line}").format(line=ev.line) + f": {printable(ev.text)}" for ev in d.evidence]
        failure.text = xml_clean("\n".join(lines))
    elif result.likely_failure:
        lf = result.likely_failure
        out = ET.SubElement(case, "system-out")
        out.text = xml_clean(_("no known problem; likely failure line {line}: {text}")
                             .format(line=lf.line, text=printable(lf.text)))


def xml_clean(text: str) -> str:
    """Drop the characters XML 1.0 forbids (NUL, ESC, other C0 controls, lone surrogates)."""
    return _XML_FORBIDDEN.sub("", text)
