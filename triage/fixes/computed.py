"""Values a KB rewrite may ask triage to compute on this machine, instead of shell code in the
corrected command: `{free_port}` in a rewrite's `replace` becomes a TCP port no socket here uses right now."""
from __future__ import annotations

import random
import re
from typing import Callable, Dict, Iterable, Optional, Set

PORTS = range(29500, 30500)  # torch.distributed's default 29500 and the thousand above it
_NAME = re.compile(r"\{(\w+)\}")


def ports_in_use(tables: Iterable[str] = ("/proc/net/tcp", "/proc/net/tcp6")) -> Optional[Set[int]]:
    """Local TCP ports of every socket here (Linux's tables, read, no socket opened), or None
    when the tables cannot be read."""
    used: Set[int] = set()
    read = False
    for table in tables:
        try:
            with open(table, encoding="ascii") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        read = True
        for row in rows:
            fields = row.split()
            if len(fields) > 1 and ":" in fields[1]:
                used.add(int(fields[1].rsplit(":", 1)[1], 16))
    return used if read else None


def free_port() -> int:
    """A port of PORTS that no socket here uses, from a random start (two restarted jobs differ);
    where the tables cannot be read, a random port of PORTS."""
    used = ports_in_use() or set()
    start = random.randrange(len(PORTS))
    for i in range(len(PORTS)):
        port = PORTS[(start + i) % len(PORTS)]
        if port not in used:
            return port
    raise OSError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


COMPUTED: Dict[str, Callable[[], object]] = {"free_port": free_port}


class Computed:
    """Fills {names} of COMPUTED in rewrite templates; each value computed once, when first used."""

    def __init__(self) -> None:
        self.values: Dict[str, str] = {}

    def fill(self, template: str) -> str:
        def value(m: "re.Match[str]") -> str:
            name = m.group(1)
            if name not in COMPUTED:
                return m.group(0)
            if name not in self.values:
                self.values[name] = str(COMPUTED[name]())
            return self.values[name]

        return _NAME.sub(value, template)
