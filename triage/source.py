"""Where a log comes from: a file (plain or .gz), or stdin. Turns OS trouble into InputError."""
from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path
from typing import BinaryIO, Optional

from .errors import InputError

MAX_BYTES = 2 * 1024**3  # refuse to hold more than this in memory at once


def read_source(name: str, stdin: Optional[BinaryIO] = None) -> bytes:
    """The raw bytes of a log; `-` is stdin."""
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_BYTES + 1)
        label = "standard input"
    else:
        data = read_file(Path(name))
        label = name
    if len(data) > MAX_BYTES:
        raise InputError(f"{label}: larger than {MAX_BYTES // 1024**3} GiB; split it or compress it")
    if not data.strip():
        raise InputError(f"{label}: input is empty; pass a log file or pipe one in (triage < build.log)")
    return data


def read_file(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a log file (or use `triage scan {path}`)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            fh.seek(0)
            if head[:2] == b"\x1f\x8b":
                with gzip.open(fh) as gz:
                    return gz.read(MAX_BYTES + 1)
            if head == b"\x28\xb5\x2f\xfd":
                return _zstd(fh)
            return fh.read(MAX_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}") from None


def _zstd(fh: BinaryIO) -> bytes:
    try:
        import zstandard  # optional: only needed for .zst logs
    except ImportError:
        raise InputError(f"{getattr(fh, 'name', 'input')}: zstd-compressed; pip install zstandard, "
                         "or decompress it first (zstd -d)") from None
    return zstandard.ZstdDecompressor().stream_reader(fh).read(MAX_BYTES + 1)


def display_name(name: str) -> str:
    return "standard input" if name == "-" else os.fspath(name)
