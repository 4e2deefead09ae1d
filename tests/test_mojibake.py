"""Chinese log lines mangled the ways they arrive, and repaired; clean lines never touched.

The lines (fixtures/mojibake/zh-lines.txt) are our own; the mangling is done here, by the same
encode/decode round trips the tools in between do.
"""
from __future__ import annotations

import difflib
from typing import List

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.engine.decode import looks_mangled, repair_mojibake
from triage.engine.normalize import normalize

from .conftest import ROOT
from .mangle import CHINESE, browser_cp1252, dropped_cp1252, gbk_console

LINES: List[str] = (ROOT / "fixtures" / "mojibake" / "zh-lines.txt").read_text(encoding="utf-8").splitlines()


def share_recovered(mangle) -> float:
    want = sum(len(CHINESE.findall(line)) for line in LINES)
    got = 0
    for line in LINES:
        fixed = repair_mojibake(mangle(line))
        matcher = difflib.SequenceMatcher(None, CHINESE.findall(line), CHINESE.findall(fixed), autojunk=False)
        got += sum(b.size for b in matcher.get_matching_blocks())
    return got / want


def test_utf8_read_as_cp1252_once_is_repaired_exactly() -> None:
    for line in LINES:
        assert looks_mangled(browser_cp1252(line)), line
        assert repair_mojibake(browser_cp1252(line)) == line


def test_utf8_read_as_cp1252_twice_is_repaired_exactly() -> None:
    for line in LINES:
        twice = browser_cp1252(browser_cp1252(line))
        assert looks_mangled(twice) and repair_mojibake(twice) == line


def test_lines_whose_only_non_ascii_is_cjk_punctuation_or_kana_are_caught() -> None:
    for line in ("loss=nan、grad_norm=inf。", "step 5「done」", "エラー", "see ・ and ー"):
        mangled = browser_cp1252(line)
        assert looks_mangled(mangled) and repair_mojibake(mangled) == line
    assert browser_cp1252("、") == "ã€\x81"  # the shape the old check missed (ã was not a lead it knew)


def test_lost_bytes_become_placeholders_and_nothing_is_invented() -> None:
    for line in LINES:
        fixed = repair_mojibake(dropped_cp1252(line))
        want, got = CHINESE.findall(line), CHINESE.findall(fixed)
        matcher = difflib.SequenceMatcher(None, want, got, autojunk=False)
        assert sum(b.size for b in matcher.get_matching_blocks()) == len(got), (line, fixed)  # all in place
    assert share_recovered(dropped_cp1252) > 0.7
    # 、 with its last byte dropped is `ã€`, which clean text (`é—`) can look like: left as it is
    assert repair_mojibake(dropped_cp1252("loss=nan、")) == "loss=nanã€"
    assert repair_mojibake(dropped_cp1252("显存不足、")) == "显存\ufffd足\ufffd"  # among Chinese: a placeholder


def test_utf8_shown_through_a_gbk_console_is_mostly_recovered() -> None:
    for line in LINES:
        fixed = repair_mojibake(gbk_console(line))
        assert set(CHINESE.findall(fixed)) <= set(CHINESE.findall(line)), (line, fixed)  # nothing invented
        assert fixed.count("\ufffd") <= gbk_console(line).count("\ufffd") + 1
    assert share_recovered(gbk_console) > 0.75  # the rest was lost by the console (invalid GBK pairs)
    assert repair_mojibake(gbk_console("模型加载完成 12.3 秒钟")) == "模型加载完成 12.3 秒钟"  # even byte runs: all back
    # an odd run's last byte was paired by the console with the space after it, and lost
    assert repair_mojibake(gbk_console("加载完成，用时 12.3 秒")) == "加载完成，用\ufffd 12.3 \ufffd"


def test_a_mangled_chinese_error_is_diagnosed_through_normalize() -> None:
    for mangle in (browser_cp1252, gbk_console):
        texts = [line.text for line in normalize(mangle("bash: nvidia-docker：未找到命令") + "\nok\n")]
        assert texts[0] == "bash: nvidia-docker：未找到命令"


def test_valid_letters_never_become_placeholders() -> None:
    for clean in ("café—", "naïve café…", "«déjà vu»", "Müller—Lüdenscheid", "Schluß…", "ÉTÉ»", "Ångström°",
                  "ошибка: нет места", "錯誤：找不到指令", "記憶體不足，請檢查顯示卡", "💡 提示", "Ã©t mojibake"[3:]):
        assert repair_mojibake(clean) == clean
    assert repair_mojibake("Ã©tÃ©") == "été"  # the common single-round case still works


ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
# common simplified Chinese (GB2312 level 1), full-width punctuation, ASCII words: how Chinese logs look
HANZI = [c for c in map(chr, range(0x4E00, 0x9FA6)) if len(c.encode("gb2312", "ignore")) == 2 and
         0xB0A1 <= int.from_bytes(c.encode("gb2312"), "big") <= 0xD7F9]
CHINESE_TEXT = st.lists(st.one_of(st.sampled_from(HANZI), st.sampled_from(list("，。：；！？（）、“”《》…")),
                                  st.sampled_from([" ", "cuda", "0", "--gpus all", "/data/x.log"])),
                        max_size=40).map("".join)
LOWER = "abcdefghijklmnopqrstuvwxyzàáâäãåæçèéêëìíîïñòóôöõøùúûüýÿß"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÄÅÆÇÈÉÊËÎÏÑÓÔÖØÙÚÛÜ"
WORD = st.builds(lambda first, rest: first + rest, st.sampled_from(UPPER + LOWER),
                 st.text(st.sampled_from(LOWER), min_size=1, max_size=10))
SEPARATOR = st.sampled_from([" ", " ", ", ", ". ", "—", "…", "» ", " «", "’", " – ", " °C ", " ± ", " µs ", " © ",
                             " ½ ", " ¿", "¡", " § ", " · "])
LATIN_TEXT = st.lists(st.tuples(WORD, SEPARATOR), max_size=12).map(lambda parts: "".join(w + s for w, s in parts))
CYRILLIC_TEXT = st.text(st.sampled_from("абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГД ,.:—"), max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ASCII, CHINESE_TEXT, LATIN_TEXT, CYRILLIC_TEXT))
def test_no_clean_line_is_ever_changed(line: str) -> None:
    assert repair_mojibake(line) == line
