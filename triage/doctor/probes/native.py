"""System libraries compiled code needs: libaio (DeepSpeed async_io) and libstdc++'s GLIBCXX versions.

DeepSpeed's op_builder/async_io.py decides whether async_io can be built by compiling and linking
a test program that calls io_submit with -laio (CFLAGS / LDFLAGS may add -I / -L folders): that
needs libaio.h and the unversioned libaio.so link, which only the -dev / -devel package installs.
A conda Python loads $CONDA_PREFIX/lib/libstdc++.so.6 before the system's (its RPATH), so that
library's GLIBCXX_3.4.N versions are the ones a compiled module is checked against.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional

from triage.doctor.context import Context
from triage.doctor.elf import dynamic_strings
from triage.doctor.probes.common import find_libraries, flag, version_key

INCLUDE_DIRS = ("/usr/include", "/usr/local/include", "/usr/include/x86_64-linux-gnu")
_GLIBCXX = re.compile(r"GLIBCXX_(3\.4(?:\.\d+)?)")


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    if ctx.platform != "linux":
        return {}
    prefix = _env_prefix(ctx, facts)
    includes = [*_flag_dirs(ctx.env.get("CFLAGS", ""), "-I"), *([f"{prefix}/include"] if prefix else []), *INCLUDE_DIRS]
    libs = [*_flag_dirs(ctx.env.get("LDFLAGS", ""), "-L"), *([f"{prefix}/lib"] if prefix else [])]
    out = {"libaio_h": flag(any(ctx.files.exists(f"{d}/libaio.h") for d in includes)),
           "libaio_so": flag(any(p.endswith("/libaio.so") for p in find_libraries(ctx, "libaio.so", libs)))}
    out.update(_glibcxx(ctx, prefix))
    return out


def _env_prefix(ctx: Context, facts: Dict[str, str]) -> Optional[str]:
    """The target environment's prefix when it is a conda one (its lib/ comes first)."""
    if facts.get("conda") == "true" and facts.get("python_include"):
        return re.sub(r"/include/python[\w.]+/?$", "", facts["python_include"])
    return ctx.env.get("CONDA_PREFIX") or None


def _flag_dirs(flags: str, option: str) -> List[str]:
    return [word[len(option):] for word in flags.split() if word.startswith(option) and len(word) > len(option)]


def _glibcxx(ctx: Context, prefix: Optional[str]) -> Dict[str, str]:
    candidates = [f"{prefix}/lib/libstdc++.so.6"] if prefix else []
    candidates += [p for p in find_libraries(ctx, "libstdc++.so.6") if p.endswith("libstdc++.so.6")]
    for path in candidates:
        strings = dynamic_strings(ctx.files, path) if ctx.files.exists(path) else None
        versions = sorted({m.group(1) for s in strings or () if (m := _GLIBCXX.fullmatch(s))}, key=version_key)
        if versions:
            return {"libstdcxx": path, "glibcxx_versions": " ".join(versions), "glibcxx_max": versions[-1]}
    return {}
