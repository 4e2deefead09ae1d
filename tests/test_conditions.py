"""What the engine concludes about a condition without running it (triage/engine/conditions.py)."""
from __future__ import annotations

import pytest

from triage.engine.conditions import bind, needles, required_captures
from triage.model import Condition


@pytest.mark.parametrize("source, required", [
    (r"(?i)^(?:.*[$#>`]\s*)?(?:pip|python\s+-m\s+pip)\s+install\s++(?:-\S++\s++)*+(?:[\w.]+-)?{{module}}(?![\w.-])",
     ("module",)),
    (r": {{command}}: (?:command )?not found|['\"]{{command}}(?:\.exe)? is not recognized", ("command",)),
    (r"Requirement already satisfied: {{mod_a}}-{{mod_b}}(?:\[[^\]]*\])?", ("mod_a", "mod_b")),
    (r"(?:a{{x}}){2}", ("x",)),
    (r"a|{{x}}", ()),  # one alternative goes around it
    (r"(?:{{x}})?b", ()),  # optional
    (r"(?:{{x}})*b", ()),
    (r"(?=x{{a}})y", ()),  # inside a look-around: not claimed
    (r"\p{L}{{x}}", ()),  # a `regex`-only construct: nothing claimed
])
def test_required_captures(source: str, required: tuple) -> None:
    assert required_captures(source) == required


def test_a_line_without_the_needle_cannot_match_the_bound_condition() -> None:
    cond = Condition(r"(?i)pip install (?:-U )?{{module}}\b", None)
    found = {"module": "Flash_Attn"}
    assert needles(cond, found) == ("Flash_Attn",)
    pattern = bind(cond, found).pattern
    for line in ["$ PIP INSTALL -U flash_attn", "pip install numpy", "pip install flash-attn"]:
        # wherever the bound pattern matches, the needle is in the line (case folded)
        assert not pattern.search(line) or "flash_attn" in line.lower()
    assert pattern.search("$ PIP INSTALL -U flash_attn")
    assert needles(cond, {}) and not bind(cond, {}).pattern.search("pip install x")  # no capture: nothing matches
