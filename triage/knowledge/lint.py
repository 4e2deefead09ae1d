"""`triage kb lint`: what the loader cannot see in one entry alone, plus every example."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List

from triage.knowledge.examples import failures
from triage.model import KnowledgeBase

MIN_LITERAL = 4  # shorter prefilter literals select too many lines to be worth it


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
            elif min(len(lit.encode("utf-8")) for lit in sig.literals) < MIN_LITERAL:
                warnings.append(f"{where}, field 'signatures[{i}]': literal {sorted(sig.literals, key=len)[0]!r}"
                                " is too short to be selective; add keywords")
        for i, sig in enumerate(entry.signatures):
            for j, cond in enumerate(sig.requires + sig.veto):
                if cond.within is None and (not cond.literals or min(map(len, cond.literals)) < 3):
                    warnings.append(f"{where}, field 'signatures[{i}]' condition {j}: a whole-log condition "
                                    "without a literal of 3+ characters is checked on every line; make it selective")
        if len(entry.examples.match) < 3 or len(entry.examples.no_match) < 2:
            warnings.append(f"{where}, field 'examples': fewer than 3 match / 2 no_match examples")
    errors += superlinear_regexes(kb)
    if run_examples:
        errors += failures(kb)
    return LintReport(errors, warnings)


def superlinear_regexes(kb: KnowledgeBase) -> List[str]:
    """Every KB regex timed on hostile long lines built from its own parts: one that grows
    faster than the line would let a log stall triage (issue 10), so it is an error."""
    from triage.knowledge.redos import find_superlinear

    return [finding.message() for finding in find_superlinear(kb)]
