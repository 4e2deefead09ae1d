from __future__ import annotations

import os
from pathlib import Path

import pytest

from triage import load_kb
from triage.model import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
# the suite expects triage's English words whatever the developer's locale (LANG=zh_CN.UTF-8
# would make it answer in Chinese); tests of the language choice set their own environment
os.environ["TRIAGE_LANG"] = "en"
FIXTURES = ROOT / "fixtures" / "logs"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()
