"""Which versions a log (or a machine) has, and whether a solution applies to them.

facts.py reads facts from a log's lines (pip list/freeze, collect_env, ds_report, tracebacks);
applies.py checks a solution's `applies_if` against facts; ranges.py is the one version-range
checker, shared with the fixes (a fix's `versions`).
"""
