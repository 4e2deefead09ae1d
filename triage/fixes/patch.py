"""File edits: verify the exact old text, diff, atomic write with a backup, revert byte for byte."""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Pattern, Tuple

import regex

from triage.errors import PatchError
from triage.fixes.sitepkgs import inside

BACKUP_SUFFIX = ".triage-backup"
_GROUP_REF = regex.compile(r"\\g<\w+>|\\\d")


@dataclass(frozen=True)
class FileEdit:
    root: Path  # the package or project folder the edit must stay inside
    path: Path
    before: str
    after: str


def read_text(path: Path) -> str:
    # surrogateescape: any byte survives a round trip, so nothing but the edit changes
    return path.read_bytes().decode("utf-8", errors="surrogateescape")


def to_bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def edit_exact(text: str, old: str, new: str, count: int) -> Tuple[str, Optional[str]]:
    """(state, new text): state is ready, already-applied or not-applicable:<why>."""
    found = text.count(old) - (text.count(new) * new.count(old) if new else 0)
    if found == count:
        return "ready", text.replace(old, new) if old not in new else _replace_outside(text, old, new)
    if found == 0 and new and text.count(new) >= count:
        return "already-applied", None
    if found == 0:
        return "not-applicable:the text to replace is not in the file", None
    return f"not-applicable:the text to replace occurs {found} times, expected {count}", None


def _replace_outside(text: str, old: str, new: str) -> str:
    pieces = text.split(new)
    return new.join(p.replace(old, new) for p in pieces)


EDIT_TIMEOUT = 1.0  # CPU seconds a fix's old_regex may take on one file


def edit_regex(text: str, pattern: Pattern[str], new: str) -> Tuple[str, Optional[str]]:
    try:
        after, n = pattern.subn(new, text, timeout=EDIT_TIMEOUT)  # type: ignore[call-overload]
    except TimeoutError:
        return "not-applicable:the fix's pattern took too long on this file", None
    if n:
        return "ready", after
    marker = _GROUP_REF.sub("", new).strip()
    if marker and marker in text:
        return "already-applied", None
    return "not-applicable:the text to replace is not in the file", None


def unified_diff(edit: FileEdit) -> str:
    name = os.fspath(edit.path)
    lines = difflib.unified_diff(edit.before.splitlines(keepends=True), edit.after.splitlines(keepends=True),
                                 fromfile=f"a/{name}", tofile=f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def backup_paths(path: Path) -> Tuple[Path, Path]:
    return path.with_name(path.name + BACKUP_SUFFIX), path.with_name(path.name + BACKUP_SUFFIX + ".json")


def atomic_write(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def apply_edit(edit: FileEdit, entry_id: str) -> None:
    if not inside(edit.root, edit.path):
        raise PatchError(f"{edit.path}: outside {edit.root}; refusing to write there", outcome="refused")
    if read_text(edit.path) != edit.before:
        raise PatchError(f"{edit.path}: changed since the fix was planned; plan it again", outcome="refused")
    backup, meta = backup_paths(edit.path)
    if backup.exists():
        raise PatchError(f"{edit.path}: a triage backup already exists ({backup}); revert first", outcome="refused")
    after = to_bytes(edit.after)
    atomic_write(backup, edit.path.read_bytes())
    meta.write_text(json.dumps({"entry": entry_id, "file": os.fspath(edit.path), "sha256_after": sha256(after),
                                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                "note": f"made by `triage fix {entry_id}`; `triage fix {entry_id} --revert` restores"},
                               indent=2), encoding="utf-8")
    atomic_write(edit.path, after)


def backup_entry(path: Path) -> Optional[str]:
    """The KB entry that made the backup of `path`, if there is one."""
    _, meta = backup_paths(path)
    if not meta.is_file():
        return None
    return str(json.loads(meta.read_text(encoding="utf-8")).get("entry"))


def revert_file(path: Path, entry_id: str) -> None:
    backup, meta = backup_paths(path)
    if not backup.is_file() or not meta.is_file():
        raise PatchError(f"{path}: no triage backup to revert", outcome="refused")
    info = json.loads(meta.read_text(encoding="utf-8"))
    if info.get("entry") != entry_id:
        raise PatchError(f"{path}: the backup was made by `triage fix {info.get('entry')}`, not {entry_id}",
                         outcome="refused")
    if sha256(path.read_bytes()) != info.get("sha256_after"):
        raise PatchError(f"{path}: changed since triage patched it; refusing to revert (backup kept at {backup})",
                         outcome="refused")
    atomic_write(path, backup.read_bytes())
    backup.unlink()
    meta.unlink()
