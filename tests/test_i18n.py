"""triage in Chinese: which language a run answers in, the CLI's own words from the gettext
catalog, and the KB's Chinese text in every output format (commands never translated)."""
from __future__ import annotations

import gettext
import json
import re
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from click.testing import CliRunner, Result

from triage.cli.main import main
from triage.i18n import choose_language, words_for
from triage.i18n.language import flag_in
from triage.i18n.localize import localized_diagnosis, localized_entry, unfolded
from triage.knowledge import lint
from triage.knowledge.catalog import search
from triage.model import KnowledgeBase

from .conftest import FIXTURES, ROOT
from .test_kb import GOOD, write_entry

ENTRY = "bitsandbytes-cpu-library-loaded"
LOG = FIXTURES / f"{ENTRY}.log"
UNTRANSLATED = "deepspeed-async-io-precompile"  # its Chinese is taken out where a test needs an entry without
NO_LOCALE = {"TRIAGE_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}
PO = ROOT / "triage" / "i18n" / "locale" / "zh" / "LC_MESSAGES" / "triage.po"


def run(*args: str, **env: Optional[str]) -> Result:
    return CliRunner().invoke(main, list(args), env={**NO_LOCALE, **env})


# --- which language ------------------------------------------------------------------------------

@pytest.mark.parametrize("flag, env, want", [
    (None, {}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
    (None, {"LANG": "zh_TW.Big5"}, "zh"),
    (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),  # LC_MESSAGES before LANG
    (None, {"LC_MESSAGES": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),  # LC_ALL before both
    (None, {"LANG": "en_US.UTF-8", "TRIAGE_LANG": "zh"}, "zh"),  # TRIAGE_LANG overrides the locale
    (None, {"LANG": "zh_CN.UTF-8", "TRIAGE_LANG": "en"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8", "TRIAGE_LANG": "klingon"}, "zh"),  # not a language: the locale decides
    ("en", {"LANG": "zh_CN.UTF-8", "TRIAGE_LANG": "zh"}, "en"),  # --lang en always wins
    ("zh", {"LANG": "C"}, "zh"),
])
def test_the_language_follows_flag_then_triage_lang_then_the_locale(flag: Optional[str], env: Dict[str, str],
                                                                     want: str) -> None:
    assert choose_language(flag, env) == want


def test_a_lang_flag_is_found_before_click_parses_the_line() -> None:
    assert flag_in(["--lang", "zh", "x.log"]) == "zh" and flag_in(["kb", "list", "--lang=en"]) == "en"
    assert flag_in(["x.log"]) is None


# --- the CLI's own words: the catalog -------------------------------------------------------------

def po_messages() -> Dict[object, object]:
    from babel.messages.pofile import read_po  # a dev/test tool: reads the .po as gettext tools do

    with PO.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_the_compiled_catalog_is_the_po_file() -> None:
    """The .mo shipped in the package holds exactly what the .po says (else: pybabel compile)."""
    with (PO.with_suffix(".mo")).open("rb") as f:
        compiled = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    expected: Dict[object, str] = {}
    for msgid, msgstr in po_messages().items():
        if isinstance(msgid, tuple):
            expected.update({(msgid[0], i): text for i, text in enumerate(msgstr)})  # type: ignore[arg-type]
        else:
            expected[msgid] = msgstr  # type: ignore[assignment]
    compiled.pop("", None)  # the header
    assert compiled == expected, "the .mo is stale: pybabel compile -d triage/i18n/locale -D triage"


def code_messages() -> List[object]:
    """Every message the code marks (_, gettext, ngettext, N_) and every help paragraph of
    `triage --help` (the group's, its commands' and the main job's options')."""
    from babel.messages.extract import extract_from_dir

    from triage.cli.app import help_paragraphs

    found: List[object] = [m[2] for m in extract_from_dir(str(ROOT / "triage"))]
    objects = [main, *main.commands.values(), *main.commands["diagnose"].params]
    found += [p for o in objects if getattr(o, "help", None) for p in help_paragraphs(o.help)]
    return found


def test_every_word_of_the_cli_has_its_chinese_and_none_is_stale() -> None:
    catalog = po_messages()
    wanted = set(code_messages())
    missing = sorted(str(m) for m in wanted if not catalog.get(m))
    assert missing == [], f"add these to {PO.relative_to(ROOT)} (then pybabel compile)"
    assert sorted(str(m) for m in set(catalog) - wanted) == []


def test_translations_keep_every_placeholder() -> None:
    for msgid, msgstr in po_messages().items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        strs = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        want = set(re.findall(r"\{\w*\}", ids[-1]))
        for text in strs:
            assert set(re.findall(r"\{\w*\}", str(text))) == want, msgid
            assert text and text != ids[0], msgid  # translated, not copied


def test_english_is_the_source_text_and_chinese_comes_from_the_catalog() -> None:
    assert words_for("en").gettext("line {line}") == "line {line}"
    assert words_for("zh").gettext("line {line}") == "第 {line} 行"
    assert words_for("zh").ngettext("… {n} more evidence line (-v)", "… {n} more evidence lines (-v)", 3) \
        == "… 还有 {n} 行证据（-v 查看）"


# --- KB text in Chinese -----------------------------------------------------------------------------

def english_steps(out: str) -> List[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("$ ")]


def test_a_zh_locale_answers_in_chinese_with_the_commands_unchanged(kb) -> None:
    en, zh = run(str(LOG)), run(str(LOG), LANG="zh_CN.UTF-8")
    assert en.exit_code == zh.exit_code == 1
    entry = kb.get(ENTRY)
    assert entry.zh.title in zh.output and "解决办法 1：" in zh.output and "第 " in zh.output
    assert entry.title not in zh.output and "Fix 1:" not in zh.output
    assert english_steps(zh.output) == english_steps(en.output) and english_steps(en.output)
    assert run(str(LOG), "--lang", "en", LANG="zh_CN.UTF-8", TRIAGE_LANG="zh").output == en.output


def test_an_entry_without_chinese_keeps_its_english_text_under_chinese_labels(tmp_path: Path) -> None:
    from .test_kb import GOOD, write_entry  # a team's entry, written in English only

    write_entry(tmp_path / "kb", textwrap.dedent(GOOD))
    log = tmp_path / "job.log"
    log.write_text("FATAL: scratch volume vol7 is not mounted\n", encoding="utf-8")
    out = run(str(log), "--kb", str(tmp_path / "kb"), "--lang", "zh").output
    assert "Our cluster's scratch disk is not mounted" in out and "解决办法 1：Resubmit on a node with /scratch" in out
    assert "个已知问题" in out.splitlines()[0]


@pytest.mark.parametrize("fmt", ["markdown", "sarif", "github", "junit"])
def test_every_format_carries_the_chinese_title(fmt: str, kb) -> None:
    out = run(str(LOG), "--format", fmt, "--lang", "zh").output
    assert kb.get(ENTRY).zh.title in out
    assert kb.get(ENTRY).title not in out


def test_json_keeps_its_keys_and_says_its_language(kb) -> None:
    en = json.loads(run(str(LOG), "--format", "json").output)
    zh = json.loads(run(str(LOG), "--format", "json", "--lang", "zh").output)
    assert en["lang"] == "en" and zh["lang"] == "zh"
    d_en, d_zh = en["results"][0]["diagnoses"][0], zh["results"][0]["diagnoses"][0]
    assert d_en.keys() == d_zh.keys() and d_zh["title"] == kb.get(ENTRY).zh.title
    assert [s["steps"] for s in d_en["solutions"]] == [s["steps"] for s in d_zh["solutions"]]
    zh_titles = [t.title for t in kb.get(ENTRY).zh.solutions]  # shown applying first: pair by KB position
    assert sorted(s["title"] for s in d_zh["solutions"]) == sorted(zh_titles)
    assert d_zh["evidence"] == d_en["evidence"] and d_zh["variables"] == d_en["variables"]


def test_chinese_text_is_filled_with_the_values_from_the_log(kb) -> None:
    from triage.api import diagnose

    d = next(d for d in diagnose(LOG.read_bytes(), kb) if d.id == ENTRY)
    local = localized_diagnosis(d, kb.get(ENTRY), "zh")
    assert local.solutions[0].steps == d.solutions[0].steps and "{" not in local.summary
    # a diagnosis showing some of its entry's solutions, in another order, pairs each with its own text
    fewer = replace(d, solutions=(d.solutions[2], d.solutions[0]))
    zh = kb.get(ENTRY).zh.solutions
    assert [s.title for s in localized_diagnosis(fewer, kb.get(ENTRY), "zh").solutions] == [zh[2].title, zh[0].title]
    assert localized_diagnosis(d, kb.get(ENTRY), "en") is d


def test_folded_yaml_leaves_no_space_inside_chinese() -> None:
    assert unfolded("没有任何 GPU 算子， 所以第一次 8-bit 调用\n就会报错") == "没有任何 GPU 算子，所以第一次 8-bit 调用\n就会报错"
    assert unfolded("显存 不足") == "显存不足" and unfolded("pip install x") == "pip install x"


def test_explain_list_and_search_speak_chinese(kb) -> None:
    zh = kb.get(ENTRY).zh
    explained = run("explain", ENTRY, "--lang", "zh").output
    assert zh.title in explained and "解决办法 1：" in explained and "严重程度：错误" in explained
    assert "$ pip install -U bitsandbytes" in explained  # commands as they are
    assert run("--lang", "zh", "explain", ENTRY).output == explained  # the flag before the command
    listed = run("kb", "list", "--lang", "zh").output
    assert f"{zh.title}" in listed and "共 " in listed.splitlines()[-1]
    assert json.loads(run("kb", "list", "--format", "json", "--lang", "zh").output)[0].keys() == \
        json.loads(run("kb", "list", "--format", "json").output)[0].keys()
    found = run("kb", "search", "--lang", "zh", "退回", "CPU").output.splitlines()
    assert found[0].startswith(ENTRY) and zh.title in found[0]


@pytest.mark.parametrize("query", ["退回 CPU", "环境变量 LD_LIBRARY_PATH", "CPU 兜底"])
def test_search_finds_entries_by_chinese_words(kb, query: str) -> None:
    assert ENTRY in [e.id for _, e in search(kb, query)][:3]


def test_help_and_errors_follow_the_language() -> None:
    helped = run("--help", LANG="zh_CN.UTF-8").output
    assert "从失败的 ML 编译或训练日志中找出已知问题" in helped and "每份日志最多显示 N 条诊断" in helped
    assert "--lang" in helped and "Show at most N" not in helped
    assert "Show at most N" in run("--help").output
    typo = run("exlpain", "x", LANG="zh_CN.UTF-8")
    assert typo.exit_code != 0 and "既不是文件也不是命令" in typo.output
    missing = run("explain", "cuda-out-of-memry", "--lang", "zh")
    assert "知识库中没有条目" in missing.output and "cuda-out-of-memory" in missing.output


def test_the_catalogue_has_a_chinese_twin(kb) -> None:
    from triage.knowledge.catalog import catalog_markdown

    zh = catalog_markdown(kb, words_for("zh"))
    assert zh == (ROOT / "docs" / "catalog.zh.md").read_text(encoding="utf-8")
    assert kb.get(ENTRY).zh.title in zh and kb.get(ENTRY).title not in zh
    bare = KnowledgeBase(tuple(replace(e, zh=None) if e.id == UNTRANSLATED else e for e in kb.entries))
    assert kb.get(UNTRANSLATED).title in catalog_markdown(bare, words_for("zh"))  # untranslated: English title


def test_localized_entries_keep_code_and_fall_back_field_by_field(kb) -> None:
    e = kb.get(ENTRY)
    local = localized_entry(e, "zh")
    assert [s.steps for s in local.solutions] == [s.steps for s in e.solutions] and local.refs == e.refs
    assert local.notes == e.zh.notes and local.title == e.zh.title
    bare = replace(kb.get(UNTRANSLATED), zh=None)
    assert localized_entry(bare, "zh") is bare


# --- lint: Chinese text required in the bundled KB once REQUIRE_ZH is set ----------------------------

def untranslated(kb: KnowledgeBase) -> KnowledgeBase:
    """The bundled KB with one entry's Chinese taken out."""
    return KnowledgeBase(tuple(replace(e, zh=None) if e.id == UNTRANSLATED else e for e in kb.entries))


def test_missing_chinese_is_a_warning_until_required(kb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint, "REQUIRE_ZH", False)
    errors, warnings = lint.translation_findings(untranslated(kb))
    assert errors == [] and any(f"'{UNTRANSLATED}'" in w for w in warnings)
    assert not any(f"'{ENTRY}'" in w for w in warnings)


def test_once_required_a_bundled_entry_without_chinese_is_an_error(kb, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lint, "REQUIRE_ZH", True)
    errors, warnings = lint.translation_findings(untranslated(kb))
    assert any(f"'{UNTRANSLATED}'" in e and "no Chinese text" in e for e in errors)
    assert not any(f"'{ENTRY}'" in e for e in errors + warnings)


def test_other_kb_folders_and_drafts_only_get_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from triage import load_kb

    monkeypatch.setattr(lint, "REQUIRE_ZH", True)
    write_entry(tmp_path, GOOD)
    team = load_kb(tmp_path)
    errors, warnings = lint.translation_findings(team)
    team_ids = {e.id for e in team.entries if str(tmp_path) in e.path}
    assert not any(f"'{i}'" in e for i in team_ids for e in errors)
    assert any(f"'{i}'" in w for i in team_ids for w in warnings)
    bundled = replace(load_kb().get(UNTRANSLATED), zh=None, draft=True)  # `draft: true`, as `triage learn` writes
    assert not lint.zh_required(bundled)


def test_the_html_page_speaks_chinese_and_still_escapes(kb) -> None:
    from triage.cli.render.html import html_page
    from triage.i18n.localize import localized_results
    from triage.model import LogResult

    from .test_html import hostile_results

    results = localized_results([LogResult(str(LOG), run_diagnoses(kb)), *hostile_results()], kb, "zh")
    page = html_page(results, "1", words_for("zh"))
    assert '<html lang="zh">' in page and "失败原因" in page and "首选解决办法" in page and "未知失败" in page
    assert kb.get(ENTRY).zh.title in page and "<script>alert(1)</script>" not in page


def run_diagnoses(kb) -> list:
    from triage.api import diagnose

    return diagnose(LOG.read_bytes(), kb)


def test_why_a_fix_applies_is_said_in_chinese_with_names_and_versions_kept() -> None:
    from triage.cli.render.common import reason_text

    zh = words_for("zh")
    assert reason_text("bitsandbytes 0.43.1 (wants <0.43)", zh) == "bitsandbytes 0.43.1 （要求 <0.43）"
    assert reason_text("bitsandbytes version, conda unknown", zh) == "bitsandbytes 版本, conda 未知"
    assert reason_text("platform darwin (wants linux or windows)", zh) == "platform darwin （要求 linux 或 windows）"
    assert reason_text("bitsandbytes 0.43.1 (wants <0.43)", words_for("en")) == "bitsandbytes 0.43.1 (wants <0.43)"
