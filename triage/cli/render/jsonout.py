"""Results -> JSON (`triage --format json`, and the records of `triage scan --format json`).

The record shape itself lives in triage/records (the API's diagnose_path returns the same)."""
from __future__ import annotations

import json
from typing import Sequence

from triage.i18n.words import ENGLISH, Words
from triage.model import LogResult
from triage.records import diagnosis_dict, evidence_dict, result_dict, scan_record

JSON_SCHEMA_VERSION = 1
__all__ = ["JSON_SCHEMA_VERSION", "diagnosis_dict", "evidence_dict", "result_dict", "json_report", "json_lines"]


def json_report(results: Sequence[LogResult], version: str, words: Words = ENGLISH) -> str:
    """`lang` says which language the prose (titles, summaries, fixes' titles and why) is in."""
    doc = {"schema": JSON_SCHEMA_VERSION, "triage_version": version, "lang": words.lang,
           "results": [result_dict(r) for r in results]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def json_lines(results: Sequence[LogResult]) -> str:
    """One JSON object per log (`triage scan --format json`)."""
    return "".join(json.dumps(scan_record(r), ensure_ascii=False) + "\n" for r in results)
