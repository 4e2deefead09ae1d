"""`triage scan --format html`: one self-contained page (inline CSS, SVG and JS; nothing fetched).

A chart of the failure causes across the logs (how many logs each cause tops, coloured by
severity), the unknown failures with their likely lines, and one row per log that expands to
its evidence and first fix. Every piece of log text is escaped: a log is hostile input.
"""
from __future__ import annotations

from collections import Counter
from html import escape
from typing import Dict, List, Sequence, Tuple

from triage.cli.render.common import printable, severity, solution_lines, where
from triage.i18n.words import ENGLISH, N_, Words
from triage.model import Diagnosis, LogResult

_COLOURS = {"critical": "#b91c1c", "error": "#dc2626", "warning": "#d97706", "info": "#2563eb",
            "unknown": "#6b7280", "unreadable": "#9ca3af", "other": "#f87171"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
pre{background:#f4f4f5;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
details{border-bottom:1px solid #e5e7eb;padding:4px 0}summary{cursor:pointer}
.sev{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.muted{color:#6b7280}.bar{cursor:pointer}.hidden{display:none}
"""
_JS = """
document.querySelectorAll('#causes .bar').forEach(function (bar) {
  bar.addEventListener('click', function () {
    var cause = bar.getAttribute('data-cause');
    document.querySelectorAll('#logs details').forEach(function (row) {
      row.classList.toggle('hidden', row.getAttribute('data-cause') !== cause);
    });
    document.getElementById('show-all').classList.remove('hidden');
  });
});
document.getElementById('show-all').addEventListener('click', function (e) {
  document.querySelectorAll('#logs details').forEach(function (row) { row.classList.remove('hidden'); });
  e.target.classList.add('hidden');
});
"""


# what a log's cause is when no diagnosis names one (keys of the chart; shown translated)
_SPECIAL_CAUSES = (N_("unknown failure"), N_("unreadable"), N_("no failure seen"))
_LEGEND = {"unknown": N_("unknown failure"), "other": N_("other causes")}  # the colours' names, shown


def html_page(results: Sequence[LogResult], version: str, words: Words = ENGLISH) -> str:
    _ = words.gettext
    causes = cause_counts(results, words=words)
    known = sum(1 for r in results if r.diagnoses)
    title = _("triage: {logs} logs").format(logs=len(results))
    heading = _("triage: {logs} logs, {known} with a known problem").format(logs=len(results), known=known)
    causes_heading, every_log, show_all = (_("Failure causes (logs where each ranks first)"), _("Every log"),
                                           _("show every log"))
    parts = [f"<!DOCTYPE html><html lang=\"{_e(words.lang)}\"><head><meta charset=\"utf-8\">"
             f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">"
             f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{_e(heading)}</h1>", f"<h2>{_e(causes_heading)}</h2>", chart(causes, words),
             unknown_section(results, words), f"<h2>{_e(every_log)}</h2>",
             f"<p><button id=\"show-all\" class=\"hidden\">{_e(show_all)}</button></p><div id=\"logs\">",
             *[log_row(r, words) for r in results], "</div>",
             f"<p class=\"muted\">triage {_e(version)}</p><script>{_JS}</script></body></html>"]
    return "\n".join(parts) + "\n"


def cause_counts(results: Sequence[LogResult], most: int = 15, words: Words = ENGLISH) -> List[Tuple[str, str, int]]:
    """(cause, severity, logs), most frequent first: each log's top diagnosis, or unknown/unreadable;
    past the `most` frequent, the rest are one "other causes" bar."""
    counts: Counter[str] = Counter()
    severity: Dict[str, str] = {"unknown failure": "unknown", "unreadable": "unreadable",
                                "no failure seen": "info"}
    for r in results:
        cause = _cause(r)
        counts[cause] += 1
        if r.diagnoses:
            severity[cause] = r.diagnoses[0].severity
    rows = [(c, severity[c], n) for c, n in sorted(counts.items(), key=lambda p: (-p[1], p[0]))]
    if len(rows) <= most + 1:
        return rows
    rest = rows[most:]
    other = words.gettext("{n} other causes").format(n=len(rest))
    return rows[:most] + [(other, "other", sum(n for _, _, n in rest))]


def _cause(r: LogResult) -> str:
    if r.error:
        return "unreadable"
    if r.diagnoses:
        return r.diagnoses[0].id
    # no known problem and no line that looks like a failure: most likely a healthy log
    return "unknown failure" if r.likely_failure else "no failure seen"


def chart(causes: Sequence[Tuple[str, str, int]], words: Words = ENGLISH) -> str:
    """A horizontal bar chart as inline SVG: one bar per cause, its length the number of logs."""
    _ = words.gettext
    if not causes:
        return "<p class=\"muted\">" + _e(_("No logs.")) + "</p>"
    top, row, label_w, bar_w = max(n for _, _, n in causes), 24, 330, 520
    rows = []
    for k, (cause, sev, n) in enumerate(causes):
        y, w = k * row, max(2, round(bar_w * n / top))
        label = _(cause) if cause in _SPECIAL_CAUSES else cause
        tip = _("{cause}: {n} logs ({severity})").format(cause=label, n=n, severity=sev)
        rows.append(f"<g class=\"bar\" data-cause=\"{_e(cause)}\"><title>{_e(tip)}</title>"
                    f"<text x=\"{label_w - 8}\" y=\"{y + 16}\" text-anchor=\"end\">{_e(label[:48])}</text>"
                    f"<rect x=\"{label_w}\" y=\"{y + 4}\" width=\"{w}\" height=\"{row - 8}\" "
                    f"fill=\"{_COLOURS.get(sev, '#dc2626')}\"></rect>"
                    f"<text x=\"{label_w + w + 6}\" y=\"{y + 16}\">{n}</text></g>")
    legend = " ".join(f"<span><span class=\"sev\" style=\"background:{c}\"></span>{_e(_(_LEGEND.get(s, s)))}</span>"
                      for s, c in _COLOURS.items())
    height = row * len(causes) + 4
    label = _("failure causes")
    return (f"<svg id=\"causes\" role=\"img\" aria-label=\"{_e(label)}\" width=\"{label_w + bar_w + 60}\" "
            f"height=\"{height}\" font-size=\"12\">{''.join(rows)}</svg><p class=\"muted\">{legend}</p>")


def unknown_section(results: Sequence[LogResult], words: Words = ENGLISH) -> str:
    _ = words.gettext
    unknown = [r for r in results if not r.error and not r.diagnoses and r.likely_failure]
    clean = sum(1 for r in results if not r.error and not r.diagnoses and not r.likely_failure)
    more = _("{n} more logs hold no line that looks like a failure.").format(n=clean)
    note = f"<p class=\"muted\">{_e(more)}</p>" if clean else ""
    if not unknown:
        return note
    items = []
    for r in unknown:
        lf = r.likely_failure
        line = _("line {line}").format(line=lf.line) + f": {printable(lf.text, 500)}" if lf else ""
        items.append(f"<li><b>{_e(r.source)}</b><pre>{_e(line)}</pre></li>")
    head = _("Unknown failures ({n} logs; the likely failure line)").format(n=len(unknown))
    return f"<h2>{_e(head)}</h2><ul>{''.join(items)}</ul>" + note


def log_row(r: LogResult, words: Words = ENGLISH) -> str:
    _ = words.gettext
    cause = _cause(r)
    if r.error:
        summary, body = _("unreadable: {error}").format(error=r.error), ""
    elif not r.diagnoses:
        summary, body = _("no known problem"), ""
        if r.likely_failure:
            line = _("line {line}").format(line=r.likely_failure.line)
            body = f"<pre>{_e(f'{line}: {printable(r.likely_failure.text, 500)}')}</pre>"
    else:
        d = r.diagnoses[0]
        more = _(" (+{n} more)").format(n=len(r.diagnoses) - 1) if len(r.diagnoses) > 1 else ""
        summary, body = f"{d.id} ({d.confidence:.2f}, {severity(d, words)}){more}: {d.title}", diagnosis_body(d, words)
    colour = _COLOURS.get(r.diagnoses[0].severity if r.diagnoses else ("unreadable" if r.error else "unknown"))
    return (f"<details data-cause=\"{_e(cause)}\"><summary><span class=\"sev\" style=\"background:{colour}\">"
            f"</span><b>{_e(r.source)}</b> — {_e(summary)}</summary>{body}</details>")


def diagnosis_body(d: Diagnosis, words: Words = ENGLISH) -> str:
    _ = words.gettext
    evidence = "\n".join(f"{where(ev, words)}: {printable(ev.text, 500)}" for ev in d.evidence)
    fix = "\n".join(solution_lines(1, d.solutions[0], words=words)) if d.solutions else _("(no fix recorded)")
    every = _("(all: triage explain {id})").format(id=d.id)
    evidence_label, fix_label = _("Evidence"), _("First fix")
    return (f"<div class=\"evidence\"><b>{_e(evidence_label)}</b><pre>{_e(evidence)}</pre></div>"
            f"<div class=\"fix\"><b>{_e(fix_label)}</b> <span class=\"muted\">{_e(every)}</span>"
            f"<pre>{_e(fix)}</pre></div>")


def _e(text: str) -> str:
    return escape(text, quote=True)
