"""--live: ask a child process of the target interpreter what torch says of itself; then the facts
derived from several probes.

The child imports torch but never initialises CUDA without --cuda: torch.version.cuda and
torch.compiled_with_cxx11_abi() are constants, and torch._C._cuda_getArchFlags() returns the
compile-time CUDA_ARCH_FLAGS string (torch/csrc/cuda/Module.cpp) that torch.cuda.get_arch_list()
only hands out once CUDA is available; CUDA_VISIBLE_DEVICES is emptied before the import as a
guard. --cuda lets it run one tiny op on the GPU, the real test of "no kernel image".
"""
from __future__ import annotations

import json
import re
from typing import Dict, List

from triage.doctor.context import Context
from triage.doctor.probes.common import flag

LIVE_TIMEOUT = 120.0  # importing torch from a cold network file system can take a minute
# sys.path[0] ('' for -c, the folder run from) is dropped so a stray torch.py there is not imported
LIVE_SCRIPT = """
import json, os, sys
sys.path.pop(0)
cuda = sys.argv[1:] == ['--cuda']
if not cuda:
    os.environ['CUDA_VISIBLE_DEVICES'] = ''
out = {}
try:
    import torch
    out['torch'] = torch.__version__
    out['torch_cuda'] = torch.version.cuda or 'none'
    flags = getattr(torch._C, '_cuda_getArchFlags', lambda: None)()
    out['torch_arch_list'] = flags or 'none'
    out['torch_cxx11_abi'] = 'true' if torch.compiled_with_cxx11_abi() else 'false'
    if cuda and torch.cuda.is_available():
        out['gpu_compute_cap'] = ' '.join(sorted({'%d.%d' % torch.cuda.get_device_capability(i)
                                                  for i in range(torch.cuda.device_count())}))
        try:
            (torch.ones(1, device='cuda') + 1).item()
            out['cuda_kernel_test'] = 'ok'
        except Exception as exc:
            out['cuda_kernel_test'] = (str(exc).strip().splitlines() or ['error'])[0][:200]
    out['live'] = 'ok'
except Exception as exc:
    out['live'] = ('%s: %s' % (type(exc).__name__, exc)).splitlines()[0][:200]
print(json.dumps(out))
"""


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    python = ctx.python or facts.get("python_executable")
    if not ctx.live or not python:
        return {}
    done = ctx.run([python, "-c", LIVE_SCRIPT] + (["--cuda"] if ctx.cuda else []))
    try:
        found = json.loads(done.text.strip().splitlines()[-1]) if done and done.text.strip() else None
    except ValueError:
        found = None
    if not isinstance(found, dict):
        return {"live": "the child process gave no answer" + (f" (exit code {done.code})" if done else "")}
    out = {str(k): str(v) for k, v in found.items() if k != "torch"}
    return out


def derived(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    """Facts that combine others: whether torch has kernels for every GPU here."""
    arch, caps = facts.get("torch_arch_list"), facts.get("gpu_compute_cap")
    if not arch or not caps or arch == "none":
        return {}
    return {"torch_kernels_for_gpu": flag(all(runs_on(arch.split(), cap) for cap in caps.split()))}


def runs_on(arch_list: List[str], capability: str) -> bool:
    """Whether code built for arch_list runs on a GPU of this compute capability: a cubin for the
    same major and a lower or equal minor (sm_80 runs on 8.6), or PTX (compute_XY) of a lower or
    equal capability, which the driver compiles. Family-specific targets (sm_90a) run only on their own."""
    m = re.fullmatch(r"(\d+)\.(\d+)", capability)
    if not m:
        return False
    major, minor = int(m.group(1)), int(m.group(2))
    for target in arch_list:
        t = re.fullmatch(r"(sm|compute)_(\d+?)(\d)([af]?)", target)
        if not t:
            continue
        t_major, t_minor, special = int(t.group(2)), int(t.group(3)), t.group(4)
        if special:
            if (t_major, t_minor) == (major, minor):
                return True
        elif t.group(1) == "sm" and t_major == major and t_minor <= minor:
            return True
        elif t.group(1) == "compute" and (t_major, t_minor) <= (major, minor):
            return True
    return False
