"""Find an installed package's files and version in the environment where the user's code runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Tuple

import regex

from triage.errors import PatchError
from triage.versions import ranges

_PATHS_SCRIPT = ("import json, site, sysconfig; p = sysconfig.get_paths(); "
                 "s = [p['purelib'], p['platlib']] + list(getattr(site, 'getsitepackages', lambda: [])()); "
                 "print(json.dumps(s))")


def site_dirs(python: Optional[str] = None, site_packages: Optional[str] = None) -> List[Path]:
    """The site-packages folders to search: given directly, or asked of an interpreter."""
    if site_packages:
        folder = Path(site_packages)
        if not folder.is_dir():
            raise PatchError(f"{folder}: not a site-packages folder", outcome="target-not-found")
        return [folder]
    exe = python or sys.executable
    try:
        out = subprocess.run([exe, "-c", _PATHS_SCRIPT], capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise PatchError(f"{exe}: cannot ask this interpreter for its site-packages ({exc})",
                         outcome="target-not-found") from None
    seen: List[Path] = []
    for p in json.loads(out.stdout):
        path = Path(p)
        if path.is_dir() and path not in seen:
            seen.append(path)
    return seen


def installed_version(site: Path, distribution: str) -> Optional[str]:
    """The version from the distribution's metadata (dist-info or egg-info), if installed."""
    want = ranges.dist_name(distribution)
    for meta in sorted(site.glob("*.dist-info")) + sorted(site.glob("*.egg-info")):
        name, _, rest = meta.name.rpartition(".")[0].partition("-")
        if ranges.dist_name(name) != want:
            continue
        for candidate in ("METADATA", "PKG-INFO"):
            file = meta / candidate if meta.is_dir() else meta
            if file.is_file():
                m = regex.search(r"(?m)^Version:\s*(\S+)", file.read_text(encoding="utf-8", errors="replace"))
                if m:
                    return m.group(1)
        return rest.split("-")[0] or None
    return None


def locate(sites: List[Path], module: str, relative: str, distribution: str) -> Tuple[Path, Path, Optional[str]]:
    """(package root, file, version) of the first site holding module/relative."""
    for site in sites:
        root = site / module
        target = root / relative
        if target.is_file():
            return root, target, installed_version(site, distribution)
    where = ", ".join(str(s) for s in sites) or "no site-packages"
    raise PatchError(f"{distribution} is not installed there ({module}/{relative} not found in {where})",
                     outcome="target-not-found")


def satisfies(version: Optional[str], spec: Optional[str]) -> bool:
    """Whether an installed version is in a fix's range: the one checker (triage.versions.ranges)."""
    try:
        return ranges.satisfies(version, spec)
    except ValueError as exc:
        raise PatchError(str(exc)) from None


def inside(root: Path, target: Path) -> bool:
    """True when target, symlinks resolved, lies under root."""
    real_root, real_target = os.path.realpath(root), os.path.realpath(target)
    return os.path.commonpath([real_root, real_target]) == real_root
