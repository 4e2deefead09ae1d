"""docker's CLI version, the daemon's runtimes, the NVIDIA container toolkit and CDI specs.

`docker --version` prints "Docker version 28.2.2, build e6534b4" without a daemon; `--gpus` needs
the 19.03 CLI. `docker info --format '{{json .}}'` has "Runtimes" (a map: "nvidia" when the
toolkit's runtime is registered in daemon.json). nvidia-docker2 2.14.0 and later install no
`nvidia-docker` script. `nvidia-container-cli info --csv` prints "NVRM version,CUDA version" and
the values on the next line. CDI specs live in /etc/cdi and /var/run/cdi (`nvidia-ctk cdi generate`).
"""
from __future__ import annotations

import json
import re
from typing import Dict

from triage.doctor.context import Context
from triage.doctor.probes.common import flag

CDI_DIRS = ("/etc/cdi", "/var/run/cdi")
TOOLKIT = ("nvidia-container-cli", "nvidia-ctk", "nvidia-container-runtime", "nvidia-container-toolkit")


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    out = {"docker_client": _client(ctx), "nvidia_docker": ctx.which("nvidia-docker") or "none",
           "nvidia_container_toolkit": flag(any(ctx.which(t) for t in TOOLKIT))}
    if out["docker_client"] != "none":
        runtimes = _runtimes(ctx)
        if runtimes is not None:
            out["docker_runtimes"] = runtimes
    specs = [f"{d}/{n}" for d in CDI_DIRS for n in ctx.files.listdir(d)
             if n.endswith((".yaml", ".yml", ".json")) and "nvidia" in (ctx.files.read(f"{d}/{n}", 1 << 16) or "")]
    out["cdi_specs"] = " ".join(specs) or "none"
    if ctx.which("nvidia-container-cli"):
        found = _container_cli(ctx)
        if "gpu_compute_cap" in facts:  # nvidia-smi's answer stands
            found.pop("gpu_compute_cap", None)
        out.update(found)
    return out


def _client(ctx: Context) -> str:
    if not ctx.which("docker"):
        return "none"
    done = ctx.run(["docker", "--version"])
    m = re.search(r"Docker version (\d+\.\d+(?:\.\d+)?)", done.text) if done else None
    return m.group(1) if m else "none"


def _runtimes(ctx: Context) -> "str | None":
    done = ctx.run(["docker", "info", "--format", "{{json .}}"])
    try:
        info = json.loads(done.text) if done and done.code == 0 else None
    except ValueError:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("Runtimes"), dict):
        return None
    return " ".join(sorted(info["Runtimes"]))


def _container_cli(ctx: Context) -> Dict[str, str]:
    """libnvidia-container's src/cli/info.c prints "NVRM version,CUDA version" and its values, a
    blank line, then "Device Index,...,Architecture" and one row per GPU (architecture last, "8.0")."""
    done = ctx.run(["nvidia-container-cli", "info", "--csv"])
    lines = [line.strip() for line in (done.text if done and done.code == 0 else "").splitlines()]
    out: Dict[str, str] = {}
    for i, (head, values) in enumerate(zip(lines, lines[1:])):
        if head.lower().startswith("nvrm version,cuda version") and values.count(",") >= 1:
            out["container_cli_cuda"] = values.split(",")[1].strip()
        if head.lower().startswith("device index,") and head.lower().endswith(",architecture"):
            caps = [row.rsplit(",", 1)[-1] for row in lines[i + 1:] if re.fullmatch(r"\d+,.*,\d+\.\d+", row)]
            if caps:
                out["gpu_compute_cap"] = " ".join(dict.fromkeys(caps))
    return {k: v for k, v in out.items() if v}
