"""`triage doctor`'s report -> text, JSON or Markdown; and the lines `triage LOG --doctor` adds.

Pure functions of the report (no I/O). JSON: {"schema": 1, "facts": {...}, "checks": [{"id",
"verdict", "reason", "facts": ["name=value", ...]}]}.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Sequence

from triage.cli.render.common import md_escape, printable
from triage.model import CheckResult

DOCTOR_SCHEMA_VERSION = 1
ORDER = {"confirmed": 0, "unknown": 1, "ruled_out": 2}
LABEL = {"confirmed": "confirmed", "ruled_out": "ruled out", "unknown": "unknown"}
MAX_FACT = 100  # characters of one fact's value in text (the list of model types is long)
PACKAGES_SHOWN = ("torch", "transformers", "accelerate", "peft", "bitsandbytes", "deepspeed", "flash-attn",
                  "numpy", "vllm", "xformers", "triton")


def check_dict(c: CheckResult) -> Dict[str, Any]:
    return {"id": c.id, "verdict": c.verdict, "reason": c.reason, "facts": list(c.facts)}


def doctor_json(facts: Mapping[str, str], checks: Sequence[CheckResult]) -> str:
    doc = {"schema": DOCTOR_SCHEMA_VERSION, "facts": dict(facts), "checks": [check_dict(c) for c in checks]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def headline(facts: Mapping[str, str]) -> List[str]:
    """What a reader wants first: which Python, which GPU, which torch."""
    where = facts.get("python_executable") or "the given site-packages"
    lines = [f"Python {facts.get('python', '?')} ({where}), {facts.get('platform', '?')}"
             + (", in a container" if facts.get("container") == "true" else "")
             + (", conda environment" if facts.get("conda") == "true" else "")]
    if facts.get("gpu_count", "0") != "0":
        lines.append(f"NVIDIA GPU: {facts.get('gpu_names', facts['gpu_count'])}; driver {facts.get('nvidia_driver', '?')}"
                     f" (CUDA up to {facts.get('cuda_driver', '?')})")
    elif facts.get("nvidia_driver", "none") == "none":
        lines.append("NVIDIA GPU: none found (no NVIDIA driver loaded" +
                     (", no nvidia-smi)" if facts.get("nvidia_smi") == "none" else ")"))
    else:
        lines.append(f"NVIDIA driver {facts['nvidia_driver']} loaded, but no GPU listed (nvidia-smi: {facts.get('nvidia_smi')})")
    torch = facts.get("torch")
    if torch == "none":
        lines.append("torch: not installed in this environment")
    elif torch:
        build = "CPU build" if facts.get("torch_cuda") == "none" else f"built for CUDA {facts.get('torch_cuda', '?')}"
        lines.append(f"torch: {torch} ({build})")
    return lines


def doctor_text(facts: Mapping[str, str], checks: Sequence[CheckResult], notes: Sequence[str] = ()) -> str:
    out = ["triage doctor: " + headline(facts)[0]] + [f"  {line}" for line in headline(facts)[1:]]
    out += [f"  {note}" for note in notes]
    counts = {v: sum(1 for c in checks if c.verdict == v) for v in ORDER}
    out += ["", f"Checks ({len(checks)}): {counts['confirmed']} confirmed, {counts['ruled_out']} ruled out, "
                f"{counts['unknown']} unknown"]
    for c in sorted(checks, key=lambda c: ORDER.get(c.verdict, 3)):
        out.append(f"  {LABEL.get(c.verdict, c.verdict):<10} {c.id}: {printable(c.reason, 400)}")
    out += ["", "Facts:"] + [f"  {name} = {_short(value)}" for name, value in _shown_facts(facts)]
    out += ["", "Details: triage doctor --format json; one entry: triage doctor --for ID; imports: --live"]
    return "\n".join(out) + "\n"


def doctor_markdown(facts: Mapping[str, str], checks: Sequence[CheckResult], notes: Sequence[str] = ()) -> str:
    out = ["## triage doctor", ""] + [f"- {md_escape(line)}" for line in headline(facts) + list(notes)]
    out += ["", "| verdict | entry | reason |", "|---|---|---|"]
    for c in sorted(checks, key=lambda c: ORDER.get(c.verdict, 3)):
        out.append(f"| {LABEL.get(c.verdict, c.verdict)} | `{c.id}` | {md_escape(c.reason).replace('|', '&#124;')} |")
    out += ["", "<details><summary>Facts</summary>", "", "```"]
    out += [f"{name} = {_short(value)}" for name, value in _shown_facts(facts)] + ["```", "", "</details>"]
    return "\n".join(out) + "\n"


def doctor_lines(checks: Sequence[CheckResult], elsewhere: Sequence[str]) -> List[str]:
    """What `triage LOG --doctor` adds under a log's diagnoses, one line per check."""
    out = [f"   The log looks like it came from another machine: {printable('; '.join(elsewhere), 600)}."] if elsewhere else []
    out += [f"   On this machine: {c.id}: {LABEL.get(c.verdict, c.verdict)}: {printable(c.reason, 300)}" for c in checks]
    if not checks:
        out.append("   On this machine: none of these diagnoses declares a check (triage doctor lists those that do)")
    return out


def _shown_facts(facts: Mapping[str, str]) -> List[tuple]:
    plain = [(k, v) for k, v in facts.items() if not k.startswith("package:") and k != "site_packages"]
    packages = [(k, facts[f"package:{k}"]) for k in PACKAGES_SHOWN if f"package:{k}" in facts]
    installed = sum(1 for k in facts if k.startswith("package:"))
    return plain + [(f"package:{k}", v) for k, v in packages] + [("packages installed", str(installed))]


def _short(value: str) -> str:
    value = printable(value, 10_000)
    words = len(value.split())
    return value if len(value) <= MAX_FACT else f"{value[:MAX_FACT]}… ({words} words)"
