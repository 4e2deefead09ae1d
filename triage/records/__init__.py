"""A log's result as plain data: the one record shape `triage scan --format json` prints and
`diagnose_path` returns. JSON-ready (str, int, float, bool, None, lists, dicts) and picklable."""
from __future__ import annotations

from triage.records.shape import diagnosis_dict, evidence_dict, result_dict, scan_record

__all__ = ["diagnosis_dict", "evidence_dict", "result_dict", "scan_record"]
