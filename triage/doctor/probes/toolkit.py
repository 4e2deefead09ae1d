"""The CUDA toolkit torch's extension builder would use, nvcc's release, and ninja.

torch/utils/cpp_extension.py `_find_cuda_home()`: CUDA_HOME, else CUDA_PATH, else the folder
above the `bin/` of the nvcc on PATH, else /usr/local/cuda if it exists, else none (Windows:
the first `C:/Program Files/NVIDIA GPU Computing Toolkit/CUDA/v*.*`). `_check_cuda_version`
compares `$CUDA_HOME/bin/nvcc --version`'s release with torch.version.cuda: a different major
version is an error, a different minor only a warning. `is_ninja_available()` runs `ninja --version`.
"""
from __future__ import annotations

import os
import re
from typing import Dict, Optional, Tuple

from triage.doctor.context import Context
from triage.doctor.probes.common import major

_RELEASE = re.compile(r"Cuda compilation tools, release (\d+\.\d+)")


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    home, source = cuda_home(ctx)
    out = {"cuda_home": home or "none", "cuda_home_from": source}
    if home:
        exe = "nvcc.exe" if ctx.platform == "win32" else "nvcc"
        done = ctx.run([f"{home}/bin/{exe}", "--version"]) if ctx.files.exists(f"{home}/bin/{exe}") else None
        m = _RELEASE.search(done.text) if done else None
        out["nvcc_cuda"] = m.group(1) if m else "none"
        if m:
            out["nvcc_cuda_major"] = major(m.group(1)) or ""
    else:
        out["nvcc_cuda"] = "none"
    out["ninja"] = _ninja(ctx)
    return out


def cuda_home(ctx: Context) -> Tuple[Optional[str], str]:
    """(folder, where it came from), in torch's order."""
    for name in ("CUDA_HOME", "CUDA_PATH"):
        if ctx.env.get(name):
            return ctx.env[name], name
    nvcc = ctx.which("nvcc")
    if nvcc:
        return os.path.dirname(os.path.dirname(nvcc)), "nvcc on PATH"
    if ctx.platform == "win32":
        root = "C:/Program Files/NVIDIA GPU Computing Toolkit/CUDA"
        versions = [v for v in ctx.files.listdir(root) if re.fullmatch(r"v\d+\.\d+", v)]
        return (f"{root}/{versions[0]}", "Program Files") if versions else (None, "none")
    if ctx.files.exists("/usr/local/cuda"):
        return "/usr/local/cuda", "/usr/local/cuda"
    return None, "none"


def _ninja(ctx: Context) -> str:
    if not ctx.which("ninja"):
        return "none"
    done = ctx.run(["ninja", "--version"])
    m = re.match(r"\s*(\d+(?:\.\d+)+)", done.text) if done and done.code == 0 else None
    return m.group(1) if m else "none"
