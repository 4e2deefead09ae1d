"""Everything a probe may touch, in one object, so tests can hand it a recorded machine.

A probe reads files (through `files`, rooted at a folder: "/" here, a temporary tree in tests),
runs small programs (through `run`: argv, never a shell, with a timeout, output capped), reads the
environment (`env`) and looks programs up on PATH (`which`). Nothing here opens a connection.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

TIMEOUT = 10.0  # seconds for one probe command (nvidia-smi on a busy node can take a few)
MAX_OUTPUT = 1 << 20  # characters kept of a command's output
MAX_READ = 4 << 20  # bytes read of one file (an ELF's string table is found by seeking)


@dataclass(frozen=True)
class Output:
    """What a probe command printed and its exit code."""

    code: int
    text: str  # standard output
    err: str = ""  # standard error


Runner = Callable[[Sequence[str]], Optional[Output]]  # None: not runnable (missing, timed out)


class Files:
    """The file system as probes see it: absolute paths resolved under `root`."""

    def __init__(self, root: str = "/") -> None:
        self.root = Path(root)

    def real(self, path: str) -> Path:
        return self.root / path.lstrip("/") if str(self.root) != "/" else Path(path)

    def read(self, path: str, limit: int = MAX_READ) -> Optional[str]:
        data = self.read_bytes(path, limit)
        return data.decode("utf-8", "replace") if data is not None else None

    def read_bytes(self, path: str, limit: int = MAX_READ, offset: int = 0) -> Optional[bytes]:
        try:
            with open(self.real(path), "rb") as fh:
                fh.seek(offset)
                return fh.read(limit)
        except (OSError, ValueError):
            return None

    def exists(self, path: str) -> bool:
        return self.real(path).exists()

    def is_dir(self, path: str) -> bool:
        return self.real(path).is_dir()

    def size(self, path: str) -> Optional[int]:
        try:
            return self.real(path).stat().st_size
        except OSError:
            return None

    def listdir(self, path: str) -> List[str]:
        try:
            return sorted(os.listdir(self.real(path)))
        except OSError:
            return []

    def disk_total(self, path: str) -> Optional[int]:
        """Total bytes of the file system holding path (statvfs), None where it cannot be read."""
        try:
            st = os.statvfs(self.real(path))
        except (OSError, AttributeError):
            return None
        return st.f_blocks * st.f_frsize


@dataclass(frozen=True)
class Context:
    """One machine (or one recorded machine in a test) and what the user asked to look at."""

    files: Files
    run: Runner
    env: Mapping[str, str]
    which: Callable[[str], Optional[str]]
    sites: Tuple[str, ...] = ()  # site-packages folders of the target environment (absolute)
    python: Optional[str] = None  # the target interpreter, when one is known
    project: Optional[str] = None  # the user's project folder (model configs, adapters)
    live: bool = False  # may import packages in a child process of the target interpreter
    cuda: bool = False  # may create a CUDA context there (implies live)
    platform: str = sys.platform


def run_command(argv: Sequence[str], timeout: float = TIMEOUT, env: Optional[Mapping[str, str]] = None) -> Optional[Output]:
    """Run argv (never through a shell); None when it cannot run or does not finish in time."""
    try:
        done = subprocess.run(list(argv), stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, check=False, env=dict(env) if env is not None else None)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return Output(done.returncode, _text(done.stdout), _text(done.stderr))


def _text(data: bytes) -> str:
    return data[:MAX_OUTPUT].decode("utf-8", "replace")


def system_context(python: Optional[str] = None, sites: Sequence[str] = (), project: Optional[str] = None,
                   live: bool = False, cuda: bool = False) -> Context:
    """This machine, as it is."""
    env = dict(os.environ)
    return Context(files=Files("/"), run=run_command, env=env,
                   which=lambda name: shutil.which(name, path=env.get("PATH")),
                   sites=tuple(sites), python=python, project=project, live=live or cuda, cuda=cuda)
