"""A copy of the loaded KB as plain data, so start-up skips YAML parsing and validation.

The copy is `marshal` of tuples, dicts and strings only, rebuilt here into the frozen dataclasses
named in _NESTED: nothing in the file can run code (pickle could). It lives in a folder of the
user's own that nobody else can write to, and a folder or file owned by someone else, writable by
others or reached through a link is ignored. The key covers triage's version, Python's, the
modules that define the shapes, and every KB file's path and *content* (a same-size edit restored
with the old modification time by `cp -p` or `tar x` is still seen). Any trouble (no usable
cache folder, a stale, foreign or corrupt file) only means loading the YAML again.
"""
from __future__ import annotations

import marshal
import os
import stat
import sys
import zlib
from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from triage.fixes.spec import FixSpec, Rewrite
from triage.knowledge.doctorspec import DoctorCheck, DoctorRule, DoctorScenario
from triage.model import (
    AppliesIf,
    Condition,
    Entry,
    Example,
    Examples,
    KnowledgeBase,
    Lookup,
    Signature,
    Solution,
    SolutionText,
    Translation,
)

CACHE_FORMAT = 3  # 3: marshal of plain data, content-keyed (2 was a pickle)
# the modules that define what a cached KB is made of: a change to them makes a new key
_SHAPE_MODULES = ("model.py", "fixes/spec.py", "knowledge/loader.py", "knowledge/entry.py", "knowledge/schema.py",
                  "knowledge/translation.py", "knowledge/doctorspec.py", "knowledge/yamlsafe.py", "engine/literals.py", "knowledge/cache.py")
# which fields hold dataclasses (a tuple of them, or one or None); every other field is plain data
_NESTED: Dict[type, Dict[str, Tuple[bool, type]]] = {
    KnowledgeBase: {"entries": (True, Entry)},
    Entry: {"signatures": (True, Signature), "solutions": (True, Solution), "examples": (False, Examples),
            "fix": (False, FixSpec), "lookup": (False, Lookup), "zh": (False, Translation),
            "doctor": (False, DoctorCheck)},
    DoctorCheck: {"rules": (True, DoctorRule), "scenarios": (True, DoctorScenario)},
    Translation: {"solutions": (True, SolutionText)},
    Solution: {"applies_if": (False, AppliesIf)},
    Signature: {"requires": (True, Condition), "veto": (True, Condition)},
    Examples: {"match": (True, Example), "no_match": (True, Example), "todo_match": (True, Example)},
    FixSpec: {"rewrites": (True, Rewrite)},
}
# every dataclass a cached KB holds: the holders above and what they hold
_SHAPES = set(_NESTED) | {cls for held in _NESTED.values() for _, cls in held.values()}
_FIELD_NAMES: Dict[type, Tuple[str, ...]] = {}
_PLAIN = {str, int, float, bool, type(None), tuple, dict}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
# owner checks and link-free opens need POSIX; elsewhere (Windows) there is no cache at all
_CHECKABLE = hasattr(os, "geteuid") and _NOFOLLOW != 0 and os.open in os.supports_dir_fd


def cache_dir() -> Optional[Path]:
    if os.environ.get("TRIAGE_NO_CACHE") or not _CHECKABLE:
        return None
    base = os.environ.get("TRIAGE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "triage" if base and base != "~/.cache" else None


def cache_key(files: List[Path]) -> str:
    """A name for this KB's cache file; '' (no cache) when a file cannot be read."""
    from triage import __version__

    here = Path(__file__).resolve().parent.parent
    crc, adler = 0, 1
    # two checksums, not a cryptographic hash: this names a file in a folder only the user can
    # write, and hashlib costs start-up; reading ~1 MB of KB costs about a millisecond
    for chunk in _key_parts([here / name for name in _SHAPE_MODULES] + list(files), __version__):
        if chunk is None:
            return ""
        crc, adler = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler)
    return f"{crc:08x}{adler:08x}{len(files):04x}"


def _key_parts(paths: List[Path], version: str) -> Any:
    yield f"{CACHE_FORMAT}:{version}:{sys.implementation.cache_tag}:{marshal.version}".encode()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            yield None
            return
        yield f"\0{os.path.abspath(path)}\0{len(data)}\0".encode()
        yield data


def _private_folder(create: bool) -> Optional[int]:
    """A handle on the cache folder if it is ours alone, else None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        if create:
            folder.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.mkdir(folder, 0o700)
            except FileExistsError:
                pass
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
    except OSError:
        return None
    if not _ours(os.fstat(fd)):
        os.close(fd)
        return None
    return fd


def _ours(st: os.stat_result) -> bool:
    """Owned by whoever runs triage and writable by nobody else."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load_cached(key: str) -> Optional[KnowledgeBase]:
    folder = _private_folder(create=False) if key else None
    if folder is None:
        return None
    try:
        fd = os.open(f"kb-{key}.marshal", os.O_RDONLY | _NOFOLLOW, dir_fd=folder)
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode) or not _ours(st):
                return None
            kb = _build(KnowledgeBase, marshal.loads(fh.read()))
    except Exception:  # missing, foreign, stale or corrupt: load the YAML instead
        return None
    finally:
        os.close(folder)
    return kb if isinstance(kb, KnowledgeBase) else None


def _build(cls: type, values: Any) -> Any:
    """cls from a tuple of its field values, nested dataclasses rebuilt, nothing but plain data taken."""
    names = _names(cls)
    if type(values) is not tuple or len(values) != len(names):
        raise ValueError(f"{cls.__name__}: not the {len(names)} fields expected")
    nested = _NESTED.get(cls, {})
    out = []
    for name, value in zip(names, values):
        if name in nested:
            value = _nested(nested[name], value)
        elif type(value) not in _PLAIN:  # marshal can also make code objects: refuse one in a field
            raise ValueError(f"{cls.__name__}.{name}: {type(value).__name__} is not plain data")
        out.append(value)
    # as pickle does: the fields as they were validated when the YAML loaded, without running the
    # frozen dataclass's __init__ (a setattr per field, most of the time a cached start-up takes)
    obj: Any = object.__new__(cls)
    obj.__dict__.update(zip(names, out))
    return obj


def _nested(how: Tuple[bool, type], value: Any) -> Any:
    many, inner = how
    if many:
        return tuple([_build(inner, v) for v in value])
    return None if value is None else _build(inner, value)


def _names(cls: type) -> Tuple[str, ...]:
    if cls not in _FIELD_NAMES:
        _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return _FIELD_NAMES[cls]


def _plain(obj: Any) -> Any:
    """The inverse of _build: a dataclass as the tuple of its field values."""
    if type(obj) in _SHAPES:
        return tuple(_plain(getattr(obj, f.name)) for f in fields(obj))
    if isinstance(obj, tuple):
        return tuple(_plain(v) for v in obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def store(key: str, kb: KnowledgeBase) -> None:
    folder = _private_folder(create=True) if key else None
    if folder is None:
        return
    tmp = f".kb-{key}.{os.getpid()}.tmp"
    try:
        data = marshal.dumps(_plain(kb))
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, f"kb-{key}.marshal", src_dir_fd=folder, dst_dir_fd=folder)
    except Exception:  # a read-only home or a full disk must not break triage
        try:
            os.unlink(tmp, dir_fd=folder)
        except OSError:
            pass
    finally:
        os.close(folder)
