"""`triage kb lint`: what the loader cannot see in one entry alone, plus every example."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

from triage.knowledge.examples import failures
from triage.limits import MIN_SELECTIVE_LITERAL
from triage.model import KnowledgeBase


@dataclass(frozen=True)
class LintReport:
    errors: List[str]
    warnings: List[str]


def lint(kb: KnowledgeBase, run_examples: bool = True) -> LintReport:
    errors: List[str] = []
    warnings: List[str] = []
    ids = set(kb.ids)
    for entry in kb.entries:
        where = f"{entry.path}: entry '{entry.id}'"
        for target in entry.causes:
            if target not in ids:
                errors.append(f"{where}, field 'causes': unknown id '{target}'")
        for i, sig in enumerate(entry.signatures):
            if not sig.literals:
                warnings.append(f"{where}, field 'signatures[{i}]': no prefilter literal; add keywords")
            elif min(len(lit.encode("utf-8")) for lit in sig.literals) < MIN_SELECTIVE_LITERAL:
                warnings.append(f"{where}, field 'signatures[{i}]': literal {sorted(sig.literals, key=len)[0]!r}"
                                " is too short to be selective; add keywords")
        for i, sig in enumerate(entry.signatures):
            for j, cond in enumerate(sig.requires + sig.veto):
                if cond.within is None and (not cond.literals or min(map(len, cond.literals)) < 3):
                    warnings.append(f"{where}, field 'signatures[{i}]' condition {j}: a whole-log condition "
                                    "without a literal of 3+ characters is checked on every line; make it selective")
        if len(entry.examples.match) < 3 or len(entry.examples.no_match) < 2:
            warnings.append(f"{where}, field 'examples': fewer than 3 match / 2 no_match examples")
    if run_examples:
        errors += failures(kb)
    return LintReport(errors, warnings)
