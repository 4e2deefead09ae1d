"""The `zh:` block: Chinese prose that must keep every placeholder and code span of the English."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from triage import KBError, load_kb
from triage.knowledge.lint import translation_findings

from .test_kb import GOOD, write_entry

ZH = """\
zh:
  title: 集群的 scratch 盘没有挂载
  summary: 作业被分到了没有 /scratch 的节点上。
  solutions:
    - title: 换到挂载了 /scratch 的节点重新提交
      why: 只有部分节点挂载了它（卷 {vol}）。
"""


def entry(zh: str = ZH) -> str:
    return textwrap.dedent(GOOD).replace("why: Only some nodes mount it.", "why: Only some nodes mount it ({vol}).") + zh


def test_a_translation_loads_beside_the_english(tmp_path: Path) -> None:
    write_entry(tmp_path, entry())
    e = load_kb(tmp_path).get("my-entry")
    assert e.title.startswith("Our cluster") and e.zh is not None
    assert e.zh.title == "集群的 scratch 盘没有挂载" and e.zh.solutions[0].why.endswith("（卷 {vol}）。")
    assert not [p for p in sum(translation_findings(load_kb(tmp_path)), []) if "'my-entry'" in p]


@pytest.mark.parametrize("zh, field, words", [
    (ZH.replace("（卷 {vol}）", ""), "zh.solutions[0].why", "placeholders differ"),
    (ZH.replace("{vol}", "{volume}"), "zh.solutions[0].why", "placeholders differ"),
    (ZH.replace("  solutions:\n", "  solutions: []\n  x:\n"), "zh.x", "unknown field"),
    (ZH + "    - title: 另一个\n      why: 多出来的\n", "zh.solutions", "each of the 1 solutions"),
    (ZH.replace("      why:", "      when: 总是\n      why:"), "zh.solutions[0].when", "exactly when"),
    (ZH.replace("  summary: 作业被分到了没有 /scratch 的节点上。\n", ""), "zh.summary", "non-empty string"),
])
def test_a_translation_that_changes_the_code_is_refused(tmp_path: Path, zh: str, field: str, words: str) -> None:
    write_entry(tmp_path, entry(zh))
    with pytest.raises(KBError) as info:
        load_kb(tmp_path)
    assert info.value.field == field and words in str(info.value)


def test_code_spans_must_survive(tmp_path: Path) -> None:
    text = entry().replace("summary: The job started", "summary: '`srun` started the job").replace(
        "without /scratch.", "without /scratch.'")
    write_entry(tmp_path, text)
    with pytest.raises(KBError, match="missing `srun`"):
        load_kb(tmp_path)
    quoted = "summary: '`srun` 把作业分到了没有 /scratch 的节点上。'"
    write_entry(tmp_path, text.replace("summary: 作业被分到了没有 /scratch 的节点上。", quoted))
    assert load_kb(tmp_path).get("my-entry").zh is not None


def test_lint_names_entries_without_chinese_or_with_english_copied(tmp_path: Path) -> None:
    write_entry(tmp_path, entry(ZH.replace("集群的 scratch 盘没有挂载", "scratch disk not mounted")))
    write_entry(tmp_path, textwrap.dedent(GOOD).replace("my-entry", "bare-entry"), name="bare-entry")
    found = sum(translation_findings(load_kb(tmp_path)), [])  # errors and warnings
    assert any("'my-entry'" in p and "written in Chinese" in p for p in found)
    assert any("'bare-entry'" in p and "no Chinese text" in p for p in found)
