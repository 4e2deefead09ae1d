"""`triage scan --format html`: one self-contained page (inline CSS, SVG and JS; nothing fetched).

A chart of the failure causes across the logs (how many logs each cause tops, coloured by
severity), the unknown failures with their likely lines, and one row per log that expands to
its evidence and first fix. Every piece of log text is escaped: a log is hostile input.
"""
from __future__ import annotations

from collections import Counter
from html import escape
from typing import Dict, List, Sequence, Tuple

from triage.cli.render.common import printable, solution_lines, where
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


def html_page(results: Sequence[LogResult], version: str) -> str:
    causes = cause_counts(results)
    known = sum(1 for r in results if r.diagnoses)
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<meta http-equiv=\"Content-Security-Policy\" content=\"{_CSP}\">"
             f"<title>triage: {len(results)} logs</title><style>{_CSS}</style></head><body>",
             f"<h1>triage: {len(results)} logs, {known} with a known problem</h1>",
             "<h2>Failure causes (logs where each ranks first)</h2>", chart(causes),
             unknown_section(results), "<h2>Every log</h2>",
             "<p><button id=\"show-all\" class=\"hidden\">show every log</button></p><div id=\"logs\">",
             *[log_row(r) for r in results], "</div>",
             f"<p class=\"muted\">triage {_e(version)}</p><script>{_JS}</script></body></html>"]
    return "\n".join(parts) + "\n"


def cause_counts(results: Sequence[LogResult], most: int = 15) -> List[Tuple[str, str, int]]:
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
    return rows[:most] + [(f"{len(rest)} other causes", "other", sum(n for _, _, n in rest))]


def _cause(r: LogResult) -> str:
    if r.error:
        return "unreadable"
    if r.diagnoses:
        return r.diagnoses[0].id
    # no known problem and no line that looks like a failure: most likely a healthy log
    return "unknown failure" if r.likely_failure else "no failure seen"


def chart(causes: Sequence[Tuple[str, str, int]]) -> str:
    """A horizontal bar chart as inline SVG: one bar per cause, its length the number of logs."""
    if not causes:
        return "<p class=\"muted\">No logs.</p>"
    top, row, label_w, bar_w = max(n for _, _, n in causes), 24, 330, 520
    rows = []
    for k, (cause, sev, n) in enumerate(causes):
        y, w = k * row, max(2, round(bar_w * n / top))
        rows.append(f"<g class=\"bar\" data-cause=\"{_e(cause)}\"><title>{_e(cause)}: {n} logs ({_e(sev)})</title>"
                    f"<text x=\"{label_w - 8}\" y=\"{y + 16}\" text-anchor=\"end\">{_e(cause[:48])}</text>"
                    f"<rect x=\"{label_w}\" y=\"{y + 4}\" width=\"{w}\" height=\"{row - 8}\" "
                    f"fill=\"{_COLOURS.get(sev, '#dc2626')}\"></rect>"
                    f"<text x=\"{label_w + w + 6}\" y=\"{y + 16}\">{n}</text></g>")
    legend = " ".join(f"<span><span class=\"sev\" style=\"background:{c}\"></span>{s}</span>"
                      for s, c in _COLOURS.items())
    height = row * len(causes) + 4
    return (f"<svg id=\"causes\" role=\"img\" aria-label=\"failure causes\" width=\"{label_w + bar_w + 60}\" "
            f"height=\"{height}\" font-size=\"12\">{''.join(rows)}</svg><p class=\"muted\">{legend}</p>")


def unknown_section(results: Sequence[LogResult]) -> str:
    unknown = [r for r in results if not r.error and not r.diagnoses and r.likely_failure]
    clean = sum(1 for r in results if not r.error and not r.diagnoses and not r.likely_failure)
    note = f"<p class=\"muted\">{clean} more logs hold no line that looks like a failure.</p>" if clean else ""
    if not unknown:
        return note
    items = []
    for r in unknown:
        lf = r.likely_failure
        line = f"line {lf.line}: {printable(lf.text, 500)}" if lf else ""
        items.append(f"<li><b>{_e(r.source)}</b><pre>{_e(line)}</pre></li>")
    return (f"<h2>Unknown failures ({len(unknown)} logs; the likely failure line)</h2><ul>{''.join(items)}</ul>"
            + note)


def log_row(r: LogResult) -> str:
    cause = _cause(r)
    if r.error:
        summary, body = f"unreadable: {r.error}", ""
    elif not r.diagnoses:
        summary, body = "no known problem", ""
        if r.likely_failure:
            body = f"<pre>{_e(f'line {r.likely_failure.line}: {printable(r.likely_failure.text, 500)}')}</pre>"
    else:
        d = r.diagnoses[0]
        more = f" (+{len(r.diagnoses) - 1} more)" if len(r.diagnoses) > 1 else ""
        summary, body = f"{d.id} ({d.confidence:.2f}, {d.severity}){more}: {d.title}", diagnosis_body(d)
    colour = _COLOURS.get(r.diagnoses[0].severity if r.diagnoses else ("unreadable" if r.error else "unknown"))
    return (f"<details data-cause=\"{_e(cause)}\"><summary><span class=\"sev\" style=\"background:{colour}\">"
            f"</span><b>{_e(r.source)}</b> — {_e(summary)}</summary>{body}</details>")


def diagnosis_body(d: Diagnosis) -> str:
    evidence = "\n".join(f"{where(ev)}: {printable(ev.text, 500)}" for ev in d.evidence)
    fix = "\n".join(solution_lines(1, d.solutions[0])) if d.solutions else "(no fix recorded)"
    return (f"<div class=\"evidence\"><b>Evidence</b><pre>{_e(evidence)}</pre></div>"
            f"<div class=\"fix\"><b>First fix</b> <span class=\"muted\">(all: triage explain {_e(d.id)})</span>"
            f"<pre>{_e(fix)}</pre></div>")


def _e(text: str) -> str:
    return escape(text, quote=True)
