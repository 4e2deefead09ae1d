"""Native files that packages ship: bitsandbytes' libraries, flash-attn's extension and wheel.

bitsandbytes (cextension.py `get_cuda_bnb_library_path`, since 0.43) loads
`libbitsandbytes_cuda<torch.version.cuda without the dot>.so`, with BNB_CUDA_VERSION replacing
the number, and falls back to the CPU library when that file is missing. flash-attn's extension
links against torch's C++ symbols: a std::string in them is mangled with `St7__cxx11` only when
built with the C++11 ABI, and flash-attn's release wheels name torch's version and the ABI in
their file name (`...+cu122torch2.3cxx11abiFALSE-...`), which pip keeps in direct_url.json.
"""
from __future__ import annotations

import json
import re
from typing import Dict, Optional

from triage.doctor.context import Context
from triage.doctor.elf import cxx11_abi, dynamic_strings
from triage.doctor.probes.common import flag, sites
from triage.doctor.probes.packages import dist_infos

_BNB = re.compile(r"libs?bitsandbytes_(\w+?)\.(?:so|dll|dylib)$")
_WHEEL = re.compile(r"torch(\d+\.\d+)cxx11abi(TRUE|FALSE)", re.I)


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for site in sites(ctx, facts):
        if "bnb_libraries" not in out and ctx.files.is_dir(f"{site}/bitsandbytes"):
            names = [m.group(1) for n in ctx.files.listdir(f"{site}/bitsandbytes") if (m := _BNB.match(n))]
            out["bnb_libraries"] = " ".join(names) or "none"
        if "flash_attn_cxx11_abi" not in out:
            out.update(_flash_attn(ctx, site))
    cuda = ctx.env.get("BNB_CUDA_VERSION") or facts.get("torch_cuda", "").replace(".", "")
    if "bnb_libraries" in out and cuda.isdigit():
        out["bnb_wanted_library"] = f"cuda{cuda}"
    return out


def _flash_attn(ctx: Context, site: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for meta in dist_infos(ctx, site, "flash-attn"):
        m = _WHEEL.search(_url(ctx, f"{meta}/direct_url.json") or "")
        if m:
            out.update(flash_attn_torch=m.group(1), flash_attn_cxx11_abi=flag(m.group(2).upper() == "TRUE"))
    for name in ctx.files.listdir(site):
        if name.startswith("flash_attn_2_cuda") and name.endswith(".so"):
            abi = cxx11_abi(dynamic_strings(ctx.files, f"{site}/{name}"))
            if abi is not None:  # what the binary says wins over its wheel's name
                out["flash_attn_cxx11_abi"] = flag(abi)
    return out


def _url(ctx: Context, path: str) -> Optional[str]:
    try:
        data = json.loads(ctx.files.read(path, 1 << 16) or "null")
    except ValueError:
        return None
    return str(data.get("url", "")) if isinstance(data, dict) else None
