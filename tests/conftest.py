from __future__ import annotations

from pathlib import Path

import pytest

from triage import load_kb
from triage.model import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "logs"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()
