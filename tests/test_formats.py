"""CI output formats (triage/formats.py), checked by parsing what they produce."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any, Dict, List, Tuple

import jsonschema
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from triage import diagnose, failure_line
from triage.cli.render import FORMATS, render
from triage.cli.render.github import github_message, github_report
from triage.cli.render.jsonout import json_report
from triage.cli.render.junit import junit_report
from triage.cli.render.markdown import markdown_report
from triage.cli.render.sarif import artifact_uri, sarif_report
from triage.cli.render.text import text_reports
from triage.model import Diagnosis, Evidence
from triage.model import LogResult as Result

OOM = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total "
       "capacity; 20.61 GiB already allocated; 1.69 GiB free; 21.92 GiB reserved in total by PyTorch)")
BAD_LOG = "epoch 0 step 10 loss 2.31\nepoch 0 step 20 loss 2.05\n" + OOM + "\n"
BENIGN_LOG = "epoch 1 loss 0.31\nRuntimeError: the validation set is empty\nepoch 2 loss 0.29\n"


def oom(log: str = BAD_LOG) -> Diagnosis:
    found = diagnose(log)
    assert found and found[0].id == "cuda-out-of-memory", found
    return found[0]


def results() -> List[Result]:
    return [Result("logs/train.log", diagnose(BAD_LOG)),
            Result("logs/ok.log", [], failure_line(BENIGN_LOG))]


# --- SARIF -------------------------------------------------------------------------------

TEXT = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1}}}
REGION = {"type": "object", "required": ["startLine", "startColumn", "endLine", "endColumn"],
          "properties": {k: {"type": "integer", "minimum": 1}
                         for k in ("startLine", "startColumn", "endLine", "endColumn")}}
LOCATION = {"type": "object", "required": ["physicalLocation"], "properties": {"physicalLocation": {
    "type": "object", "required": ["artifactLocation", "region"], "properties": {
        "artifactLocation": {"type": "object", "required": ["uri"],
                             "properties": {"uri": {"type": "string", "minLength": 1}}},
        "region": REGION}}}}
RULE = {"type": "object", "required": ["id", "shortDescription", "fullDescription", "help"], "properties": {
    "id": {"type": "string", "minLength": 1}, "name": {"type": "string", "maxLength": 255},
    "shortDescription": TEXT, "fullDescription": TEXT, "help": TEXT, "helpUri": {"type": "string"},
    "properties": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}}}}
RESULT = {"type": "object", "required": ["ruleId", "level", "message", "locations", "partialFingerprints"],
          "properties": {
              "ruleId": {"type": "string", "minLength": 1}, "ruleIndex": {"type": "integer", "minimum": 0},
              "level": {"enum": ["none", "note", "warning", "error"]}, "message": TEXT,
              "locations": {"type": "array", "minItems": 1, "maxItems": 10, "items": LOCATION},
              "partialFingerprints": {"type": "object", "required": ["primaryLocationLineHash"],
                                      "additionalProperties": {"type": "string", "minLength": 1}},
              "properties": {"type": "object", "required": ["confidence"],
                             "properties": {"confidence": {"type": "number", "minimum": 0, "maximum": 1}}}}}
# SARIF 2.1.0's core requirements plus what GitHub code scanning marks "required"
# (docs.github.com: "SARIF support for code scanning", supported output file properties).
SARIF_SCHEMA = {
    "type": "object", "required": ["version", "$schema", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"const": "https://json.schemastore.org/sarif-2.1.0.json"},
        "runs": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
            "type": "object", "required": ["tool", "results"], "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name", "rules"], "properties": {
                        "name": {"const": "triage"}, "version": {"type": "string"},
                        "informationUri": {"type": "string", "pattern": "^https://"},
                        "rules": {"type": "array", "items": RULE}}}}},
                "results": {"type": "array", "items": RESULT}}}}}}


def sarif(rs: List[Result]) -> Dict[str, Any]:
    doc: Dict[str, Any] = json.loads(sarif_report(rs, "9.9.9"))
    validator = jsonschema.Draft7Validator(SARIF_SCHEMA)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return doc


def test_the_schema_rejects_what_github_would() -> None:
    doc = sarif(results())
    del doc["runs"][0]["results"][0]["partialFingerprints"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SARIF_SCHEMA)


def test_sarif_validates_and_describes_the_oom() -> None:
    sample = open_fixture_sample()
    doc = sarif(results() + [Result("fixtures/sample.log", diagnose(sample))])
    run = doc["runs"][0]
    rules, found = run["tool"]["driver"]["rules"], run["results"]
    assert run["tool"]["driver"]["version"] == "9.9.9"
    assert [r["id"] for r in rules] == ["cuda-out-of-memory", "deepspeed-async-io-precompile",
                                        "pip-metadata-generation-failed"]
    assert rules[0]["name"] == "CudaOutOfMemory"
    assert "gradient_checkpointing_enable" in rules[0]["help"]["text"]
    assert "gradient_checkpointing_enable" in rules[0]["help"]["markdown"]
    assert rules[0]["helpUri"].startswith("https://")
    assert "memory" in rules[0]["properties"]["tags"]
    for res in found:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    first = found[0]
    assert first["level"] == "error" and first["properties"]["confidence"] == pytest.approx(0.99, abs=0.05)
    assert "CUDA out of memory" in first["message"]["text"] and "Line 3" in first["message"]["text"]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "logs/train.log"
    assert loc["region"]["startLine"] == 3 and loc["region"]["endLine"] == 3
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in found[1:]] == \
        ["fixtures/sample.log"] * 2


def open_fixture_sample() -> str:
    from .conftest import ROOT
    return (ROOT / "fixtures" / "sample.log").read_text(encoding="utf-8")


def test_sarif_with_nothing_found_is_still_valid() -> None:
    doc = sarif([Result("standard input", [], failure_line(BENIGN_LOG))])
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_sarif_levels_and_required_text_fallbacks() -> None:
    d = oom()
    variants = [replace(d, id=f"x-{s}", severity=s, summary="", solutions=(), refs=())
                for s in ("critical", "error", "warning", "info")]
    doc = sarif([Result("standard input", variants)])
    run = doc["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error", "error", "warning", "note"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"stdin"}
    assert all("helpUri" not in rule for rule in run["tool"]["driver"]["rules"])


def fingerprints(log: str, source: str = "a.log") -> List[str]:
    doc = json.loads(sarif_report([Result(source, diagnose(log))], "1"))
    return [r["partialFingerprints"]["primaryLocationLineHash"] for r in doc["runs"][0]["results"]]


def test_fingerprints_are_stable_when_lines_move_and_differ_with_the_evidence() -> None:
    base = fingerprints(BAD_LOG)
    assert base == fingerprints("more\nlines\nbefore\n" + BAD_LOG)
    assert re.fullmatch(r"[0-9a-f]{16}:1", base[0])
    other = fingerprints(BAD_LOG.replace("2.00 GiB", "4.00 GiB"))
    assert other[0].split(":")[0] != base[0].split(":")[0]


def test_same_problem_in_two_logs_is_two_results_with_one_fingerprint() -> None:
    doc = sarif([Result("a.log", diagnose(BAD_LOG)), Result("b.log", diagnose("x\n" + BAD_LOG))])
    found = doc["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in found]
    assert uris == ["a.log", "b.log"] and len(doc["runs"][0]["tool"]["driver"]["rules"]) == 1
    assert found[0]["partialFingerprints"] == found[1]["partialFingerprints"]  # rule id + evidence only


@pytest.mark.parametrize("source, uri", [
    ("logs/train.log", "logs/train.log"), ("./logs/../logs/x.log", "logs/x.log"),
    ("logs\\win.log", "logs/win.log"), ("dir/a b#1.log", "dir/a%20b%231.log"),
    ("/ci/work/a b.log", "file:///ci/work/a%20b.log"), ("C:\\ci\\x.log", "file:///C:/ci/x.log"),
    ("standard input", "stdin"),
])
def test_artifact_uri(source: str, uri: str) -> None:
    assert artifact_uri(source) == uri


# --- GitHub workflow commands --------------------------------------------------------------

def unescape(value: str, prop: bool) -> str:
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for code, char in pairs + [("%25", "%")]:
        value = value.replace(code, char)
    return value


def parse_command(line: str) -> Tuple[str, Dict[str, str], str]:
    m = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert m, line
    props = dict(kv.split("=", 1) for kv in m.group(2).split(",")) if m.group(2) else {}
    return m.group(1), {k: unescape(v, True) for k, v in props.items()}, unescape(m.group(3), False)


def test_github_annotation_round_trips() -> None:
    d = oom()
    out = github_report([Result("logs/train.log", [d])], "1")
    assert out.endswith("\n") and out.count("\n") == 1
    cmd, props, message = parse_command(out.rstrip("\n"))
    assert (cmd, props) == ("error", {"file": "logs/train.log", "line": "3", "title": d.title})
    assert message == github_message(d)
    lines = message.split("\n")
    assert lines[0] == "cuda-out-of-memory (confidence 0.99)"
    assert lines[1].startswith("line 3: torch.cuda.OutOfMemoryError")
    fix = d.solutions[0]
    assert lines[2].startswith(f"Fix 1: {fix.title}") and lines[3] == fix.why and lines[4] == f"- {fix.steps[0]}"  # an instruction, not a shell command


def test_github_escapes_special_characters_and_cannot_be_injected() -> None:
    log = BAD_LOG.replace("PyTorch)", "PyTorch) 100%: done, \r::error::injected")
    d = replace(oom(log), title="OOM: 100%, really\nsecond line %0A%2C", severity="warning")
    out = github_report([Result("logs/a:b,c%3A.log", [d])], "1")
    assert out.count("\n") == 1 and out.startswith("::warning ") and "\r" not in out  # one command, no more
    cmd, props, message = parse_command(out.rstrip("\n"))
    assert cmd == "warning"
    assert props == {"file": "logs/a:b,c%3A.log", "line": "3", "title": "OOM: 100%, really\nsecond line %0A%2C"}
    assert "100%: done,  ::error::injected" in message and message == github_message(d)


def test_github_info_is_a_notice_and_stdin_has_no_file() -> None:
    d = replace(oom(), severity="info")
    cmd, props, _ = parse_command(github_report([Result("standard input", [d])], "1").rstrip("\n"))
    assert cmd == "notice" and "file" not in props and "line" not in props


def test_github_clean_log_gets_a_notice_with_the_likely_failure() -> None:
    out = github_report([Result("logs/ok.log", [], failure_line(BENIGN_LOG))], "1")
    cmd, props, message = parse_command(out.rstrip("\n"))
    assert (cmd, props["file"], props["line"]) == ("notice", "logs/ok.log", "2")
    assert "RuntimeError: the validation set is empty" in message
    assert github_report([Result("logs/empty.log", [], None)], "1") == ""


# --- Markdown ------------------------------------------------------------------------------

MD = MarkdownIt("commonmark").enable("table")


def table_rows(tokens: List[Token]) -> List[List[str]]:
    """Each table row's cells as rendered text (code spans unwrapped, escapes resolved)."""
    rows: List[List[str]] = []
    for i, t in enumerate(tokens):
        if t.type == "tr_open":
            rows.append([])
        elif t.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            rows[-1].append(text(t))
    return rows


def text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or [])


def test_markdown_has_the_table_evidence_and_fixes() -> None:
    out = markdown_report(results(), "1.2.3")
    tokens = MD.parse(out)
    assert table_rows(tokens) == [["#", "id", "title", "confidence", "line"],
                                  ["1", "cuda-out-of-memory", "The GPU ran out of memory (CUDA out of memory)",
                                   "0.99", "3"]]
    fences = [t.content for t in tokens if t.type == "fence"]
    assert any(OOM in f and f.startswith("line 3: ") for f in fences)
    assert "RuntimeError: the validation set is empty" in fences[-1]
    assert "- Turn on gradient checkpointing: model.gradient_checkpointing_enable()" in out  # an instruction
    assert "No known problem found." in out and "1.2.3" in out


def test_markdown_survives_backticks_and_pipes() -> None:
    log = BAD_LOG.replace("PyTorch)", "PyTorch) ``` | `rm -rf` ````\n```")
    d = replace(oom(log), title="OOM | really `bad`")
    tokens = MD.parse(markdown_report([Result("logs/a|b.log", [d])], "1"))
    rows = table_rows(tokens)
    assert len(rows) == 2 and rows[1][2] == "OOM | really `bad`"
    fences = [t.content for t in tokens if t.type == "fence"]
    assert len(fences) == 2 and "PyTorch) ``` | `rm -rf` ````" in fences[0]
    assert fences[1].startswith("nvidia-smi")  # the shell steps of Fix 3: their own block
    clean = markdown_report([Result("x.log", [], Evidence(2, "```` ERROR: boom\n```", "likely-failure"))], "1")
    assert [t.content for t in MD.parse(clean) if t.type == "fence"] == ["```` ERROR: boom\n```\n"]
    headings = [text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == ["triage: logs/a|b.log", "1. OOM | really `bad` (cuda-out-of-memory, error)"]


# --- JUnit ---------------------------------------------------------------------------------

def test_junit_one_case_per_log_failure_only_on_the_bad_one() -> None:
    sample = open_fixture_sample()
    rs = results() + [Result("fixtures/sample.log", diagnose(sample))]
    root = ET.fromstring(junit_report(rs, "1"))
    assert root.tag == "testsuites" and root.get("failures") == "2" and root.get("tests") == "3"
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "triage"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == \
        [("triage", "logs/train.log"), ("triage", "logs/ok.log"), ("triage", "fixtures/sample.log")]
    assert cases[1].find("failure") is None
    failure = cases[2].find("failure")
    assert failure is not None and failure.get("type") == "deepspeed-async-io-precompile"
    text = failure.text or ""
    assert "pip-metadata-generation-failed" in text and "line 17: [ERROR]  Unable to pre-compile async_io" in text
    assert len(cases[2].findall("failure")) == 1


def test_junit_with_control_characters_is_valid_xml() -> None:
    found = diagnose(b"\x00\x01 noise\n\x1b[31m" + OOM.encode() + b"\x1b[0m\x08 <&>\n")
    assert "\x1b" in found[0].evidence[0].text
    bad = replace(found[0], title="OOM \x07 <title> & \"quotes\"")
    out = junit_report([Result("logs/\x1bweird.log", [bad]),
                        Result("x.log", [], failure_line("ok\n\x1b[1mERROR: boom\x00\n"))], "1")
    root = ET.fromstring(out)
    cases = root.findall("./testsuite/testcase")
    assert cases[0].get("name") == "logs/weird.log"
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("message") == 'cuda-out-of-memory: OOM  <title> & "quotes"'
    assert "<&>" in (failure.text or "") and "line 2:" in (failure.text or "")
    assert "ERROR: boom" in (cases[1].findtext("system-out") or "")


# --- dispatch ------------------------------------------------------------------------------

def test_render_dispatches_and_rejects_unknown_formats() -> None:
    rs = results()
    assert render("sarif", rs, "1") == sarif_report(rs, "1")
    assert render("github", rs, "1") == github_report(rs, "1")
    assert render("markdown", rs, "1") == markdown_report(rs, "1")
    assert render("junit", rs, "1") == junit_report(rs, "1")
    assert render("json", rs, "1") == json_report(rs, "1")
    assert render("text", rs, "1", verbose=True) == text_reports(rs, "1", verbose=True)
    assert set(FORMATS) == {"text", "json", "sarif", "github", "markdown", "junit"}
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render("xml", rs, "1")
