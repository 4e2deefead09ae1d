"""The user's project (--project): a model's config.json and a saved PEFT adapter.

transformers raises "model type `X` but Transformers does not recognize this architecture" when
config.json's model_type is not a key of CONFIG_MAPPING_NAMES in
transformers/models/auto/configuration_auto.py (pairs ("llama", "LlamaConfig"), or a dict in
recent releases), read here as text. A safetensors file starts with an 8-byte little-endian
header length and a JSON header naming every tensor ("__metadata__" aside).
"""
from __future__ import annotations

import json
import re
import struct
from typing import Any, Dict, Optional

from triage.doctor.context import Context
from triage.doctor.probes.common import sites

_MODEL_TYPE = re.compile(r"""["']([a-z0-9][\w-]*)["']\s*[,:]\s*["']\w*Config["']""")
ADAPTERS = ("adapter_model.safetensors", "adapter_model.bin")
MAX_DEPTH = 3  # folders below --project searched for an adapter (checkpoint-500/adapter_model.bin)


def probe(ctx: Context, facts: Dict[str, str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for site in sites(ctx, facts):
        text = ctx.files.read(f"{site}/transformers/models/auto/configuration_auto.py")
        if text:
            out["transformers_model_types"] = " ".join(sorted(set(_MODEL_TYPE.findall(text))))
            break
    if not ctx.project:
        return out
    config = _json(ctx, f"{ctx.project}/config.json")
    for key in ("model_type", "transformers_version"):
        if isinstance(config, dict) and isinstance(config.get(key), str):
            out["model_" + key if key != "model_type" else key] = config[key]
    adapter = find_adapter(ctx, ctx.project, MAX_DEPTH)
    if adapter:
        out.update(adapter_file=adapter, adapter_bytes=str(ctx.files.size(adapter) or 0))
        if adapter.endswith(".safetensors"):
            tensors = safetensors_count(ctx, adapter)
            if tensors is not None:
                out["adapter_tensors"] = str(tensors)
    return out


def find_adapter(ctx: Context, folder: str, depth: int) -> Optional[str]:
    """The first adapter file at the shallowest level under folder."""
    names = ctx.files.listdir(folder)
    for name in ADAPTERS:
        if name in names:
            return f"{folder}/{name}"
    for name in names if depth > 0 else ():
        if not name.startswith(".") and ctx.files.is_dir(f"{folder}/{name}"):
            found = find_adapter(ctx, f"{folder}/{name}", depth - 1)
            if found:
                return found
    return None


def safetensors_count(ctx: Context, path: str) -> Optional[int]:
    head = ctx.files.read_bytes(path, 8)
    if not head or len(head) < 8:
        return None
    size, = struct.unpack("<Q", head)
    header = ctx.files.read_bytes(path, min(size, 100 << 20), 8) if size else None
    try:
        tensors = json.loads(header or b"null")
    except ValueError:
        return None
    return len([k for k in tensors if k != "__metadata__"]) if isinstance(tensors, dict) else None


def _json(ctx: Context, path: str) -> Any:
    try:
        return json.loads(ctx.files.read(path, 1 << 20) or "null")
    except ValueError:
        return None
