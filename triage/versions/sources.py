"""Where a log states versions and platform: one reader per kind of line, each (clean line) ->
facts. The collector (facts.py) decides which lines are worth reading and in what order.

Fact keys: `package:<name>` (PEP 503 name) -> version, `python` -> X.Y, `platform` -> linux |
windows | darwin, `conda` -> true | false, `container` -> true.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from triage.versions.ranges import dist_name

Found = Iterator[Tuple[str, str]]  # (fact key, value) pairs read from one line

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}"
_VERSION = r"\d{1,6}(?:\.\d{1,8}){0,5}(?:[a-z]{1,5}\d{0,8})?(?:\.(?:post|dev)\d{0,8})?(?:\+[\w.]{1,40})?"
_ALIASES = {"pytorch": "torch", "deepspeed-info": "deepspeed"}

# a listing's header opens a block of `name version` rows (pip list; conda list)
PIP_LIST_HEADER = re.compile(r"^Package\s+Version(?:\s+\S.*)?$")
CONDA_LIST_HEADER = re.compile(r"^# packages in environment at (?P<path>.{1,500})$")
# a row's version has a dot ("Epoch 3 done" after a listing ends it); pip's third column is a path
LIST_ROW = re.compile(rf"^(?P<name>{_NAME})\s+(?P<version>(?=\d+\.){_VERSION})(?:\s+\S.*)?$")
LIST_RULE = re.compile(r"^-{3,}[\s-]*$")

_FREEZE = re.compile(rf"^(?:\[(?:pip3?|conda)\]\s+)?(?P<name>{_NAME})==(?P<version>{_VERSION})\s*$")
_CONDA_ROW = re.compile(rf"^\[conda\]\s+(?P<name>{_NAME})\s+(?P<version>{_VERSION})\s")
# `transformers-cli env` / `accelerate env` ("- `Accelerate` version: 0.21.0") and collect_env
_ENV_REPORT = re.compile(rf"^(?:- `?(?P<name>[A-Za-z][\w-]{{0,40}})`?|(?P<torch>PyTorch)) version(?: \(GPU\?\))?: "
                         rf"(?P<version>{_VERSION})")
_NOT_PACKAGES = {"python", "platform", "cuda", "cudnn", "os", "gcc", "nvcc", "driver"}
_DS_REPORT = re.compile(rf"^(?P<name>torch|deepspeed) (?:version|info) \.{{3,}} (?P<version>{_VERSION})")
_DS_PATH = re.compile(r"^(?:torch|deepspeed) install path \.{3,} (?P<path>.{1,500})$")
_PYTHON = re.compile(r"^(?:- )?Python(?: version)?:? (?P<version>3\.\d{1,2})(?:\.\d+)?\b")
_OS = re.compile(r"^(?:OS|Python platform|- Platform|Platform): (?P<os>.{1,200})$")
_INSTALLED = re.compile(r"Successfully installed (?P<list>.{1,20000})$")
_INSTALLED_ITEM = re.compile(rf"(?P<name>{_NAME}?)-(?P<version>{_VERSION})")
_SATISFIED = re.compile(rf"Requirement already satisfied: (?P<name>{_NAME})(?:\[[^\]]{{0,200}}\])?\S{{0,200}} in "
                        rf"(?P<path>\S{{1,500}})(?: \((?P<version>{_VERSION})\))?")
_WHEEL = re.compile(r"-cp3(?P<minor>\d{1,2})-(?:cp3\d{1,2}m?|abi3|none)-(?P<os>manylinux|musllinux|linux|win|macosx)")
_NGC = re.compile(r"^NVIDIA Release \d\d\.\d\d\b")
_CONTAINER_PROMPT = re.compile(r"\broot@[0-9a-f]{12}:|/\.dockerenv\b|^Step \d+/\d+ : RUN\b")

# paths: a traceback's site-packages tell the interpreter, the platform and conda or not
_PY_DIR = re.compile(r"[/\\][Pp]ython(?:3\.(?P<minor>\d{1,2})|3(?P<win>\d{1,2}))[/\\]")
_WINDOWS_PATH = re.compile(r"(?<![\w/])[A-Za-z]:\\|\[WinError \d+\]")
_DARWIN_PATH = re.compile(r"/Users/|/opt/homebrew/|/Library/Frameworks/Python\.framework/")
_LINUX_PATH = re.compile(r"/home/|/root/|/dist-packages/|/opt/conda/|/usr/lib/python3|-linux-gnu\b|/usr/local/cuda\b")
# an extension module's file name: cpython-310-x86_64-linux-gnu.so, cp311-win_amd64.pyd, cpython-312-darwin.so
_EXTENSION = re.compile(r"\.cpython-3(?P<minor>\d{1,2})-(?:\w{1,20}-linux-gnu|(?P<darwin>darwin))\.so\b|\.cp3(?P<win>\d{1,2})-win_amd64\.pyd\b")
_CONDA_PATH = re.compile(r"(?i)[/\\](?:ana|mini)conda3?[/\\]|[/\\](?:miniforge3|mambaforge|micromamba)[/\\]"
                         r"|/opt/conda/|[/\\]envs[/\\][^/\\\s]{1,100}[/\\]lib")
_VENV_PATH = re.compile(r"[/\\](?:\.?venv|virtualenvs|\.virtualenvs)[/\\]|/usr/lib/python3|/dist-packages/")


def package(name: str, version: str) -> Tuple[str, str]:
    key = dist_name(name)
    return f"package:{_ALIASES.get(key, key)}", version


def platform_of(text: str) -> Optional[str]:
    """linux / windows / darwin from an OS description ('Ubuntu 22.04', 'Windows-10-...')."""
    low = text.lower()
    if "windows" in low:
        return "windows"
    if "macos" in low or "mac os" in low or "darwin" in low:
        return "darwin"
    if re.search(r"linux|ubuntu|debian|centos|red hat|rocky|alma|fedora|suse|arch", low):
        return "linux"
    return None


def path_facts(text: str) -> Found:
    """The interpreter version, platform and conda-or-not that a path shows."""
    py = _PY_DIR.search(text)
    if py:
        yield "python", f"3.{py.group('minor') or py.group('win')}"
    ext = _EXTENSION.search(text)
    if ext:
        yield "python", f"3.{ext.group('minor') or ext.group('win')}"
        yield "platform", "windows" if ext.group("win") else "darwin" if ext.group("darwin") else "linux"
    if _WINDOWS_PATH.search(text):
        yield "platform", "windows"
    elif _DARWIN_PATH.search(text):
        yield "platform", "darwin"
    elif _LINUX_PATH.search(text):
        yield "platform", "linux"
    if _CONDA_PATH.search(text):
        yield "conda", "true"
    elif _VENV_PATH.search(text):
        yield "conda", "false"


def _line_facts(text: str) -> Found:
    m = _FREEZE.match(text) or _CONDA_ROW.match(text) or _DS_REPORT.match(text)
    if m:
        yield package(m.group("name"), m.group("version"))
    m = _ENV_REPORT.match(text)
    name = (m.group("name") or m.group("torch")) if m else ""
    if m and name.lower() not in _NOT_PACKAGES:
        yield package(name, m.group("version"))
    m = _PYTHON.match(text)
    if m:
        yield "python", m.group("version")
    m = _OS.match(text)
    if m and platform_of(m.group("os")):
        yield "platform", str(platform_of(m.group("os")))
    m = _DS_PATH.match(text)
    if m:
        yield from path_facts(m.group("path"))


def _installs(text: str) -> Found:
    m = _INSTALLED.search(text)
    for item in m.group("list").split()[:1000] if m else ():
        found = _INSTALLED_ITEM.fullmatch(item)
        if found:
            yield package(found.group("name"), found.group("version"))
    m = _SATISFIED.search(text)
    if m:
        if m.group("version"):
            yield package(m.group("name"), m.group("version"))
        yield from path_facts(m.group("path"))


def _machine(text: str) -> Found:
    wheel = _WHEEL.search(text)
    if wheel:
        yield "python", f"3.{wheel.group('minor')}"
        yield "platform", {"win": "windows", "macosx": "darwin"}.get(wheel.group("os"), "linux")
    if _NGC.match(text) or _CONTAINER_PROMPT.search(text):
        yield "container", "true"
    yield from path_facts(text)


READERS: List[Callable[[str], Found]] = [_line_facts, _installs, _machine]


def free_form(names: List[str]) -> Optional["re.Pattern[str]"]:
    """`torch 2.0.1+cu117`, `bitsandbytes==0.41.1`, `flash_attn version 2.5.6` for the names the
    KB's conditions ask about (any name would read 'Epoch 3.0' as a package)."""
    if not names:
        return None
    spelled = "|".join(sorted({re.escape(n).replace(r"\-", "[-_]") for n in names}, key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w./-])(?P<name>{spelled})(?:==|\s+v?|\s+version:?\s+)(?P<version>{_VERSION})\b")


def free_form_facts(pattern: "re.Pattern[str]", text: str) -> Dict[str, str]:
    return dict(package(m.group("name"), m.group("version")) for m in pattern.finditer(text) if m.group("version"))
