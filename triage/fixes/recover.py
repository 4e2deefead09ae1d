"""What an interrupted apply or revert leaves beside a file, recognised and settled.

An apply writes the metadata, then the backup, then the file; a revert writes the file, then
removes the backup, then the metadata. So whatever a kill leaves, comparing the file with the
backup and with the metadata's checksums tells what happened. A leftover that provably holds
nothing the file lacks is removed (with a note saying so); anything else is explained, with the
commands that resolve it, instead of apply and revert both refusing without a reason.
"""
from __future__ import annotations

import hashlib
import json
import shlex
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from triage.errors import PatchError
from triage.fixes.safeio import Folder

BACKUP_SUFFIX = ".triage-backup"


def names(real: Path) -> Tuple[str, str]:
    """(backup, metadata) file names beside `real`."""
    return real.name + BACKUP_SUFFIX, real.name + BACKUP_SUFFIX + ".json"


def metadata(folder: Folder, name: str) -> Dict[str, Any]:
    try:
        info = json.loads(folder.read(name))
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def settle(folder: Folder, real: Path) -> Tuple[List[str], Optional[Dict[str, Any]]]:
    """(notes on what was cleaned, metadata of a complete backup or None); raises PatchError
    explaining a leftover that cannot be settled safely. Call it holding the file's lock."""
    removed = folder.clean_temps(real.name)
    notes = [f"removed temp files an interrupted triage left: {', '.join(removed)}"] if removed else []
    backup, meta = names(real)
    for name in (backup, meta):
        kind = folder.kind(name)
        if kind not in (None, "file"):
            what = "a symbolic link" if kind == "link" else "not a regular file"
            raise PatchError(f"{folder.path / name} is {what}, where triage keeps its backup of {real.name}; "
                             f"triage never reads or writes through links: remove it (rm {shlex.quote(str(folder.path / name))})",
                             outcome="refused")
    has_backup, has_meta = folder.kind(backup) == "file", folder.kind(meta) == "file"
    if not has_backup and not has_meta:
        return notes, None
    current = _sha(folder.read(real.name))
    info = metadata(folder, meta) if has_meta else {}
    same_as_backup = has_backup and _sha(folder.read(backup)) == current
    if has_backup and has_meta and info.get("sha256_after") and not same_as_backup:
        return notes, info  # a finished apply
    if same_as_backup or (not has_backup and info.get("sha256_before") == current):
        leftovers = [n for n, there in ((backup, has_backup), (meta, has_meta)) if there]
        for name in leftovers:
            folder.remove(name)
        return notes + [f"removed {', '.join(leftovers)}: an interrupted apply or revert left "
                        f"{'them' if len(leftovers) > 1 else 'it'}, and {real.name} is exactly as it was before "
                        "the fix, so nothing is lost"], None
    raise PatchError(_explain(real, has_backup, has_meta), outcome="refused")


def _explain(real: Path, has_backup: bool, has_meta: bool) -> str:
    file = shlex.quote(str(real))
    backup, meta = (shlex.quote(str(real.with_name(n))) for n in names(real))
    if has_backup and not has_meta:
        return (f"{real}: triage's backup is there without its metadata, and the file differs from it: a "
                f"`triage fix --apply` was interrupted, or the metadata was removed. Compare them (diff {backup} "
                f"{file}); to restore the backup: cp {backup} {file} && rm {backup}; to keep the file: rm {backup}")
    if has_meta and not has_backup:
        return (f"{real}: triage's backup metadata is there but not the backup, and the file is not as it was "
                f"before the fix: an apply or revert was interrupted. If the file is right as it is: rm {meta}")
    return (f"{real}: triage's backup metadata {meta} cannot be read. To restore the backup: cp {backup} {file} "
            f"&& rm {backup} {meta}; to keep the file as it is: rm {backup} {meta}")
