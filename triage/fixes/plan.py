"""The fix API: plan_fix -> FixPlan (what would change, as a diff), apply_fix, revert_fix."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from triage.errors import PatchError
from triage.fixes.argv import Invocation, from_log, from_template
from triage.fixes.patch import (
    BACKUP_SUFFIX,
    FileEdit,
    apply_edit,
    backup_entry,
    edit_exact,
    edit_regex,
    read_text,
    revert_file,
    unified_diff,
)
from triage.fixes.sitepkgs import inside, locate, satisfies, site_dirs
from triage.fixes.spec import FixSpec
from triage.model import Diagnosis, Entry, KnowledgeBase, compile_pattern

SKIP_DIRS = {".git", ".hg", ".venv", "venv", "env", "node_modules", "site-packages", "__pycache__", ".tox"}


@dataclass(frozen=True)
class FixPlan:
    entry_id: str
    kind: str  # package | project | command | shell
    safety: str  # safe | unsafe | display
    outcome: str  # ready | already-applied | not-applicable | target-not-found | applied | reverted
    reason: str
    target: Optional[str] = None  # the file(s) or the command
    version: Optional[str] = None  # installed version found (package fixes)
    versions: Optional[str] = None  # versions the patch is known for
    diff: str = ""
    edits: Tuple[FileEdit, ...] = ()
    command: Optional[str] = None  # the corrected command
    run: Tuple[str, ...] = ()
    root: Optional[str] = None  # the package or project folder edits stay inside
    invocations: Tuple[Invocation, ...] = ()  # what --run runs: the command, then `run`, as argv
    notes: Tuple[str, ...] = ()  # what applying or reverting cleaned up on the way

    @property
    def applicable(self) -> bool:
        return self.outcome == "ready"


def _entry(id_or_diagnosis: Union[str, Diagnosis], kb: Optional[KnowledgeBase]) -> Tuple[Entry, FixSpec]:
    from triage.api import default_kb

    eid = id_or_diagnosis if isinstance(id_or_diagnosis, str) else id_or_diagnosis.id
    entry = (kb or default_kb()).get(eid)
    if entry is None:
        raise PatchError(f"no KB entry '{eid}'", outcome="usage")
    if entry.fix is None:
        raise PatchError(f"{eid} has no automatic fix; see `triage explain {eid}` for the manual steps",
                         outcome="no-fix")
    return entry, entry.fix


def plan_fix(id_or_diagnosis: Union[str, Diagnosis], *, python: Optional[str] = None,
             site_packages: Optional[str] = None, project: Optional[str] = None,
             log: Optional[str] = None, kb: Optional[KnowledgeBase] = None) -> FixPlan:
    entry, spec = _entry(id_or_diagnosis, kb)
    base = FixPlan(entry.id, spec.kind, spec.safety, "ready", spec.description, versions=spec.versions, run=spec.run,
                   invocations=tuple(from_template(c, {}) for c in spec.run))
    try:
        if spec.kind == "package":
            return _plan_package(base, spec, python, site_packages)
        if spec.kind == "project":
            return _plan_project(base, spec, Path(project or os.getcwd()))
        if spec.kind == "shell":
            return _plan_shell(base, spec, entry, id_or_diagnosis)
        before = None if isinstance(id_or_diagnosis, str) or not id_or_diagnosis.evidence \
            else id_or_diagnosis.evidence[0].line
        return _plan_command(base, spec, log, before)
    except PatchError as exc:
        if exc.outcome in ("target-not-found", "refused"):
            return replace(base, outcome=exc.outcome, reason=str(exc))
        raise


def _plan_package(base: FixPlan, spec: FixSpec, python: Optional[str], site_packages: Optional[str]) -> FixPlan:
    assert spec.package and spec.module and spec.file and spec.old is not None
    root, target, version = locate(site_dirs(python, site_packages), spec.module, spec.file, spec.package)
    base = replace(base, target=str(target), version=version, root=str(root))
    state, after = edit_exact(read_text(target), spec.old, spec.new, spec.count)
    if state == "ready" and after is not None:
        edit = FileEdit(root, target, read_text(target), after)
        note = "" if satisfies(version, spec.versions) else \
            f" (note: {spec.package} {version} is outside {spec.versions}, but the exact text was found)"
        return replace(base, edits=(edit,), diff=unified_diff(edit, root.parent), reason=base.reason + note)
    return _not_ready(base, state, f"{spec.package} {version or '(version unknown)'} found; "
                                   f"the patch is for {spec.package} {spec.versions or 'any version'}")


def _not_ready(base: FixPlan, state: str, context: str) -> FixPlan:
    if state == "already-applied":
        return replace(base, outcome="already-applied", reason=f"already applied; {context}")
    return replace(base, outcome="not-applicable", reason=f"{state.partition(':')[2]}; {context}")


def project_files(project: Path, pattern: str) -> Iterator[Path]:
    for path in sorted(project.glob(pattern)):
        rel = path.relative_to(project).parts
        if path.is_file() and not SKIP_DIRS.intersection(rel) and inside(project, path):
            yield path


def _plan_project(base: FixPlan, spec: FixSpec, project: Path) -> FixPlan:
    assert spec.glob is not None
    if not project.is_dir():
        raise PatchError(f"{project}: not a folder", outcome="target-not-found")
    base = replace(base, root=str(project))
    edits: List[FileEdit] = []
    states = set()
    for path in project_files(project, spec.glob):
        text = read_text(path)
        state, after = (edit_regex(text, compile_pattern(spec.old_regex), spec.new) if spec.old_regex is not None
                        else edit_exact(text, spec.old or "", spec.new, spec.count))
        states.add(state.partition(":")[0])
        if state == "ready" and after is not None:
            edits.append(FileEdit(project, path, text, after))
    context = f"looked in {spec.glob} under {project}"
    if edits:
        return replace(base, edits=tuple(edits), target=", ".join(str(e.path) for e in edits),
                       diff="".join(unified_diff(e) for e in edits))
    if not states:
        return replace(base, outcome="target-not-found", reason=f"no file matches; {context}")
    return _not_ready(base, "already-applied" if "already-applied" in states else
                      "not-applicable:no file holds the text to replace", context)


def _plan_shell(base: FixPlan, spec: FixSpec, entry: Entry, id_or_diagnosis: Union[str, Diagnosis]) -> FixPlan:
    from triage.engine.rank import fill

    values = {**entry.defaults, **({} if isinstance(id_or_diagnosis, str) else id_or_diagnosis.variables)}
    commands = tuple(fill(c, values) for c in spec.run)
    return replace(base, run=commands, target="shell", diff="".join(f"$ {c}\n" for c in commands),
                   invocations=tuple(from_template(c, values) for c in spec.run))


def _plan_command(base: FixPlan, spec: FixSpec, log: Optional[str], before: Optional[int]) -> FixPlan:
    from triage.engine.normalize import normalize
    from triage.fixes.rewrite import find_command, rewrite, variables

    if not log:
        return replace(base, outcome="target-not-found", reason="give the log (--log FILE) that shows the failing command")
    lines = normalize(log)
    found = find_command(spec, lines, before)
    if found is None:
        return replace(base, outcome="target-not-found", reason="the failing command is not in the log; "
                       + (base.reason or "see the solutions"))
    line, command = found
    state, fixed = rewrite(spec, command)
    base = replace(base, target=f"line {line}: {command}")
    if state != "ready" or fixed is None:
        return _not_ready(base, state, f"command on line {line}")
    return replace(base, command=fixed, diff=f"- {command}\n+ {fixed}\n",
                   invocations=(from_log(fixed, variables(lines, line)),) + base.invocations)


def apply_fix(plan: FixPlan) -> FixPlan:
    """Write a ready file plan (backups kept). Commands are never run here: see the CLI's --run."""
    if plan.outcome != "ready":
        raise PatchError(f"{plan.entry_id}: nothing to apply ({plan.outcome}: {plan.reason})", outcome=plan.outcome)
    if plan.kind in ("command", "shell"):
        raise PatchError("commands are run by the CLI (--run), not written to a file", outcome="usage")
    notes: List[str] = []
    for edit in plan.edits:
        notes += apply_edit(edit, plan.entry_id)
    return replace(plan, outcome="applied", notes=tuple(notes))


def revert_fix(plan: FixPlan) -> FixPlan:
    """Restore every file this entry's fix changed, refusing files changed since."""
    paths = [Path(p) for p in _patched_files(plan)]
    if not paths:
        raise PatchError(f"{plan.entry_id}: no file patched by triage to revert", outcome="refused")
    root = Path(plan.root) if plan.root else None
    notes = [note for path in paths for note in revert_file(path, plan.entry_id, root)]
    return replace(plan, outcome="reverted", reason=f"restored {', '.join(map(str, paths))}", notes=tuple(notes))


def _patched_files(plan: FixPlan) -> Sequence[str]:
    candidates = [e.path for e in plan.edits]
    if plan.target and plan.kind == "package":
        candidates.append(Path(plan.target))
    if plan.kind == "project" and plan.root:
        for suffix in (BACKUP_SUFFIX, BACKUP_SUFFIX + ".json"):
            candidates += [m.with_name(m.name[: -len(suffix)]) for m in sorted(Path(plan.root).rglob("*" + suffix))]
    found: List[str] = []
    for path in candidates:
        # '' is a leftover without readable metadata: revert_file explains or settles it
        if backup_entry(path) in (plan.entry_id, "") and str(path) not in found:
            found.append(str(path))
    return found
