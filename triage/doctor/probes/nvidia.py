"""The NVIDIA kernel module, nvidia-smi's view of the GPUs and driver, and libnvidia-ml's version.

/proc/driver/nvidia/version reads "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  ..."
(open modules: "NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build ..."); the same
version is in /sys/module/nvidia/version. nvidia-smi's header line carries "Driver Version: X" and
"CUDA Version: Y", Y being the newest CUDA the driver supports; `--query-gpu=compute_cap` needs a
driver from 510 on. The user-space NVML library is libnvidia-ml.so.<driver version>: when it
differs from the kernel module, NVML (and nvidia-smi) fail with "Driver/library version mismatch".
"""
from __future__ import annotations

import re
from typing import Dict, List

from triage.doctor.context import Context
from triage.doctor.probes.common import find_libraries, version_key

_KERNEL = re.compile(r"NVRM version: NVIDIA UNIX [\w-]+ Kernel Module(?: for \w+)?\s+(\d+(?:\.\d+)+)")
_HEADER = re.compile(r"Driver Version:\s*(\d+(?:\.\d+)+)\s+CUDA Version:\s*(\d+\.\d+)")
_QUERY = ["nvidia-smi", "--query-gpu=name,compute_cap", "--format=csv,noheader"]


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    out = {"nvidia_driver": kernel_module(ctx)}
    gpus = ctx.files.listdir("/proc/driver/nvidia/gpus")
    out.update(_smi(ctx))
    if "gpu_count" not in out:
        out["gpu_count"] = str(len(gpus))
    nvml = sorted({m.group(1) for path in find_libraries(ctx, "libnvidia-ml.so.")
                   if (m := re.search(r"libnvidia-ml\.so\.(\d+\.\d+(?:\.\d+)?)$", path))}, key=version_key)
    if nvml:
        out["nvml_library"] = " ".join(nvml)
    return out


def kernel_module(ctx: Context) -> str:
    m = _KERNEL.search(ctx.files.read("/proc/driver/nvidia/version", 1 << 12) or "")
    if m:
        return m.group(1)
    sys_version = (ctx.files.read("/sys/module/nvidia/version", 256) or "").strip()
    return sys_version if re.fullmatch(r"\d+(?:\.\d+)+", sys_version) else "none"


def _smi(ctx: Context) -> Dict[str, str]:
    if not ctx.which("nvidia-smi"):
        return {"nvidia_smi": "none"}
    plain = ctx.run(["nvidia-smi"])
    if plain is None:
        return {"nvidia_smi": "did not finish"}
    header = _HEADER.search(plain.text)
    if plain.code != 0 or not header:
        said = (plain.text + plain.err).strip().splitlines()
        return {"nvidia_smi": said[0][:200] if said else f"exit code {plain.code}"}
    out = {"nvidia_smi": "ok", "cuda_driver": header.group(2)}
    query = ctx.run(_QUERY)
    rows = [r.rsplit(",", 1) for r in query.text.strip().splitlines()] if query and query.code == 0 else []
    names: List[str] = [r[0].strip() for r in rows if len(r) == 2]
    caps = [r[1].strip() for r in rows if len(r) == 2 and re.fullmatch(r"\d+\.\d+", r[1].strip())]
    if names:
        out.update(gpu_count=str(len(names)), gpu_names="; ".join(names))
    if caps:
        out["gpu_compute_cap"] = " ".join(dict.fromkeys(caps))
    return out
