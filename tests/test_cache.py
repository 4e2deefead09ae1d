"""The KB cache: plain data that cannot run code, used only when private to the user, keyed by content."""
from __future__ import annotations

import dataclasses
import marshal
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, List

import pytest

from triage import diagnose, load_kb
from triage.knowledge import cache, loader
from triage.knowledge.loader import entry_files, kb_dirs, parse_files

from .conftest import ROOT

ENTRY = """\
id: cached-demo
title: {title}
summary: s
tags: [x]
severity: error
signatures: [{{regex: 'cached demo failure'}}]
solutions: [{{title: t, why: w, steps: [s]}}]
examples: {{}}
"""


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TRIAGE_NO_CACHE", raising=False)
    monkeypatch.delenv("TRIAGE_KB_PATH", raising=False)
    return tmp_path / "cache" / "triage"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> List[int]:
    """Counts YAML loads: a KB served from the cache parses nothing."""
    calls: List[int] = []
    real = loader.parse_files

    def counting(files: List[Path]) -> Any:
        calls.append(len(files))
        return real(files)

    monkeypatch.setattr(loader, "parse_files", counting)
    return calls


def same(a: Any, b: Any) -> bool:
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, tuple):
        return type(b) is tuple and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def cached_file(cache_home: Path) -> Path:
    files = list(cache_home.glob("kb-*.marshal"))
    assert len(files) == 1, files
    return files[0]


def test_cached_kb_is_the_parsed_kb_and_diagnoses_alike(cache_home: Path, parses: List[int]) -> None:
    first = load_kb()
    second = load_kb()
    assert len(parses) == 1, "the second load must come from the cache"
    assert same(first, second) and same(parse_files(entry_files(kb_dirs(()))), second)
    log = (ROOT / "fixtures" / "sample.log").read_bytes()
    assert [d.id for d in diagnose(log, kb=second)] == [d.id for d in diagnose(log, kb=first)] != []
    assert (cache_home.stat().st_mode & 0o777, cached_file(cache_home).stat().st_mode & 0o777) == (0o700, 0o600)


def test_planted_pickle_runs_no_code(cache_home: Path, tmp_path: Path) -> None:
    """A shared CI cache or a world-writable TRIAGE_CACHE_DIR holding a crafted file."""
    planted = tmp_path / "PWNED"

    class Payload:
        def __reduce__(self) -> Any:
            return (os.system, (f"touch {planted}",))

    key = cache.cache_key(entry_files(kb_dirs(())))
    cache_home.mkdir(parents=True, mode=0o700)
    for name in (f"kb-{key}.pickle", f"kb-{key}.marshal"):
        (cache_home / name).write_bytes(pickle.dumps(Payload()))
        (cache_home / name).chmod(0o600)
    r = subprocess.run([sys.executable, "-c", "import triage; print(len(triage.load_kb().entries))"],
                       capture_output=True, text=True, cwd=ROOT, timeout=120,
                       env={**os.environ, "TRIAGE_CACHE_DIR": str(cache_home.parent)})
    assert r.returncode == 0 and int(r.stdout) == len(parse_files(entry_files(kb_dirs(()))).entries), r.stderr
    assert not planted.exists()


def plant_title(path: Path, title: str) -> None:
    """Rewrite a valid cache file so the first entry's title differs: proof of who served the KB."""
    data = marshal.loads(path.read_bytes())
    first = data[0][0]
    data = ((first[:1] + (title,) + first[2:],) + data[0][1:],)
    path.write_bytes(marshal.dumps(data))


def test_cache_served_only_when_private_to_the_user(cache_home: Path) -> None:
    real_title = load_kb().entries[0].title
    path = cached_file(cache_home)
    plant_title(path, "PLANTED")
    assert load_kb().entries[0].title == "PLANTED"  # ours and private: served (the check can fail)
    path.chmod(0o666)
    assert load_kb().entries[0].title == real_title  # writable by others: ignored
    path.chmod(0o600)
    cache_home.chmod(0o777)
    assert load_kb().entries[0].title == real_title  # folder writable by others: ignored
    cache_home.chmod(0o700)
    link = cache_home / "elsewhere.bin"
    path.rename(link)
    path.symlink_to(link.name)
    assert load_kb().entries[0].title == real_title  # reached through a link: ignored


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_cache_owned_by_someone_else_is_ignored(cache_home: Path) -> None:
    real_title = load_kb().entries[0].title
    path = cached_file(cache_home)
    plant_title(path, "PLANTED")
    os.chown(path, 65534, 65534)
    assert load_kb().entries[0].title == real_title
    os.chown(path, 0, 0)
    os.chown(cache_home, 65534, 65534)
    assert load_kb().entries[0].title == real_title


def test_same_size_edit_with_the_old_mtime_is_seen(cache_home: Path, tmp_path: Path, parses: List[int]) -> None:
    extra = tmp_path / "kb" / "demo"
    extra.mkdir(parents=True)
    entry = extra / "cached-demo.yaml"
    entry.write_text(ENTRY.format(title="first title"))
    stamp = entry.stat()
    assert load_kb(tmp_path / "kb").get("cached-demo").title == "first title"
    entry.write_text(ENTRY.format(title="other title"))  # same size
    os.utime(entry, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # as `cp -p` or `tar x` would
    assert entry.stat().st_size == stamp.st_size and entry.stat().st_mtime_ns == stamp.st_mtime_ns
    assert load_kb(tmp_path / "kb").get("cached-demo").title == "other title"
    assert len(parses) == 2


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", "truncate", "wrong shape"])
def test_damaged_cache_means_loading_the_yaml(cache_home: Path, damage: Any) -> None:
    want = load_kb().ids
    path = cached_file(cache_home)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "wrong shape":
        path.write_bytes(marshal.dumps(("not", "a", "kb")))
    else:
        path.write_bytes(damage)
    assert load_kb().ids == want


def test_code_object_in_a_cache_field_is_refused(cache_home: Path) -> None:
    want = load_kb().entries[0].title
    path = cached_file(cache_home)
    data = marshal.loads(path.read_bytes())
    first = data[0][0]
    path.write_bytes(marshal.dumps(((first[:1] + (compile("1", "x", "eval"),) + first[2:],) + data[0][1:],)))
    assert load_kb().entries[0].title == want


def test_unusable_cache_folder_never_breaks_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("")
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(blocker))
    assert len(load_kb().entries) == len(parse_files(entry_files(kb_dirs(()))).entries)
