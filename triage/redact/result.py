"""Redact a LogResult before any renderer sees it: the one place every output format relies on.

Pattern rules find secrets where their context shows (`HF_TOKEN=...` on an evidence line); a
captured variable or a filled command may hold the same value without that context, so every
secret found anywhere in a result is also masked wherever its bare value appears again.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Dict, Mapping, Optional, Tuple

from triage.model import Diagnosis, Evidence, LogResult, Solution
from triage.redact.personal import Placeholders, redact_personal
from triage.redact.secrets import apply_masks, find_secrets, mask_of

MIN_BARE = 6  # a bare value shorter than this is not searched for again (too many false hits)


class Redactor:
    """Masks secrets (and, with personal=True, user names, hosts, IPs and e-mails) in text.

    One Redactor per run: it counts what it masked per rule, keeps placeholders stable and
    remembers each secret value (in memory only) so it is masked wherever it appears again.
    """

    def __init__(self, secrets: bool = True, personal: bool = False) -> None:
        self.secrets = secrets
        self.personal = personal
        self.counts: Counter[str] = Counter()
        self.places = Placeholders()
        self.known: Dict[str, Tuple[str, str]] = {}  # secret value -> (mask, rule name)

    def text(self, text: str) -> str:
        if self.secrets and text:
            found = find_secrets(text)
            for f in found:
                self.counts[f.rule.name] += 1
                if len(f.value) >= MIN_BARE:
                    self.known.setdefault(f.value, (mask_of(f), f.rule.name))
            text = self._bare(apply_masks(text, found))
        if self.personal and text:
            text = redact_personal(text, self.places)
        return text

    def _bare(self, text: str) -> str:
        for value in sorted(self.known, key=len, reverse=True):  # longest first: no half-masked value
            if value in text:
                mask, rule = self.known[value]
                self.counts[rule] += text.count(value)
                text = text.replace(value, mask)
        return text

    def masked(self) -> Dict[str, int]:
        """What was masked: occurrences per secret rule, distinct values per personal kind."""
        out = dict(sorted(self.counts.items()))
        out.update({f"personal-{kind}": n for kind, n in sorted(self.places.counts().items())})
        return out


def redact_result(result: LogResult, redactor: Optional[Redactor] = None) -> LogResult:
    """A copy of `result` with secrets masked in every text a renderer prints: evidence, the
    likely failure line, captured variables, solutions (titles, steps, why, when), summary,
    notes, the source name and the error. Ids, tags, refs and numbers are left as they are."""
    r = redactor or Redactor()
    # evidence first: that is where secrets show their context, and so where most are learnt
    evidence = {id(ev): _evidence(ev, r) for d in result.diagnoses for ev in d.evidence}
    likely = _evidence(result.likely_failure, r) if result.likely_failure else None
    # --doctor's reasons quote the log's captures (log:<name> facts): masked like the rest
    doctor = None if result.doctor is None else tuple(
        replace(c, reason=r.text(c.reason), facts=tuple(r.text(f) for f in c.facts)) for c in result.doctor)
    return replace(result, source=r.text(result.source), diagnoses=[_diagnosis(d, r, evidence) for d in result.diagnoses],
                   likely_failure=likely, error=r.text(result.error) if result.error else None, doctor=doctor,
                   elsewhere=tuple(r.text(said) for said in result.elsewhere))


def _evidence(ev: Evidence, r: Redactor) -> Evidence:
    return replace(ev, text=r.text(ev.text))


def _diagnosis(d: Diagnosis, r: Redactor, evidence: Mapping[int, Evidence]) -> Diagnosis:
    variables = {k: r.text(v) for k, v in d.variables.items()}
    return replace(d, title=r.text(d.title), summary=r.text(d.summary), variables=variables,
                   evidence=tuple(evidence[id(ev)] for ev in d.evidence),
                   solutions=tuple(_solution(s, r) for s in d.solutions), notes=tuple(r.text(n) for n in d.notes))


def _solution(s: Solution, r: Redactor) -> Solution:
    return replace(s, title=r.text(s.title), why=r.text(s.why), steps=tuple(r.text(step) for step in s.steps),
                   when=r.text(s.when) if s.when else None)


def redact_text(text: str, personal: bool = False) -> str:
    """`text` with secrets masked (and personal details, with personal=True)."""
    return Redactor(personal=personal).text(text)
