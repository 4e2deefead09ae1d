"""Writing beside a file we patch, safely in a folder others may write to.

The folder is opened once and every later step names files relative to that handle, so a folder
swapped for a link after the check changes nothing. No step follows a link: reads use O_NOFOLLOW,
new files are created with O_EXCL under a fresh name and renamed into place (a rename replaces a
link planted at the final name, it never writes through it). A lock file beside the target
serialises two triage processes patching the same file.
"""
from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional

from triage.errors import PatchError

LOCK_WAIT = 30.0  # seconds a second `triage fix` waits for the first before refusing
TMP_SUFFIX = ".triage-tmp"
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class Folder:
    """A directory held open; names are looked up in it, never through a link."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
        except OSError as exc:
            raise PatchError(f"{path}: cannot open this folder ({exc.strerror})", outcome="refused") from None

    def __enter__(self) -> "Folder":
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)

    def kind(self, name: str) -> Optional[str]:
        """'file', 'link', 'other' or None (absent), without following a link."""
        try:
            st = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None
        return "file" if stat.S_ISREG(st.st_mode) else "link" if stat.S_ISLNK(st.st_mode) else "other"

    def mode(self, name: str) -> int:
        return stat.S_IMODE(os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mode)

    def read(self, name: str) -> bytes:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=self.fd)
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def write(self, name: str, data: bytes, mode: int = 0o600) -> None:
        """Replace `name` with `data` at once: a reader sees the old bytes or the new, never half."""
        tmp = f".{name}.{secrets.token_hex(4)}{TMP_SUFFIX}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=self.fd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
            os.replace(tmp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        except BaseException:
            self.remove(tmp)
            raise
        os.fsync(self.fd)  # the rename itself survives a crash

    def remove(self, name: str) -> None:
        try:
            os.unlink(name, dir_fd=self.fd)
        except FileNotFoundError:
            pass

    def clean_temps(self, name: str) -> List[str]:
        """Remove temp files an interrupted triage left for `name` (ours: named by write() above,
        or by 0.1's mkstemp); called under the lock, when no other triage is writing them."""
        ours = re.compile(rf"\.{re.escape(name)}(?:\.triage-backup(?:\.json)?)?\.(?:[0-9a-f]{{8}}"
                          rf"{re.escape(TMP_SUFFIX)}|[a-z0-9_]{{8}}\.tmp)")
        removed = [n for n in os.listdir(self.fd) if ours.fullmatch(n) and self.kind(n) == "file"]
        for n in removed:
            self.remove(n)
        return removed

    @contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """Hold `.<name>.triage-lock` (flock), removed on release."""
        lock = f".{name}.triage-lock"
        fd = self._acquire(name, lock, time.monotonic() + LOCK_WAIT)
        try:
            yield
        finally:
            self.remove(lock)  # before unlocking: a waiter then sees a stale inode and retries
            os.close(fd)

    def _acquire(self, name: str, lock: str, deadline: float) -> int:
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o600, dir_fd=self.fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    raise PatchError(f"{self.path / name}: another `triage fix` is changing this file "
                                     f"(it holds {self.path / lock}); try again when it is done",
                                     outcome="refused") from None
                time.sleep(0.05)
                continue
            try:
                same = os.fstat(fd).st_ino == os.stat(lock, dir_fd=self.fd, follow_symlinks=False).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return fd
            os.close(fd)  # the holder removed it as we opened it: take the new one
