"""Normalisation: clean text for matching, raw line numbers kept."""
from __future__ import annotations

import codecs

import pytest

from triage.engine.decode import decode, repair_mojibake
from triage.engine.normalize import normalize
from triage.errors import InputError


def texts(raw: str) -> list:
    return [(line.number, line.text, line.rank) for line in normalize(raw)]


def test_ansi_codes_are_removed() -> None:
    assert texts("\x1b[1;31mERROR:\x1b[0m build failed") == [(1, "ERROR: build failed", None)]


def test_bare_colour_codes_left_by_copy_paste_are_removed() -> None:
    assert texts("[31mRuntimeError[0m: boom")[0][1] == "RuntimeError: boom"


@pytest.mark.parametrize("prefix", [
    "2024-03-05T10:11:12.1234567Z ",  # GitHub Actions
    "[2024-03-05 10:11:12,345] ",  # python logging / DeepSpeed
    "#12 3.456 ",  # docker buildkit step
    "[10:11:12] ",  # Jenkins timestamper
])
def test_timestamp_and_step_prefixes_are_removed(prefix: str) -> None:
    assert texts(prefix + "fatal error: Python.h: No such file or directory")[0][1] == \
        "fatal error: Python.h: No such file or directory"


@pytest.mark.parametrize("prefix, rank", [
    ("[rank3]: ", "3"), ("[default5]:", "5"), ("7: ", "7"), ("[1,0]<stderr>:", "1"),
    ("(RayTrainWorker pid=4242) ", "RayTrainWorker pid=4242"), ("worker-2: ", "worker-2"),
])
def test_rank_prefixes_are_removed_and_remembered(prefix: str, rank: str) -> None:
    assert texts(prefix + "RuntimeError: NCCL error") == [(1, "RuntimeError: NCCL error", rank)]


def test_stacked_prefixes() -> None:
    line = "2024-03-05T10:11:12.000Z [rank0]: [2024-03-05 10:11:12,000] boom"
    assert texts(line) == [(1, "boom", "0")]


def test_progress_bar_rewrites_keep_last_state_and_line_number() -> None:
    raw = "start\n" + "\r".join(f" {i}%|##| {i}/100 [00:01<00:00, 9.0it/s]" for i in range(0, 101, 10)) + "\nend"
    out = texts(raw)
    assert [n for n, _, _ in out] == [1, 2, 3]
    assert out[1][1].startswith(" 100%")


def test_error_glued_to_a_progress_bar_is_its_own_line() -> None:
    raw = "100%|#####| 3/3 [00:05<00:00,  1.70s/it]Traceback (most recent call last):"
    assert [t for _, t, _ in texts(raw)] == ["100%|#####| 3/3 [00:05<00:00,  1.70s/it]",
                                            "Traceback (most recent call last):"]


def test_error_overwritten_by_a_progress_bar_is_kept() -> None:
    raw = "RuntimeError: CUDA error: out of memory\r 10%|#  | 1/10"
    assert "RuntimeError: CUDA error: out of memory" in [t for _, t, _ in texts(raw)]


def test_hard_wrapped_lines_are_joined_with_first_line_number() -> None:
    width = 80
    message = "OSError: [Errno 28] No space left on device: '/tmp/pip-unpack-abc/torch-2.1.0-cp310-cp310-manylinux1_x86_64.whl'"
    wrapped = "\n".join(message[i:i + width] for i in range(0, len(message), width))
    filler = "\n".join(f"{i:02d}" + "x" * (width - 2) + "\n" + "tail" for i in range(3))
    lines = normalize("intro\n" + wrapped + "\n" + filler)
    joined = [line for line in lines if line.text.startswith("OSError")][0]
    assert joined.text == message and joined.number == 2 and joined.end == 3


def test_one_long_line_repeated_by_ranks_is_not_a_wrap_width() -> None:
    line = "ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)."
    lines = normalize("\n".join([line] * 4 + ["short"]))
    assert [x.text for x in lines] == [line] * 4 + ["short"]


def test_crlf_line_endings() -> None:
    assert texts("a\r\nb\r\n") == [(1, "a", None), (2, "b", None)]


def test_huge_line_is_capped_for_matching() -> None:
    lines = normalize("x" * 1_000_000 + " RuntimeError: the end")
    assert len(lines[0].text) < 10_000 and lines[0].text.endswith("RuntimeError: the end")


def test_invalid_utf8_never_raises() -> None:
    assert "bad" in decode(b"bad \xff\xfe\xfa bytes")


def test_utf16_with_bom_is_decoded() -> None:
    data = codecs.BOM_UTF16_LE + "ERROR: No matching distribution found for torch==1.13.1+cu116\r\n".encode("utf-16-le")
    assert decode(data).startswith("ERROR: No matching distribution")


def test_utf16_without_bom_is_detected() -> None:
    assert decode("nvidia-docker: command not found\n".encode("utf-16-le")).startswith("nvidia-docker")


def test_binary_data_is_refused() -> None:
    with pytest.raises(InputError, match="binary"):
        decode(bytes(range(256)) * 40)


@pytest.mark.parametrize("original", ["  ╰─> See above for output.", "如何配置运行环境", "café"])
def test_mojibake_is_repaired(original: str) -> None:
    # how editors and browsers show UTF-8 as "windows-1252": undefined bytes become C1 controls
    mangled = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in original.encode("utf-8"))
    assert repair_mojibake(mangled) == original


def test_real_text_is_left_alone() -> None:
    for text in ("naïve café", "ошибка: нет места", "错误：未找到命令"):
        assert repair_mojibake(text) == text


def test_html_escaped_pastes_are_unescaped() -> None:
    assert texts("ImportError: cannot import name &#39;cache&#39; from &quot;functools&quot; &gt; x")[0][1] == \
        "ImportError: cannot import name 'cache' from \"functools\" > x"


@pytest.mark.parametrize("raw", ["> Killed", "> > Killed", "**Killed**", ">   **Killed**"])
def test_markdown_quotes_and_bold_are_removed(raw: str) -> None:
    assert texts(raw)[0][1] == "Killed"


def test_lines_rewrapped_by_a_web_page_are_joined_with_a_space() -> None:
    raw = ("docker: Error response from daemon: create ./data: \"./data\" includes\n"
           "invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\"\n"
           "are allowed. If you intended to pass a host directory, use absolute path.\n"
           "See 'docker run --help'.\n"
           "Error response from daemon: could not select device driver \"nvidia\" with\n"
           "capabilities: [[gpu]]\n")
    lines = normalize(raw)
    assert lines[0].text.endswith("includes invalid characters for a local volume name, only "
                                  "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                                  "directory, use absolute path.")
    assert (lines[0].number, lines[0].end) == (1, 3)
    assert any(x.text.endswith("with capabilities: [[gpu]]") and x.number == 5 for x in lines)
    assert any(x.text == "See 'docker run --help'." for x in lines)
