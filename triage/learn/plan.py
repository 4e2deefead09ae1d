"""One `triage learn` run: scan results -> failure regions -> clusters -> checked drafts.

Takes what `triage scan` found (the CLI scans); reads only the undiagnosed logs again, and only
around their failure line. Returns data; writing the drafts is `write`'s job, printing the CLI's.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Sequence, Tuple

from triage.errors import TriageError
from triage.learn import template
from triage.learn.draft import PREFIX, Draft, check_drafts, draft_yaml, existing_regex, unused_id, write_draft
from triage.learn.drain import Cluster, Drain
from triage.learn.healthy import Healthy
from triage.learn.masks import FIXABLE, PLACEHOLDER, WILD, masked_values, safe_text, token_values, tokens
from triage.learn.nearby import NearbyIndex
from triage.learn.region import Region, read_region
from triage.model import KnowledgeBase, LogResult, compile_pattern

MAX_EXAMPLES = 3  # match examples a draft takes from its cluster's logs


@dataclass(frozen=True)
class Member:
    region: Region
    lines: Tuple[str, ...]  # the region as a draft may show it (secrets, user names masked)
    values: Tuple[Tuple[str, ...], ...] = ()  # per token of its message, the masked texts


@dataclass
class Outcome:
    """One cluster and what became of it: a draft, or why not."""

    members: List[Member]
    title: str
    draft: Optional[Draft] = None
    why_not: Optional[str] = None  # e.g. "seen in 1 log (--min-count 2)"
    text: str = ""  # the draft's YAML
    written: Optional[Path] = None


@dataclass
class Learned:
    logs: int = 0
    diagnosed: int = 0
    unreadable: List[Tuple[str, str]] = field(default_factory=list)  # (log, why)
    no_failure: List[str] = field(default_factory=list)  # undiagnosed, and no failure-looking line
    clusters: List[Outcome] = field(default_factory=list)  # largest first

    @property
    def drafts(self) -> List[Outcome]:
        return [c for c in self.clusters if c.draft is not None]


def learn(results: Sequence[LogResult], kb: KnowledgeBase, healthy: Healthy, min_count: int = 2,
          taken: Sequence[str] = ()) -> Learned:
    """Cluster the failure messages of the undiagnosed logs; draft an entry for each cluster of
    at least `min_count` logs. `taken`: ids already used (other than the KB's)."""
    report = Learned(logs=len(results))
    drain: Drain[Member] = Drain()
    for result in results:
        member = _member(result, report)
        if member is not None:
            masked, values = masked_values(member.lines[0].strip())
            words, gaps = tokens(masked)
            drain.add(words, gaps, replace(member, values=tuple(token_values(words, values))))
    clusters = sorted(drain.clusters, key=lambda c: (-len(c.members), c.number))
    nearby = NearbyIndex(kb)
    ids = set(kb.ids) | set(taken)
    for cluster in clusters:
        outcome = Outcome(cluster.members, template.readable(cluster.template))
        if len(cluster.members) < min_count:
            outcome.why_not = f"seen in {len(cluster.members)} log{'s' * (len(cluster.members) != 1)} (--min-count {min_count})"
        else:
            _draft(outcome, cluster, healthy, nearby, ids)
        report.clusters.append(outcome)
    _check(report)
    return report


def _member(result: LogResult, report: Learned) -> Optional[Member]:
    if result.error is not None:
        report.unreadable.append((result.source, result.error))
        return None
    if result.diagnoses:
        report.diagnosed += 1
        return None
    if result.likely_failure is None:
        report.no_failure.append(result.source)
        return None
    try:
        region = read_region(result.source, result.likely_failure.line)
    except (TriageError, OSError) as exc:
        report.unreadable.append((result.source, str(exc)))
        return None
    if region is None or not region.message:
        report.no_failure.append(result.source)
        return None
    return Member(region, tuple(safe_text(line) for line in region.lines))


def fixed_values(cluster: Cluster[Member]) -> template.Fixed:
    """Where every log of a cluster (two or more) had the same name, number or version under a
    mask, that text: the regex keeps it (`No module named 'foo'` in each log is about foo)."""
    out: template.Fixed = {}
    if len(cluster.members) < 2:
        return out
    for i, token in enumerate(cluster.template):
        kinds = PLACEHOLDER.findall(token) if token != WILD else []
        for k, kind in enumerate(kinds):
            seen = {m.values[i][k] for m in cluster.members if i < len(m.values) and k < len(m.values[i])}
            value = next(iter(seen)) if len(seen) == 1 else None
            # a path inside a name was rewritten for privacy (/home/user): the logs do not say that
            if kind in FIXABLE and value and not any(c in value for c in "/\\*"):
                out[(i, k)] = value
    return out


def _draft(outcome: Outcome, cluster: Cluster[Member], healthy: Healthy, nearby: NearbyIndex, ids: set) -> None:
    fixed = fixed_values(cluster)
    pattern = template.build(cluster.template, cluster.gaps, fixed=fixed)
    if pattern is None:
        outcome.why_not = "too little constant text for a selective regex"
        return
    if healthy.matched(compile_pattern(pattern.source), pattern.keyword):  # the head is too general:
        pattern = template.build(cluster.template, cluster.gaps, len(cluster.template), fixed)  # the whole message
        hits = healthy.matched(compile_pattern(pattern.source), pattern.keyword) if pattern else []
        if pattern is None or hits:
            outcome.why_not = f"its regex matches healthy lines too (e.g. {hits[0].source}: {hits[0].text[:80]!r})" \
                if hits else "too little constant text for a selective regex"
            return
    regex = compile_pattern(pattern.source)
    examples = _examples(cluster.members, regex)
    message = cluster.members[0].lines[0].strip()
    draft_id = unused_id(PREFIX + template.slug(pattern.words), sorted(ids))
    ids.add(draft_id)
    outcome.draft = Draft(draft_id, pattern.title, pattern,
                          tuple(m.region for m in cluster.members), examples,
                          healthy.near_misses(regex, pattern.words, message), nearby.nearest(message),
                          template.is_generic(pattern))
    outcome.text = draft_yaml(outcome.draft)


def _examples(members: Sequence[Member], regex: Pattern[str]) -> Tuple[str, ...]:
    """Up to MAX_EXAMPLES snippets, different messages first, each one the regex matches."""
    out: List[str] = []
    heads: set = set()
    for distinct in (True, False):
        for m in members:
            text = "\n".join(m.lines)
            if len(out) < MAX_EXAMPLES and text not in out and (not distinct or m.lines[0] not in heads) \
                    and regex.search(m.lines[0]):
                out.append(text)
                heads.add(m.lines[0])
    return tuple(out)


def _check(report: Learned) -> None:
    """Drafts that would not load, fail their own examples or run in super-linear time are not written."""
    texts = {c.draft.id: c.text for c in report.drafts if c.draft is not None}
    if not texts:
        return
    problems = check_drafts(texts, Path("."))
    for c in report.drafts:
        found = problems.get(c.draft.id if c.draft else "", [])
        if found:
            c.why_not, c.draft = f"the draft failed its checks: {found[0]}", None


def write(report: Learned, folder: Path) -> Dict[str, str]:
    """Write each draft into `folder` (created if need be), never over a file: what happened to
    each, by id: 'written' (under another id when the name was taken), or 'already drafted' when
    a file of that name already holds the same regex."""
    folder.mkdir(parents=True, exist_ok=True)
    status: Dict[str, str] = {}
    taken = sorted(p.stem for p in folder.glob("*.yaml"))
    for c in report.drafts:
        assert c.draft is not None
        path = folder / c.draft.file_name
        if path.exists() and existing_regex(path) == c.draft.pattern.source:
            status[c.draft.id] = "already drafted"
            continue
        if path.exists():
            c.draft = replace(c.draft, id=unused_id(c.draft.id, taken))
            c.text = draft_yaml(c.draft)
        taken.append(c.draft.id)
        c.written = write_draft(c.draft, c.text, folder)
        status[c.draft.id] = "written"
    return status
