"""Small helpers the probes share: versions in text, library folders, the target's site-packages."""
from __future__ import annotations

import os
import re
from typing import Dict, List, Optional

from triage.doctor.context import Context

VERSION = re.compile(r"\d+(?:\.\d+)+")
# where the dynamic linker finds system libraries on the common distributions (and WSL's driver)
LIB_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64",
            "/lib/x86_64-linux-gnu", "/usr/local/lib", "/usr/lib/wsl/lib")


def flag(value: bool) -> str:
    return "true" if value else "false"


def major(version: Optional[str]) -> Optional[str]:
    m = VERSION.match(version or "") or re.match(r"\d+", version or "")
    return m.group(0).split(".")[0] if m else None


def minor(version: Optional[str]) -> Optional[str]:
    m = re.match(r"\d+\.\d+", version or "")
    return m.group(0) if m else None


def version_key(version: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", version))


def sites(ctx: Context, facts: Dict[str, str]) -> List[str]:
    """The target environment's site-packages folders: given, or asked of its interpreter."""
    if ctx.sites:
        return list(ctx.sites)
    return [s for s in facts.get("site_packages", "").split(os.pathsep) if s]


def canonical(name: str) -> str:
    """A distribution's name as PEP 503 compares it: flash_attn, Flash-Attn -> flash-attn."""
    return re.sub(r"[-_.]+", "-", name).lower()


def find_libraries(ctx: Context, prefix: str, extra: List[str] = ()) -> List[str]:  # type: ignore[assignment]
    """Paths of files named prefix* in the library folders (extra folders first)."""
    found = []
    for folder in [*extra, *LIB_DIRS]:
        found += [f"{folder}/{name}" for name in ctx.files.listdir(folder) if name.startswith(prefix)]
    return found
