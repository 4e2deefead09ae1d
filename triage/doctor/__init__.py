"""`triage doctor`: collect facts about a machine and check KB entries' `doctor:` rules against them.

    from triage.doctor import system_context, collect_facts, check_entries
    facts = collect_facts(system_context(python="/opt/conda/bin/python"))   # Mapping[str, str]
    facts["package:torch"], facts.get("cuda_driver")                         # see facts.FACTS

Nothing here opens a connection or imports the target's packages into this process; the engine
never imports this package.
"""
from __future__ import annotations

from triage.doctor.checks import DoctorReport, check_diagnoses, check_entries
from triage.doctor.context import Context, Files, Output, system_context
from triage.doctor.elsewhere import elsewhere
from triage.doctor.facts import FACTS, collect_facts

__all__ = ["Context", "DoctorReport", "FACTS", "Files", "Output", "check_diagnoses", "check_entries",
           "collect_facts", "elsewhere", "system_context"]
