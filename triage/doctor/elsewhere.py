"""Does a log look like it came from another machine than the one `--doctor` looks at?

Evidence lines name paths (a site-packages folder, a home folder) and versions (python3.10 in a
path, torch 2.0.1+cu117): a site-packages folder that does not exist here, or a Python or torch
version other than this machine's, says the machine checks may not speak for the log.
"""
from __future__ import annotations

import re
from typing import List, Mapping, Sequence

from triage.doctor.context import Files
from triage.model import Diagnosis

_SITE = re.compile(r"(?<![\w.])(/[^\s'\"`:,()]{1,300}?/(?:site|dist)-packages)(?=/)")
_PATH = re.compile(r"/[^\s'\"`:]{1,300}/[^\s'\"`:]{1,300}")
_PYTHON = re.compile(r"/python(\d\.\d{1,2})/")
_TORCH = re.compile(r"\btorch[ =]=?\s*(\d+\.\d+\.\d+(?:\+\w+)?)")
MAX_SAID = 3


def elsewhere(diagnoses: Sequence[Diagnosis], facts: Mapping[str, str], files: Files) -> List[str]:
    """Reasons to believe the log is from another machine; [] when nothing says so."""
    text = "\n".join(ev.text for d in diagnoses for ev in d.evidence)
    said: List[str] = []
    missing = sorted({s for s in _SITE.findall(text) if not files.is_dir(s)})
    # paths the diagnoses captured (a library, a CUDA_HOME, a package folder) that are not here
    missing += sorted({v for d in diagnoses for v in d.variables.values()
                       if _PATH.fullmatch(v) and not files.exists(v) and not any(v.startswith(m) for m in missing)})
    if missing:
        said.append(f"the log's {', '.join(missing[:2])} {'do' if len(missing) > 1 else 'does'} not exist here")
    pythons = sorted(set(_PYTHON.findall(text)))
    here = ".".join(facts.get("python", "").split(".")[:2])
    if here and pythons and here not in pythons:
        said.append(f"the log runs Python {', '.join(pythons)}; the Python looked at here is {here}")
    torches = sorted(set(_TORCH.findall(text)))
    mine = facts.get("package:torch")
    if mine and torches and mine not in torches:
        said.append(f"the log shows torch {', '.join(torches)}; torch {mine} is installed here")
    return said[:MAX_SAID]
