"""The one version-range checker: a solution's `applies_if` and a fix's `versions` both use it."""
from __future__ import annotations

import re
from typing import Optional, Tuple

from triage.knowledge.schema import VERSION_CLAUSE

_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_NAME_SEPARATORS = re.compile(r"[-_.]+")


def version_tuple(version: str) -> Tuple[int, ...]:
    """The release part of a version: '2.0.1+cu117' -> (2, 0, 1), '0.43.0.dev0' -> (0, 43, 0)."""
    release = _RELEASE.match(version.strip())
    return tuple(int(p) for p in release.group(0).split(".")) if release else ()


def satisfies(version: Optional[str], spec: Optional[str]) -> bool:
    """A small subset of PEP 440 specifiers: >=, <=, >, <, ==, != and ==X.Y.* (local tags and
    pre-release tags ignored: 2.6.0a0 counts as 2.6.0). No spec: any version, even an unknown one.
    ValueError for a clause the loader would have refused."""
    if not spec:
        return True
    if version is None or not version_tuple(version):
        return False
    have = version_tuple(version)
    for clause in (c.strip() for c in spec.split(",") if c.strip()):
        m = VERSION_CLAUSE.fullmatch(clause)
        if not m:
            raise ValueError(f"cannot read version specifier {clause!r}")
        op, want, star = m.group(1), version_tuple(m.group(2)), m.group(3)
        mine = have[: len(want)] if star else have + (0,) * max(0, len(want) - len(have))
        want = want + (0,) * max(0, len(mine) - len(want))
        ok = {">=": mine >= want, "<=": mine <= want, ">": mine > want, "<": mine < want,
              "==": mine == want, "!=": mine != want}[op]
        if not ok:
            return False
    return True


def dist_name(name: str) -> str:
    """A distribution name as PEP 503 compares them: Flash_Attn, flash.attn -> flash-attn."""
    return _NAME_SEPARATORS.sub("-", name.strip()).lower()
