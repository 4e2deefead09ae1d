"""Where a log comes from: a file (plain, .gz or .zst) or stdin, read in blocks.

Turns OS trouble into InputError; never holds a whole log in memory.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO, Iterator, Optional

from triage.errors import InputError

BLOCK = 4 << 20


class LogSource:
    """The blocks of one log; `seen_text` tells afterwards whether it held anything."""

    def __init__(self, name: str, stdin: Optional[BinaryIO] = None) -> None:
        self.name = name
        self.label = "standard input" if name == "-" else os.fspath(name)
        self.stdin = stdin
        self.size: Optional[int] = None
        self.seen_text = False
        if name != "-":
            path = Path(name)
            if not path.exists():
                raise InputError(f"{name}: no such file")
            if path.is_dir():
                raise InputError(f"{name}: is a directory; give a log file (or use `triage scan {name}`)")
            self.size = path.stat().st_size

    def blocks(self) -> Iterator[bytes]:
        try:
            if self.name == "-":
                yield from self._track(_read_blocks(self.stdin or sys.stdin.buffer))
                return
            with open(self.name, "rb") as fh:
                yield from self._track(_read_blocks(_decompressed(fh)))
        except (OSError, EOFError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise InputError(f"{self.label}: cannot be read: {reason}") from None

    def _track(self, blocks: Iterator[bytes]) -> Iterator[bytes]:
        for block in blocks:
            if not self.seen_text and block.strip():
                self.seen_text = True
                self._check_text(block)
            yield block

    def _check_text(self, head: bytes) -> None:
        """Refuse binary data with a message that names the file."""
        from triage.engine.decode import sniff

        try:
            sniff(head[:8192])
        except InputError as exc:
            raise InputError(f"{self.label}: {exc}") from None

    def check_not_empty(self) -> None:
        if not self.seen_text:
            raise InputError(f"{self.label}: input is empty; pass a log file or pipe one in (triage < build.log)")

    def read_all(self) -> bytes:
        data = b"".join(self.blocks())
        self.check_not_empty()
        return data


def _read_blocks(fh: BinaryIO) -> Iterator[bytes]:
    while True:
        block = fh.read(BLOCK)
        if not block:
            return
        yield block


def _decompressed(fh: BinaryIO) -> BinaryIO:
    head = fh.read(4)
    fh.seek(0)
    if head[:2] == b"\x1f\x8b":
        import gzip

        return gzip.GzipFile(fileobj=fh)  # type: ignore[return-value]
    if head == b"\x28\xb5\x2f\xfd":
        try:
            import zstandard  # optional: only needed for .zst logs
        except ImportError:
            raise InputError(f"{getattr(fh, 'name', 'input')}: zstd-compressed; pip install zstandard, "
                             "or decompress it first (zstd -d)") from None
        return zstandard.ZstdDecompressor().stream_reader(fh)  # type: ignore[no-any-return]
    return fh


def read_source(name: str) -> bytes:
    """The whole log (for fixes, which need the text of the failing command)."""
    return LogSource(name).read_all()
