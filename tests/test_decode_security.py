"""Inputs of unusual encodings are read, not refused: UTF-16 of either byte order, BOM or not."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from triage import diagnose
from triage.engine.decode import StreamDecoder, decode, sniff
from triage.errors import InputError

from .conftest import ROOT

LINE = "ERROR: No matching distribution found for torch==1.13.1+cu116\r\n"


@pytest.mark.parametrize("codec, name", [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_utf16_without_bom_is_detected_in_both_byte_orders(codec: str, name: str) -> None:
    data = (LINE * 3).encode(codec)
    assert sniff(data) == name
    assert decode(data) == LINE * 3


def test_utf16_be_read_in_odd_sized_blocks_decodes_like_utf8() -> None:
    data = (ROOT / "fixtures" / "sample.log").read_text(encoding="utf-8").encode("utf-16-be")
    decoder = StreamDecoder()
    text = "".join(decoder.decode(data[i:i + 4099]) for i in range(0, len(data), 4099)) + decoder.decode(b"", True)
    assert text == data.decode("utf-16-be")


def test_utf16_be_log_gets_the_same_diagnoses(tmp_path: Path) -> None:
    text = (ROOT / "fixtures" / "sample.log").read_text(encoding="utf-8")
    want = [d.id for d in diagnose(text)]
    assert want, "the sample log must diagnose something for this test to mean anything"
    assert [d.id for d in diagnose(text.encode("utf-16-be"))] == want
    log = tmp_path / "be.log"
    log.write_bytes(text.encode("utf-16-be"))
    r = subprocess.run([sys.executable, "-m", "triage", str(log)], capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1 and want[0].encode() in r.stdout, r.stderr.decode()


def test_binary_data_is_still_refused() -> None:
    data = bytes(range(256)) * 40
    with pytest.raises(InputError, match="binary"):
        decode(data)
    # NUL-heavy but neither byte order of UTF-16 text
    with pytest.raises(InputError, match="binary"):
        decode(b"\x00\x00\x01\x02" * 500)
