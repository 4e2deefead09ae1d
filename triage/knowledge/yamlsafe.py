"""Read one KB file as plain YAML data, with alias expansion bounded.

A KB file may come from anyone (`--kb`, TRIAGE_KB_PATH). The safe loader runs no code, but
aliases let a few hundred bytes stand for gigabytes ("billion laughs"), which hangs whatever
walks the data next. Entries do share lists through anchors (`requires: *deepspeed-context`),
so aliases stay allowed; a file whose expanded size passes MAX_NODES, or whose alias refers to
itself, is refused before anything is built from it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

from triage.errors import KBError

# expanded YAML nodes one file may stand for; the largest bundled entry stands for about 600
MAX_NODES = 100_000


def read_yaml(path: Path) -> Any:
    import yaml  # only when the cached KB is stale: start-up skips it

    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loader = loader_cls(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()  # composing shares aliased nodes: nothing expands yet
            if node is None:
                return None
            size = expanded_size(node, str(path))
            if size > MAX_NODES:
                raise KBError(str(path), None, None, f"its aliases expand to more than {MAX_NODES:,} values; "
                                                     "write it with fewer anchors and aliases (&name, *name)")
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KBError(str(path), None, None, f"cannot be read as YAML: {exc}") from None


def _children(node: Any) -> List[Any]:
    if not isinstance(node.value, list):
        return []
    return [child for item in node.value for child in (item if isinstance(item, tuple) else (item,))]


def expanded_size(root: Any, path: str) -> int:
    """How many nodes the document holds once every alias is expanded, counted without expanding
    (each shared node's size is computed once); stops early past MAX_NODES."""
    sizes: Dict[int, int] = {}
    stack: List[Tuple[Any, bool]] = [(root, False)]
    open_: set = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in _children(node)), MAX_NODES + 1)
            continue
        if key in sizes:
            continue
        if key in open_:
            raise KBError(path, None, None, f"an alias refers to itself (line {node.start_mark.line + 1})")
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]
