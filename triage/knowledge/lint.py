"""`triage kb lint`: every gate the test suite applies to a KB entry, with the same thresholds,
over every file (a broken file does not hide the next), plus warnings and an overlap report.

The tests call these same functions, so an author whose lint run is clean meets no failing test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from triage.engine.words import COMMON_LITERALS
from triage.errors import KBError
from triage.knowledge.loader import entry_files, parse_all
from triage.limits import MIN_SELECTIVE_LITERAL
from triage.model import Entry, KnowledgeBase, Solution

# The lead sets this to True once every bundled entry carries its Chinese text: from then on an
# entry of the bundled kb/ (in a source checkout) without a zh: block is an error, not a warning.
REQUIRE_ZH = True
MIN_MATCH = 3  # `match` examples an entry needs (real wordings, across versions)
MIN_NO_MATCH = 2  # `no_match` near-misses an entry needs
TODO = re.compile(r"\s*TODO\b")  # how a draft marks the text a person has still to write


@dataclass
class LintReport:
    errors: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    overlaps: List[str] = field(default_factory=list)  # "<entry>::match[i]: also <ids>", one per example

    @property
    def overlapping_entries(self) -> int:
        """How many entries have a match example on which another entry fires too."""
        return len({line.split("::", 1)[0] for line in self.overlaps})


def lint_dirs(dirs: Sequence[Path], run_examples: bool = True, fixtures: Optional[Path] = None,
              catalog: Optional[Path] = None) -> LintReport:
    """Lint every KB file under `dirs`: load problems of all files, then every gate on what loads."""
    entries, problems = parse_all(entry_files(dirs))
    report = LintReport(errors=[str(p) for p in problems])
    kb = KnowledgeBase(tuple(sorted(entries, key=lambda e: e.id)))
    report.errors += content_problems(kb) + superlinear_regexes(kb)
    report.warnings += selectivity_warnings(kb)
    zh_errors, zh_warnings = translation_findings(kb)
    report.errors += zh_errors
    report.warnings += zh_warnings
    if fixtures is not None:
        report.errors += fixture_problems(kb, fixtures)
    if catalog is not None and not problems:
        report.errors += catalog_problems(kb, catalog)
    if run_examples:
        from triage.knowledge.examples import run_all

        failures, overlaps = run_all(kb)
        report.errors += failures
        report.overlaps += overlaps
    return report


def problem(entry: Entry, field_name: str, text: str) -> str:
    """One lint finding, worded as the loader words a KB problem (file, entry, field)."""
    return str(KBError(entry.path, entry.id, field_name, text))


def content_problems(kb: KnowledgeBase) -> List[str]:
    """What every entry must carry: examples enough to prove it, solutions, refs. A draft
    (`draft: true`, from `triage learn`) needs one match example and may leave its solutions
    TODO and its refs out; once the mark is removed it is held to everything."""
    out = []
    for e in kb.entries:
        least_match, least_no_match = (1, 0) if e.draft else (MIN_MATCH, MIN_NO_MATCH)
        if len(e.examples.match) < least_match or len(e.examples.no_match) < least_no_match:
            out.append(problem(e, "examples", f"needs at least {least_match} match and {least_no_match} no_match "
                               f"examples (has {len(e.examples.match)} and {len(e.examples.no_match)})"))
        if not e.solutions:
            out.append(problem(e, "solutions", "needs at least one solution"))
        if not e.refs and not e.draft:
            out.append(problem(e, "refs", "cite the upstream issue, PR or docs that back the entry"))
        out += [problem(e, f"solutions[{i}]", "still says TODO: write the fix (only a draft may leave it open)")
                for i, s in enumerate(e.solutions) if not e.draft and is_todo(s)]
    return out


def is_todo(solution: Solution) -> bool:
    """A solution left for a person to write (what `triage learn` puts in a draft)."""
    return any(TODO.match(text) for text in (solution.title, solution.why, *solution.steps))


def translation_findings(kb: KnowledgeBase) -> Tuple[List[str], List[str]]:
    """(errors, warnings) about entries' Chinese text (its `zh:` block, written in Chinese, not
    copied English): an error where zh_required, else a warning."""
    from triage.knowledge.translation import CJK

    errors: List[str] = []
    warnings: List[str] = []
    for e in kb.entries:
        if e.draft:  # translated once a person has written it
            continue
        if e.zh is None:
            found = problem(e, "zh", "no Chinese text; add a zh: block (kb/README.md, 'Chinese text')")
        elif not CJK.search(e.zh.title) or not CJK.search(e.zh.summary):
            found = problem(e, "zh", "the title and summary must be written in Chinese")
        else:
            continue
        (errors if zh_required(e) else warnings).append(found)
    return errors, warnings


def zh_required(entry: Entry) -> bool:
    """A missing zh: block is an error for an entry of the bundled KB in a source checkout (once
    REQUIRE_ZH is set), and a warning elsewhere: a team's own KB, an installed copy, a draft."""
    if not REQUIRE_ZH or entry.draft:
        return False
    bundled = _bundled_checkout()
    return bundled is not None and Path(entry.path).resolve().is_relative_to(bundled)


@lru_cache(maxsize=1)
def _bundled_checkout() -> Optional[Path]:
    """The bundled kb/ folder when it is a source checkout's (not an installed copy), else None."""
    from triage.knowledge.loader import bundled_kb_dir

    bundled = bundled_kb_dir().resolve()
    return None if checkout_paths(bundled) == (None, None) else bundled


def superlinear_regexes(kb: KnowledgeBase) -> List[str]:
    """Every KB regex timed on hostile long lines built from its own parts: one that grows
    faster than the line would let a log stall triage, so it is an error."""
    from triage.knowledge.redos import find_superlinear

    return [finding.message() for finding in find_superlinear(kb)]


def selectivity_warnings(kb: KnowledgeBase) -> List[str]:
    out = []
    for e in kb.entries:
        for i, sig in enumerate(e.signatures):
            at = f"signatures[{i}]"
            if not sig.literals:
                out.append(problem(e, at, "no prefilter literal; add keywords"))
            elif common := sorted(set(sig.literals) & COMMON_LITERALS):
                out.append(problem(e, at, f"literal {common[0]!r} is on many lines of healthy logs; "
                                             "give keywords that every match holds and few other lines do"))
            elif min(len(lit.encode("utf-8")) for lit in sig.literals) < MIN_SELECTIVE_LITERAL:
                out.append(problem(e, at, f"literal {sorted(sig.literals, key=len)[0]!r} "
                                             "is too short to be selective; add keywords"))
            for j, cond in enumerate(sig.requires + sig.veto):
                if cond.within is None and (not cond.literals or min(map(len, cond.literals)) < 3):
                    out.append(problem(e, at, f"condition {j}: a whole-log condition without a literal of 3+ "
                                                 "characters is checked on every line; make it selective"))
    return out


def fixture_problems(kb: KnowledgeBase, fixtures: Path) -> List[str]:
    """Every entry has a fixture log that expects it (fixtures/README.md)."""
    from triage.knowledge.fixtures import labelled_logs

    covered = {m.label for m in labelled_logs(fixtures)}
    return [problem(e, "id", f"no fixture expects it; write {fixtures}/{e.id}.log "
                             "(first line: # triage-fixture: expect=<id> line=<N>)")
            for e in kb.entries if e.id not in covered and not e.draft]


def catalog_problems(kb: KnowledgeBase, catalog: Path) -> List[str]:
    """The catalogue (docs/catalog.md) and its Chinese twin beside it are what `triage kb catalog`
    (`--lang zh`) prints today."""
    from triage.i18n.words import words_for
    from triage.knowledge.catalog import CATALOG_FILES, catalog_markdown

    out = []
    for lang, name in CATALOG_FILES.items():
        path = catalog.with_name(name)
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != catalog_markdown(kb, words_for(lang)):
            flag = "" if lang == "en" else f" --lang {lang}"
            out.append(f"{path}: out of date; regenerate it with `triage kb catalog{flag} > {path}`")
    return out


def checkout_paths(kb_dir: Path) -> Tuple[Optional[Path], Optional[Path]]:
    """In a source checkout, the fixtures folder and the catalogue beside the bundled kb/."""
    root = kb_dir.parent
    fixtures, catalog = root / "fixtures" / "logs", root / "docs" / "catalog.md"
    if kb_dir.name != "kb" or not fixtures.is_dir():
        return None, None
    return fixtures, catalog
