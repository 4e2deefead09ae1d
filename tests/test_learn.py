"""`triage learn`: failure messages of unknown logs clustered into draft KB entries that load,
pass their own examples, diagnose the logs they came from and stay silent on healthy logs."""
from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import List

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.api import default_kb, diagnose
from triage.cli.main import main
from triage.knowledge.lint import lint_dirs
from triage.knowledge.loader import load_kb
from triage.learn.draft import Draft, draft_yaml, parse_draft
from triage.learn.drain import Drain
from triage.learn.healthy import Healthy
from triage.learn.masks import mask, tokens
from triage.learn.nearby import NearbyIndex
from triage.learn.region import Region
from triage.learn.template import build
from triage.model import compile_pattern

from .conftest import ROOT

BENIGN = sorted((ROOT / "fixtures" / "logs").glob("benign-*.log"))


@pytest.fixture(scope="module")
def healthy() -> Healthy:
    return Healthy.read(BENIGN)


def shard_log(i: int) -> str:
    """One failure, written the way eight different runs print it: other ranks, hosts, paths, numbers."""
    return (f"2024-05-0{i % 9 + 1}T10:{i:02d}:00Z starting job {1000 + i} on node-{i}.cluster.internal\n"
            f"[rank{i % 8}]: step {i * 10} loss 1.{i}3\n"
            f"[rank{i % 8}]: Traceback (most recent call last):\n"
            f'[rank{i % 8}]:   File "/home/user{i}/proj/train.py", line {40 + i}, in <module>\n'
            f"[rank{i % 8}]: acmelib.errors.ShardIndexError: shard {i:03d} of /data/run{i}/shards.idx has "
            f"{100 + i} entries, expected 128 (host 10.0.{i}.7)\n"
            f"[rank{i % 8}]:   while loading the manifest\n"
            "job finished\n")


def lock_log(i: int) -> str:
    return (f"Collecting widgets=={i}.2.0\n"
            f"[{10 + i}:00:00] frobnicate: fatal: widget registry at /opt/widgets-{i} is locked by pid {900 + i}\n")


def write_logs(folder: Path) -> List[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(1, 4):
        paths.append(folder / f"shard-{i}.log")
        paths[-1].write_text(shard_log(i), encoding="utf-8")
    for i in range(4, 6):
        paths.append(folder / f"lock-{i}.log.gz")
        paths[-1].write_bytes(gzip.compress(lock_log(i).encode()))
    paths.append(folder / "once.log")
    paths[-1].write_text("Hello\nacmelib.errors.PaletteError: palette 'warm' has no colour named 'teal'\n",
                         encoding="utf-8")
    return paths


def run(*args: str) -> "CliRunner.invoke":
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def learned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("learn")
    write_logs(root / "ci")
    result = run("learn", str(root / "ci"), "--out", str(root / "drafts"), "-j", "1")
    assert result.exit_code == 0, result.output
    return root


def test_variants_of_one_message_form_one_cluster_and_others_their_own(learned: Path) -> None:
    drafts = sorted(p.name for p in (learned / "drafts").glob("*.yaml"))
    assert drafts == ["draft-frobnicate-fatal-widget-registry-at-is-locked.yaml",
                      "draft-shard-index-error-shard-of-has-entries-expected.yaml"]
    text = (learned / "drafts" / drafts[1]).read_text(encoding="utf-8")
    sources = [f"#   {learned / 'ci' / f'shard-{i}.log'} (line 5)" for i in (1, 2, 3)]
    assert all(line in text for line in sources)  # the cluster's logs, in comments
    assert "draft: true" in text and "expected 128" in text  # what all three share stays constant


def test_the_summary_counts_clusters_drafts_and_logs_left_alone(tmp_path: Path) -> None:
    write_logs(tmp_path / "ci")
    out = run("learn", str(tmp_path / "ci"), "--out", str(tmp_path / "d"), "-j", "1").output
    assert "6 logs, 0 diagnosed by the KB" in out and "6 failure messages in 3 clusters" in out
    assert "     3  draft-shard-index-error" in out and "     2  draft-frobnicate" in out
    assert "(not drafted: seen in 1 log (--min-count 2))" in out
    assert "2 drafts written" in out and "logs left alone: 1 in clusters not drafted" in out
    again = run("learn", str(tmp_path / "ci"), "--out", str(tmp_path / "d"), "-j", "1").output
    assert "0 drafts written" in again and "(2 already there)" in again  # never written twice, never replaced
    once = run("learn", str(tmp_path / "ci"), "--out", str(tmp_path / "d1"), "--min-count", "1", "-j", "1").output
    assert "3 drafts written" in once


def test_different_messages_form_different_clusters() -> None:
    drain: Drain[str] = Drain()
    messages = ["RuntimeError: shard 3 of /a/b is corrupt", "RuntimeError: shard 17 of /c/d/e is corrupt",
                "RuntimeError: palette 'x' is missing", "RuntimeError: palette 'yz' is missing",
                "ValueError: shard 3 of /a/b is corrupt", "OSError: disk quota exceeded on /scratch/u1"]
    for message in messages:
        drain.add(*tokens(mask(message)), message)
    assert [c.members for c in drain.clusters] == [messages[:2], messages[2:4], messages[4:5], messages[5:]]


def test_drafts_load_lint_clean_and_diagnose_their_logs_but_no_benign_fixture(learned: Path) -> None:
    report = lint_dirs([learned / "drafts"])
    assert report.errors == []
    kb = load_kb(learned / "drafts")
    drafted = {e.id for e in kb.entries if e.draft}
    assert len(drafted) == 2
    for log in sorted((learned / "ci").iterdir()):
        data = log.read_bytes()
        found = diagnose(gzip.decompress(data) if log.suffix == ".gz" else data, kb)
        if log.name == "once.log":
            assert not found
            continue
        assert found and found[0].id in drafted and found[0].draft and found[0].confidence <= 0.45
    for log in BENIGN:
        assert not {d.id for d in diagnose(log.read_bytes(), kb)} & drafted, log.name


def test_a_draft_is_shown_as_one(learned: Path) -> None:
    log = str(learned / "ci" / "shard-1.log")
    text = run("--kb", str(learned / "drafts"), log).output
    assert "(confidence 0.45, error, draft: not reviewed)" in text and "TODO" in text
    doc = json.loads(run("--kb", str(learned / "drafts"), "--format", "json", log).output)
    assert doc["results"][0]["diagnoses"][0]["draft"] is True


def test_without_its_draft_mark_a_draft_is_held_to_every_rule(learned: Path, tmp_path: Path) -> None:
    source = next((learned / "drafts").glob("draft-shard-*.yaml"))
    (tmp_path / source.name).write_text(source.read_text(encoding="utf-8").replace("draft: true\n", ""),
                                        encoding="utf-8")
    report = lint_dirs([tmp_path], run_examples=False, fixtures=tmp_path)
    joined = "\n".join(report.errors)
    assert "still says TODO" in joined and "refs" in joined and "needs at least 3 match and 2 no_match" not in joined
    assert "no fixture expects it" in joined and any("no Chinese text" in w for w in report.warnings)


def test_secrets_and_user_names_never_reach_a_draft(tmp_path: Path) -> None:
    for i, user in enumerate(("alice", "bob")):
        (tmp_path / f"run{i}.log").write_text(
            f"acmelib.errors.UploadError: upload of /home/{user}/ckpt/step{i}.pt refused with "
            f"HF_TOKEN=hf_{'aB3' * 11}{i} for repo\n", encoding="utf-8")
    run("learn", str(tmp_path), "--out", str(tmp_path / "d"), "-j", "1")
    [draft] = (tmp_path / "d").glob("*.yaml")
    text = draft.read_text(encoding="utf-8")
    assert "alice" not in text and "bob" not in text and "aB3aB3" not in text and "/home/user/" in text
    kb = load_kb(tmp_path / "d")
    for log in ("run0.log", "run1.log"):  # the masked examples still stand for the real lines
        assert [d.id for d in diagnose((tmp_path / log).read_bytes(), kb)] == [draft.stem]


def test_a_message_close_to_an_entry_says_extend_it() -> None:
    kb = default_kb()
    entry = kb.get("cuda-out-of-memory")
    assert entry is not None
    line = next(x for ex in entry.examples.match for x in ex.text.splitlines() if "Tried to allocate" in x)
    near = NearbyIndex(kb).nearest(line.replace("Tried to", "Could not"))  # a wording no signature knows
    assert near is not None and near.entry == "cuda-out-of-memory"
    assert NearbyIndex(kb).nearest("acmelib.errors.PaletteError: palette 'warm' has no colour named 'teal'") is None


def test_bad_input_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["learn", str(tmp_path / "missing"), "--out", str(tmp_path / "d")])
    assert result.exit_code != 0 and "no such file or folder" in str(result.exception or result.output)


_WORDS = st.sampled_from("shard palette registry widget manifest cannot open checksum upload refused index "
                         "queue broker tensor layout expected got while for the of in".split())
_VALUES = {
    "num": st.integers(0, 10**6).map(str),
    "path": st.lists(st.from_regex(r"[a-z0-9_.-]{1,8}", fullmatch=True), min_size=1, max_size=4)
    .map(lambda parts: "/" + "/".join(parts)),
    "quoted": st.from_regex(r"[A-Za-z_][\w .]{0,12}", fullmatch=True).map(lambda s: f"'{s.strip() or 'x'}'"),
    "hex": st.integers(16**6, 16**12).map(lambda n: f"0x{n:x}"),
    "version": st.tuples(*[st.integers(0, 30)] * 3).map(lambda v: ".".join(map(str, v))),
    "ip": st.tuples(*[st.integers(1, 254)] * 4).map(lambda v: ".".join(map(str, v))),
}


@st.composite
def message_family(draw: st.DrawFn) -> List[str]:
    """A failure message with variable slots, and 2-4 logs' versions of it."""
    parts = [draw(st.sampled_from(["acmelib.errors.ShardError:", "RuntimeError: acme", "fatal: acme"]))]
    parts += draw(st.lists(st.one_of(_WORDS, st.sampled_from(sorted(_VALUES))), min_size=3, max_size=10))
    parts += draw(st.lists(_WORDS, min_size=2, max_size=3))
    n = draw(st.integers(2, 4))
    return [" ".join(draw(_VALUES[p]) if p in _VALUES else p for p in parts) for _ in range(n)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(message_family())
def test_each_draft_regex_matches_its_examples_and_none_of_its_no_match_lines(healthy: Healthy,
                                                                              family: List[str]) -> None:
    drain: Drain[str] = Drain()
    for message in family:
        drain.add(*tokens(mask(message)), message)
    assert len(drain.clusters) == 1  # the same message with other values is one cluster
    cluster = drain.clusters[0]
    pattern = build(cluster.template, cluster.gaps)
    assert pattern is not None
    regex = compile_pattern(pattern.source)
    no_match = healthy.near_misses(regex, pattern.words, family[0])
    regions = tuple(Region(f"{i}.log", 1, m, (m,)) for i, m in enumerate(family))
    draft = Draft("draft-x", "t", pattern, regions, tuple(family[:3]), no_match, None)
    with tempfile.TemporaryDirectory() as folder:
        entry = parse_draft(draft_yaml(draft), Path(folder) / "draft-x.yaml")
    [signature] = entry.signatures
    assert all(signature.pattern.search(ex.text) for ex in entry.examples.match)
    assert not any(signature.pattern.search(ex.text) for ex in entry.examples.no_match)
    assert len(signature.source) <= 260  # readable: the message head, not the whole line
