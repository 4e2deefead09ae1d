"""The dynamic string table of an ELF shared object, read without loading it.

Holds the names a library exports and imports and its symbol versions (`GLIBCXX_3.4.30` in
libstdc++, `...St7__cxx11...` when an extension was built with the C++11 ABI). Reading this one
section (found through the section headers) costs a few seeks, not the whole 500 MB library.
"""
from __future__ import annotations

import struct
from typing import List, Optional

from triage.doctor.context import Files

SHT_DYNSYM = 11
MAX_DYNSTR = 64 << 20  # bytes: libtorch_cpu's table is ~25 MB


def dynamic_strings(files: Files, path: str) -> Optional[List[str]]:
    """The strings of path's .dynstr, or None when it is no readable ELF file."""
    head = files.read_bytes(path, 64)
    if not head or len(head) < 52 or head[:4] != b"\x7fELF" or head[4] not in (1, 2) or head[5] != 1:
        return None
    wide = head[4] == 2  # ELFCLASS64
    if wide:
        shoff, = struct.unpack_from("<Q", head, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", head, 0x3A)
    else:
        shoff, = struct.unpack_from("<I", head, 0x20)
        shentsize, shnum = struct.unpack_from("<HH", head, 0x2E)
    table = files.read_bytes(path, shentsize * shnum, shoff) if 0 < shnum < 4096 else None
    if not table or len(table) < shentsize * shnum:
        return None
    sections = [_section(table, i * shentsize, wide) for i in range(shnum)]
    for kind, _, _, link in sections:
        if kind == SHT_DYNSYM and link < len(sections):
            _, offset, size, _ = sections[link]
            data = files.read_bytes(path, min(size, MAX_DYNSTR), offset) or b""
            return [s.decode("ascii", "replace") for s in data.split(b"\0") if s]
    return None


def _section(table: bytes, at: int, wide: bool) -> tuple:
    """(type, offset, size, link) of one section header."""
    if wide:
        _, kind, _, _, offset, size, link = struct.unpack_from("<IIQQQQI", table, at)
    else:
        _, kind, _, _, offset, size, link = struct.unpack_from("<IIIIIII", table, at)
    return kind, offset, size, link


def cxx11_abi(strings: Optional[List[str]]) -> Optional[bool]:
    """Whether a library that uses torch's C++ API was built with the C++11 ABI; None: cannot tell."""
    torch_symbols = [s for s in strings or () if s.startswith("_Z") and ("c10" in s or "at6" in s)]
    if not torch_symbols:
        return None
    return any("St7__cxx11" in s or "B5cxx11" in s for s in torch_symbols)
