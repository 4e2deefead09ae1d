"""Properties over arbitrary input: diagnose never raises on any bytes, normalising is
idempotent (clean text normalised again is the same clean text), and long hostile lines built
from the KB's own literals never need a regex cut short (issue 10)."""
from __future__ import annotations

from datetime import timedelta
from typing import Iterator, List

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import InputError, diagnose
from triage.api import analyze, default_kb, text_chunks
from triage.engine.match import Matcher
from triage.engine.normalize import normalize

LOG_ALPHABET = st.sampled_from(list("abcXYZ019 :;[]()<>*&#'\"-_/\\.\r\n\t\x1b\x00é╰─>") +
                               ["[rank1]: ", "0: ", "\x1b[31m", "&#39;", "**", "> ", "Error: ", "it/s]",
                                "2024-01-01T10:00:00Z ", "Killed", "CUDA out of memory", "No module named 'torch'"])
LOGS = st.lists(LOG_ALPHABET, max_size=200).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_diagnose_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    try:
        found = diagnose(data)
    except InputError:  # binary data is refused with a clear message, which is fine
        return
    assert isinstance(found, list)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LOGS)
def test_diagnose_never_raises_on_log_like_text(text: str) -> None:
    assert isinstance(diagnose(text), list)


@settings(max_examples=500, deadline=None)
@given(LOGS)
def test_normalising_is_idempotent(text: str) -> None:
    once = [line.text for line in normalize(text)]
    twice = [line.text for line in normalize("\n".join(once))]
    assert twice == once


# Long lines: the stalls of issue 10 lived at 8-16 kB, where short fuzzing never went. A KB literal
# sends the line to the regexes that carry it; the runs around it are what a slow pattern repeats.
KB_LITERALS = sorted(Matcher(default_kb()).literals)
RUNS = ["0", " ", "a", "a ", "/", ".", "0.", "-a ", "\\n", ":", "'", "[0,", ">", "\t", "x=1 "]


def long_line(literal: str, run: str, size: int, tail: str) -> str:
    body = literal + (run * (size // len(run) + 1))[:size]
    return body + tail


LONG_LINES = st.builds(long_line, st.sampled_from(KB_LITERALS), st.sampled_from(RUNS), st.integers(8000, 16000),
                       st.sampled_from(["", " it/sx", " failed", ": error", "'"]) | st.sampled_from(KB_LITERALS))


# bounded in CI by max_examples; the deadline is only a guard against a stall, far above a normal run
@settings(max_examples=40, deadline=timedelta(seconds=60), suppress_health_check=list(HealthCheck))
@given(st.lists(LONG_LINES, min_size=1, max_size=3), LOGS)
def test_long_lines_of_kb_literals_never_need_cutting_short(lines: List[str], text: str) -> None:
    result = analyze(text_chunks("\n".join(lines + [text]) + "\n"))
    assert result.regex_timeouts == 0  # every KB regex finished well inside its budget


def adversarial_logs(size: int = 8192, per_log: int = 64) -> Iterator[str]:
    """Every KB literal behind, between and in front of long runs: ~1 MB logs of 8 kB lines."""
    lines = []
    for i, literal in enumerate(KB_LITERALS):
        run = RUNS[i % len(RUNS)]
        lines.append(long_line(literal, run, size, " " + literal))
        lines.append((literal * (size // len(literal) + 1))[:size])
    for start in range(0, len(lines), per_log):
        yield "\n".join(lines[start:start + per_log]) + "\n"


def test_adversarial_long_line_logs_from_every_kb_literal() -> None:
    for log in adversarial_logs():
        result = analyze(text_chunks(log))
        assert result.regex_timeouts == 0
