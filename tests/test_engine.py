"""The engine on a small KB written here: matching, conditions, fuzzy, ranking, evidence."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from triage import diagnose, failure_line
from triage.knowledge.loader import entry_files, load_entry
from triage.model import KnowledgeBase

ENTRIES = {
    "root-cause": """
        id: root-cause
        title: The op failed to build
        summary: Its headers are missing.
        tags: [build]
        severity: error
        priority: 70
        causes: [consequence]
        signatures:
          - regex: 'Unable to pre-compile (?P<op>\\w+)'
            confidence: 0.8
    """,
    "consequence": """
        id: consequence
        title: pip could not prepare metadata
        summary: Something before it failed.
        tags: [pip]
        severity: error
        signatures:
          - regex: 'error: metadata-generation-failed'
            confidence: 0.9
    """,
    "needs-context": """
        id: needs-context
        title: A warning that only matters when a failure follows
        summary: The warning is printed on healthy systems too.
        tags: [x]
        severity: warning
        signatures:
          - regex: 'libfoo headers were not found'
            requires: [{regex: 'build of foo failed', within: 3}]
            veto: [{regex: 'FOO REPORT', within: null}]
    """,
    "two-lines": """
        id: two-lines
        title: A message split over two lines
        summary: The driver check prints it over two lines.
        tags: [driver]
        severity: error
        signatures:
          - regex: 'built for driver (?P<need>[\\d.]+) or later, but\\s+version (?P<have>[\\d.]+) was detected'
            span: 2
        fuzzy:
          - "ValueError: the frobnicator at /opt/x/y.py refused version 1.2.3 of the widget"
        solutions:
          - title: Upgrade the driver to {need}
            why: You have {have}.
            steps: ["apt install driver-{need}  # was {have}, gpu {gpu}"]
        defaults: {gpu: "0"}
    """,
}


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("kb") / "area"
    folder.mkdir()
    for eid, text in ENTRIES.items():
        body = textwrap.dedent(text).strip() + "\nsolutions: [{title: t, why: w, steps: [s]}]\nexamples: {}\n"
        if "solutions:" in text:
            body = textwrap.dedent(text).strip() + "\nexamples: {}\n"
        (folder / f"{eid}.yaml").write_text(body, encoding="utf-8")
    return KnowledgeBase(tuple(load_entry(p) for p in entry_files([folder.parent])))


def kb_of(tmp_path: Path, **entries: str) -> KnowledgeBase:
    """A KB of just these entries (id -> YAML text), written to a temporary folder."""
    folder = tmp_path / "a"
    folder.mkdir(exist_ok=True)
    for eid, text in entries.items():
        (folder / f"{eid}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return KnowledgeBase(tuple(load_entry(p) for p in entry_files([tmp_path])))


def ids(text: str, kb: KnowledgeBase) -> list:
    return [d.id for d in diagnose(text, kb)]


def test_nothing_known_is_an_empty_list(small_kb) -> None:
    assert diagnose("all good\nloss=0.1\n", small_kb) == []


def test_root_cause_ranks_above_its_consequence_despite_lower_confidence(small_kb) -> None:
    log = "[ERROR] Unable to pre-compile async_io\n...\nerror: metadata-generation-failed\n"
    found = diagnose(log, small_kb)
    assert [d.id for d in found] == ["root-cause", "consequence"]
    assert found[0].confidence > found[1].confidence
    assert found[0].variables == {"op": "async_io"}


def test_requires_corroboration_within_window(small_kb) -> None:
    assert ids("libfoo headers were not found\nbuild of foo failed\n", small_kb) == ["needs-context"]
    assert ids("libfoo headers were not found\na\nb\nc\nd\nbuild of foo failed\n", small_kb) == []
    assert ids("libfoo headers were not found\n", small_kb) == []


def test_veto_anywhere_silences_a_hit(small_kb) -> None:
    assert ids("FOO REPORT\nlibfoo headers were not found\nbuild of foo failed\n", small_kb) == []


def test_evidence_includes_the_corroborating_line(small_kb) -> None:
    d = diagnose("x\nlibfoo headers were not found\nbuild of foo failed\n", small_kb)[0]
    assert [e.line for e in d.evidence] == [2, 3]


def test_span_matches_across_lines_and_fills_solutions(small_kb) -> None:
    d = diagnose("banner\nbuilt for driver 535.104 or later, but\nversion 470.82 was detected\n", small_kb)[0]
    assert d.variables == {"need": "535.104", "have": "470.82"}
    assert [e.line for e in d.evidence] == [2, 3]
    assert d.solutions[0].title == "Upgrade the driver to 535.104"
    assert d.solutions[0].steps == ("apt install driver-535.104  # was 470.82, gpu 0",)


def test_same_error_on_many_ranks_is_one_diagnosis(small_kb) -> None:
    log = "".join(f"[rank{r}]: [ERROR] Unable to pre-compile async_io\n" for r in (3, 0, 1, 2))
    found = diagnose(log, small_kb)
    assert len(found) == 1 and len(found[0].evidence) == 1
    ev = found[0].evidence[0]
    assert (ev.line, ev.last_line, ev.count, ev.ranks) == (1, 4, 4, ("0", "1", "2", "3"))
    assert ev.text.startswith("[rank3]:")  # shown as the user has it


def test_fuzzy_match_is_marked_and_less_confident(small_kb) -> None:
    log = "ValueError: the frobnicator at /usr/lib/python3/z.py refused version 2.0 of the widgets\n"
    d = diagnose(log, small_kb)[0]
    assert d.id == "two-lines" and d.evidence[0].kind == "fuzzy"
    assert 88 <= d.evidence[0].score < 100 and d.confidence < 0.75


def test_fuzzy_ignores_unrelated_errors(small_kb) -> None:
    assert diagnose("ValueError: invalid literal for int() with base 10: 'abc'\n", small_kb) == []


def test_bytes_input_and_prints_nothing(small_kb, capsys) -> None:
    assert ids(b"\xfa\xfb[ERROR] Unable to pre-compile cpu_adam\n\xff", small_kb) == ["root-cause"]
    assert capsys.readouterr() == ("", "")


def test_deterministic_order_for_ties(tmp_path: Path) -> None:
    same = """\
        id: {eid}
        title: t
        summary: s
        tags: [x]
        severity: error
        signatures: [{{regex: 'same message'}}]
        solutions: [{{title: t, why: w, steps: [s]}}]
        examples: {{}}
    """
    kb = kb_of(tmp_path, **{eid: same.format(eid=eid) for eid in ("b-entry", "a-entry")})
    assert ids("same message", kb) == ["a-entry", "b-entry"]


@pytest.mark.parametrize("log, expected", [
    ("Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'\nerror: later\n", "KeyError: 'x'"),
    ("make: *** [all] Error 2\ngcc: fatal error: no input files\n", "gcc: fatal error: no input files"),
    ("ok\nfine\n", None),
])
def test_failure_line_for_unknown_logs(log: str, expected) -> None:
    found = failure_line(log)
    assert (found.text if found else None) == expected


def test_condition_can_name_a_capture(tmp_path: Path) -> None:
    kb = kb_of(tmp_path, cap="""\
        id: cap
        title: t
        summary: s
        tags: [x]
        severity: error
        signatures:
          - regex: "No module named '(?P<module>[\\\\w.]+)'"
            requires: [{regex: 'Requirement already satisfied: {{module}}\\b', within: 50}]
        solutions: [{title: t, why: w, steps: [s]}]
        examples: {}
    """)
    far = "\n".join(["Requirement already satisfied: peft in /usr/lib/python3/dist-packages"] + ["..."] * 40)
    assert ids(far + "\nModuleNotFoundError: No module named 'peft'\n", kb) == ["cap"]
    assert ids(far + "\nModuleNotFoundError: No module named 'torch'\n", kb) == []


def test_failure_line_prefers_the_workers_exception_over_the_launchers() -> None:
    log = ("[rank0]: Traceback (most recent call last):\n[rank0]:   File \"train.py\", line 9\n"
           "[rank0]: ValueError: bad learning rate\n"
           "Traceback (most recent call last):\n  File \"/usr/bin/torchrun\", line 8\n"
           "torch.distributed.elastic.multiprocessing.errors.ChildFailedError:\n")
    found = failure_line(log)
    assert found is not None and found.line == 3 and "ValueError: bad learning rate" in found.text


def test_one_message_from_many_ranks_is_one_evidence_line() -> None:
    from triage import diagnose

    log = "".join(f"[rank{r}]: torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU {r}; "
                  "23.69 GiB total capacity; 20.61 GiB already allocated; 1.69 GiB free; 21.92 GiB reserved in total by "
                  "PyTorch)\n" for r in (3, 1, 0, 2))
    d = diagnose(log)[0]
    assert d.id == "cuda-out-of-memory" and len(d.evidence) == 1
    ev = d.evidence[0]
    assert (ev.line, ev.last_line, ev.count, ev.ranks) == (1, 4, 4, ("0", "1", "2", "3"))


def test_literals_extend_through_small_groups_of_exact_text() -> None:
    from triage.engine.literals import derive_literals

    assert derive_literals(r"\d+ passed(?:, | in )") == [" passed, ", " passed in "]
    assert derive_literals(r"abc(?:d|e)f") == ["abcdf", "abcef"]
    assert derive_literals(r"(?:ModuleNotFoundError|ImportError): No module") == [
        "modulenotfounderror: no module", "importerror: no module"]
    assert derive_literals(r"x+\s+y") == ["x"]


def test_fuzzy_hits_respect_the_entrys_vetoes(tmp_path: Path) -> None:
    kb = kb_of(tmp_path, fz="""\
        id: fz
        title: t
        summary: s
        tags: [x]
        severity: error
        signatures:
          - regex: 'frobnicator exploded completely'
            veto: [{regex: 'SELF TEST MODE', within: null}, {regex: 'harmless here', within: 1}]
        fuzzy: ["ValueError: the frobnicator at /opt/x/y.py refused version 1.2.3 of the widget"]
        solutions: [{title: t, why: w, steps: [s]}]
        examples: {}
    """)
    line = "ValueError: the frobnicator at /usr/lib/z.py refused version 2.0 of the widgets\n"
    assert ids(line, kb) == ["fz"]
    assert ids(line + "x\nSELF TEST MODE\n", kb) == []  # a whole-log veto, even after the line
    assert ids(line + "harmless here\n", kb) == []  # a veto within its distance
    assert ids(line + "a\nb\nc\nharmless here\n", kb) == ["fz"]  # ... and not beyond it
