from __future__ import annotations

import os
from pathlib import Path
from typing import Tuple

import pytest
from click.testing import CliRunner

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


def invoke(*args: str) -> Tuple[int, str]:
    """`triage ARGS...` in-process: (exit code, output); an unexpected exception is raised, not hidden."""
    import triage.cli.main  # noqa: F401  (registers every command on the group)
    from triage.cli.app import main

    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output
