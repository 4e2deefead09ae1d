"""File edits: verify the exact old text, diff, atomic write with a backup, revert byte for byte.

Every write goes through safeio (no links followed, a lock per file) and starts with
recover.settle (what an interrupted run left is cleaned or explained)."""
from __future__ import annotations

import difflib
import errno
import hashlib
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Pattern, Tuple

import regex

from triage.errors import PatchError
from triage.fixes.recover import BACKUP_SUFFIX, metadata, names, settle
from triage.fixes.safeio import Folder
from triage.fixes.sitepkgs import inside

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


def unified_diff(edit: FileEdit, base: Optional[Path] = None) -> str:
    """A unified diff, paths git style: below `base` (default the edit's root), so `patch -p1` works there."""
    try:
        name = edit.path.relative_to(base or edit.root).as_posix()
    except ValueError:
        name = os.fspath(edit.path).lstrip("/")
    lines = difflib.unified_diff(edit.before.splitlines(keepends=True), edit.after.splitlines(keepends=True),
                                 fromfile=f"a/{name}", tofile=f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def backup_paths(path: Path) -> Tuple[Path, Path]:
    return path.with_name(path.name + BACKUP_SUFFIX), path.with_name(path.name + BACKUP_SUFFIX + ".json")


def resolved(root: Optional[Path], path: Path) -> Path:
    """The real file behind `path` (links followed once, here), which must lie under `root`:
    backups sit beside the real file, and nothing is written through a link."""
    real = Path(os.path.realpath(path))
    if root is not None and not inside(root, real):
        raise PatchError(f"{path}: resolves to {real}, outside {root}; refusing to write there", outcome="refused")
    return real


@contextmanager
def held(real: Path) -> Iterator[Folder]:
    """The target's folder, opened without following links and locked for this file; OS refusals
    (a read-only folder, a full disk) become one clear message instead of a traceback."""
    try:
        with Folder(real.parent) as folder, folder.locked(real.name):
            yield folder
    except PermissionError as exc:
        raise PatchError(f"{real}: permission denied ({_where(real, exc)}); triage writes the new file, "
                         "its backup and a lock beside it: run as a user who can write in "
                         f"{real.parent} (the owner of the installation), or patch a copy you own",
                         outcome="refused") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise PatchError(f"{real}: a symbolic link appeared at one of triage's names beside it "
                             f"({_where(real, exc)}); triage never writes through links: remove it",
                             outcome="refused") from None
        raise PatchError(f"{real}: {exc.strerror or exc} ({_where(real, exc)})", outcome="refused") from None


def _where(real: Path, exc: OSError) -> Path:
    # names opened in the held folder are relative to it
    return real.parent / str(exc.filename) if exc.filename else real.parent


def writable(folder: Folder, real: Path) -> None:
    """Refuse a file its owner made read-only (root could write it anyway) or this user cannot write."""
    mode = folder.mode(real.name)
    if not mode & 0o222:
        raise PatchError(f"{real}: read-only (mode {mode:04o}); triage does not change a file its owner made "
                         f"read-only: make it writable first (chmod u+w {real}) if you mean to patch it",
                         outcome="refused")
    if not os.access(real, os.W_OK):
        raise PatchError(f"{real}: not writable by this user (mode {mode:04o}); run as the user who installed it, "
                         "or patch an environment you own", outcome="refused")


def apply_edit(edit: FileEdit, entry_id: str) -> List[str]:
    """Write the edit, metadata first, then the backup, then the file: an interruption at any point
    leaves a state settle() recognises. Returns notes on leftovers it cleaned."""
    real = resolved(edit.root, edit.path)
    with held(real) as folder:
        notes, info = settle(folder, real)
        if info is not None:
            raise PatchError(f"{edit.path}: a triage backup already exists ({backup_paths(real)[0]}, made by "
                             f"`triage fix {info.get('entry')}`); revert it first", outcome="refused")
        current = folder.read(real.name)
        if current.decode("utf-8", errors="surrogateescape") != edit.before:  # re-read under the lock
            raise PatchError(f"{edit.path}: changed since the fix was planned; plan it again", outcome="refused")
        writable(folder, real)
        after = to_bytes(edit.after)
        backup, meta = (p.name for p in backup_paths(real))
        folder.write(meta, json.dumps({
            "entry": entry_id, "file": os.fspath(real), "sha256_before": sha256(current),
            "sha256_after": sha256(after), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "note": f"made by `triage fix {entry_id}`; `triage fix {entry_id} --revert` restores"}, indent=2).encode())
        folder.write(backup, current)
        folder.write(real.name, after, folder.mode(real.name))
    return notes


def backup_entry(path: Path) -> Optional[str]:
    """The KB entry that made the backup of `path` ('' when only a backup without metadata is
    there, so revert can explain it), or None when triage left nothing beside it."""
    real = Path(os.path.realpath(path))
    backup, meta = backup_paths(real)
    if not os.path.lexists(backup) and not os.path.lexists(meta):
        return None
    try:
        with Folder(real.parent) as folder:
            return str(metadata(folder, meta.name).get("entry") or "")
    except (OSError, PatchError):
        return ""


def revert_file(path: Path, entry_id: str, root: Optional[Path] = None) -> List[str]:
    real = resolved(root, path)
    with held(real) as folder:
        left = any(folder.kind(name) for name in names(real))
        notes, info = settle(folder, real)
        if info is None:
            if left:  # settle found the file exactly as before the fix: nothing to restore
                return notes
            raise PatchError(f"{path}: no triage backup to revert", outcome="refused")
        backup = backup_paths(real)[0]
        if info.get("entry") != entry_id:
            raise PatchError(f"{path}: the backup was made by `triage fix {info.get('entry')}`, not {entry_id}",
                             outcome="refused")
        if sha256(folder.read(real.name)) != info.get("sha256_after"):
            raise PatchError(f"{path}: changed since triage patched it; refusing to revert (backup kept at {backup})",
                             outcome="refused")
        writable(folder, real)
        folder.write(real.name, folder.read(backup.name), folder.mode(real.name))
        folder.remove(backup.name)  # then the metadata: with it alone left, settle() sees a finished revert
        folder.remove(backup.name + ".json")
    return notes

