"""Properties over arbitrary input: diagnose never raises on any bytes, and normalising is
idempotent (clean text normalised again is the same clean text)."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage import InputError, diagnose
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
