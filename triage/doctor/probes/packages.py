"""Installed distributions (their metadata, never imported) and what torch's own files say.

torch/version.py is generated at build time and holds `cuda = '12.1'` (None for a CPU build);
torch/share/cmake/Torch/TorchConfig.cmake carried TORCH_CXX_FLAGS with -D_GLIBCXX_USE_CXX11_ABI=0|1
(gone from recent wheels, e.g. 2.13.0+cpu, where libc10.so's exported names tell the ABI instead).
"""
from __future__ import annotations

import re
from typing import Dict, List

from triage.doctor.context import Context
from triage.doctor.elf import cxx11_abi, dynamic_strings
from triage.doctor.probes.common import canonical, flag, major, minor, sites

# distributions the KB's checks ask about: one not installed is listed in `not_installed`
WATCHED = ("torch", "numpy", "transformers", "peft", "bitsandbytes", "flash-attn", "deepspeed", "accelerate")
_TORCH_CUDA = re.compile(r"""(?m)^cuda\s*(?::[^=\n]*)?=\s*(?:['"]([^'"]*)['"]|None)""")
_ABI = re.compile(r"-D_GLIBCXX_USE_CXX11_ABI=([01])")
_VERSION = re.compile(r"(?m)^Version:\s*(\S+)")
# a dependency on a NumPy before 2: `Requires-Dist: numpy<2`, `numpy (<2.0,>=1.21)`, `numpy<2.0.0; extra...`
_NUMPY_BELOW_2 = re.compile(r"(?mi)^Requires-Dist:\s*numpy\b[^;\n]*<\s*2(?:\.0)*\b(?!\.\d*[1-9])")


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    folders = sites(ctx, facts)
    pinned: Dict[str, str] = {}
    for site in reversed(folders):  # the first folder wins, as on sys.path
        out.update(installed(ctx, site, pinned))
    torch_site = next((s for s in folders if ctx.files.exists(f"{s}/torch/version.py")), None)
    if torch_site:
        out.update(_torch(ctx, torch_site))
    elif folders:  # looked where the packages are, and torch is not among them
        out["torch"] = "none"
    if folders:
        out["not_installed"] = " ".join(n for n in WATCHED if f"package:{n}" not in out) or "none"
    numpy = major(out.get("package:numpy"))
    if numpy:
        out["numpy_major"] = numpy
        out["numpy_pinned_below_2"] = " ".join(sorted(pinned)) or "none"
    return out


def installed(ctx: Context, site: str, pinned: Dict[str, str]) -> Dict[str, str]:
    """package:<name> -> version for every dist-info / egg-info in one site-packages folder; the
    names of those that require numpy<2 are added to `pinned`."""
    out = {}
    for name in ctx.files.listdir(site):
        if not name.endswith((".dist-info", ".egg-info")):
            continue
        dist, _, rest = name.rsplit(".", 1)[0].partition("-")
        metadata = _metadata(ctx, f"{site}/{name}")
        m = _VERSION.search(metadata)
        version = m.group(1) if m else rest.split("-")[0]
        if dist and version:
            out[f"package:{canonical(dist)}"] = version
            if _NUMPY_BELOW_2.search(metadata):
                pinned[canonical(dist)] = version
    return out


def _metadata(ctx: Context, meta: str) -> str:
    for candidate in (f"{meta}/METADATA", f"{meta}/PKG-INFO", meta):
        text = ctx.files.read(candidate, 1 << 18) if not ctx.files.is_dir(candidate) else None
        if text:
            return text
    return ""


def _torch(ctx: Context, site: str) -> Dict[str, str]:
    out = {}
    m = _TORCH_CUDA.search(ctx.files.read(f"{site}/torch/version.py", 1 << 16) or "")
    if m:
        out["torch_cuda"] = m.group(1) or "none"
        if m.group(1):
            out["torch_cuda_major"] = major(m.group(1)) or ""
    version = installed_torch(ctx, site)
    out["torch"] = version
    if minor(version):
        out["torch_minor"] = minor(version) or ""
    abi = _ABI.search(ctx.files.read(f"{site}/torch/share/cmake/Torch/TorchConfig.cmake", 1 << 16) or "")
    if abi:
        out["torch_cxx11_abi"] = flag(abi.group(1) == "1")
    else:
        from_library = cxx11_abi(dynamic_strings(ctx.files, f"{site}/torch/lib/libc10.so"))
        if from_library is not None:
            out["torch_cxx11_abi"] = flag(from_library)
    return {k: v for k, v in out.items() if v}


def installed_torch(ctx: Context, site: str) -> str:
    m = re.search(r"""(?m)^__version__\s*=\s*['"]([^'"]+)['"]""", ctx.files.read(f"{site}/torch/version.py") or "")
    return m.group(1) if m else ""


def dist_infos(ctx: Context, site: str, dist: str) -> List[str]:
    """The metadata folders of one distribution in a site-packages folder."""
    want = canonical(dist)
    return [f"{site}/{n}" for n in ctx.files.listdir(site)
            if n.endswith(".dist-info") and canonical(n.rsplit(".", 1)[0].partition("-")[0]) == want]
