"""A pickled copy of the loaded KB, so start-up skips YAML parsing and validation.

The key covers triage's version and every KB file's path, size and modification time:
editing, adding or removing an entry makes a new key. Any trouble (no writable cache
folder, a stale or corrupt file) only means loading the YAML again.
"""
from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path
from typing import List, Optional

from triage.model import KnowledgeBase

CACHE_FORMAT = 2
# the classes a cached KB is made of: a change to them must not unpickle into old shapes
_SHAPE_MODULES = ("model.py", "fixes/spec.py", "knowledge/loader.py", "knowledge/entry.py", "knowledge/schema.py",
                  "engine/literals.py", "knowledge/cache.py")


def cache_dir() -> Optional[Path]:
    if os.environ.get("TRIAGE_NO_CACHE"):
        return None
    base = os.environ.get("TRIAGE_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "triage" if base and base != "~/.cache" else None


def cache_key(files: List[Path]) -> str:
    from triage import __version__

    here = Path(__file__).resolve().parent.parent
    parts = [f"{CACHE_FORMAT}:{__version__}"]
    for path in [here / name for name in _SHAPE_MODULES] + list(files):
        st = path.stat()
        parts.append(f"{path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}")
    text = "\n".join(parts).encode()
    # two checksums, not a cryptographic hash: this names a cache file, and hashlib costs start-up
    return f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(parts):04x}"


def load_cached(key: str) -> Optional[KnowledgeBase]:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"kb-{key}.pickle", "rb") as fh:
            kb = pickle.load(fh)
    except Exception:  # missing, stale or unreadable: load the YAML instead
        return None
    return kb if isinstance(kb, KnowledgeBase) else None


def store(key: str, kb: KnowledgeBase) -> None:
    folder = cache_dir()
    if folder is None:
        return
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"kb-{key}.pickle")
    except Exception:  # a read-only home or a full disk must not break triage
        return
