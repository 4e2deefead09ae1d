"""The target interpreter, the platform, conda or not, container or not, /dev/shm."""
from __future__ import annotations

import json
import os
import re
from typing import Dict

from triage.doctor.context import Context
from triage.doctor.probes.common import flag

# run in the target interpreter: no package is imported, only the standard library
PYINFO = ("import json, site, sys, sysconfig; p = sysconfig.get_paths(); "
          "s = [p['purelib'], p['platlib']] + list(getattr(site, 'getsitepackages', lambda: [])()); "
          "print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], 'include': p.get('include', ''), "
          "'prefix': sys.prefix, 'sites': s, 'executable': sys.executable}))")
CONTAINER_CGROUP = re.compile(r"docker|kubepods|containerd|libpod|lxc")


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    platform = "linux" if ctx.platform.startswith("linux") else ctx.platform
    out = {"platform": platform, "container": flag(in_container(ctx))}
    out.update(_interpreter(ctx))
    prefix = out.pop("prefix", None)
    if prefix:
        out["conda"] = flag(ctx.files.is_dir(f"{prefix}/conda-meta"))
    if out.get("python_include"):
        out["python_h"] = flag(ctx.files.exists(f"{out['python_include']}/Python.h"))
    shm = ctx.files.disk_total("/dev/shm") if platform == "linux" else None
    if shm is not None:
        out["shm_mb"] = str(shm >> 20)
    return out


def in_container(ctx: Context) -> bool:
    if ctx.files.exists("/.dockerenv") or ctx.files.exists("/run/.containerenv"):
        return True
    if ctx.env.get("container") or ctx.env.get("KUBERNETES_SERVICE_HOST"):
        return True
    return bool(CONTAINER_CGROUP.search(ctx.files.read("/proc/1/cgroup", 1 << 16) or ""))


def _interpreter(ctx: Context) -> Dict[str, str]:
    """Version, include folder, prefix and site-packages of the target Python."""
    if ctx.python:
        done = ctx.run([ctx.python, "-c", PYINFO])
        try:
            info = json.loads(done.text) if done and done.code == 0 else None
        except ValueError:
            info = None
        if isinstance(info, dict):
            return {"python": str(info["version"]), "python_executable": str(info["executable"]),
                    "python_include": str(info["include"]), "prefix": str(info["prefix"]),
                    "site_packages": os.pathsep.join(dict.fromkeys(str(s) for s in info["sites"]))}
    for site in ctx.sites:  # --site-packages: .../lib/python3.10/site-packages names the version
        m = re.search(r"[\\/]lib[\\/]python(\d+\.\d+)[\\/](?:site|dist)-packages[\\/]?$", site)
        if m:
            return {"python": m.group(1), "prefix": site[: m.start()]}
    return {}
