"""Solutions that know which versions they apply to: `applies_if` in the KB, facts from the log
(or the machine), the three-valued verdict, the order it gives, and how every format shows it."""
from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import pytest

from triage import KBError, diagnose, load_kb
from triage.api import analyze
from triage.cli.render import render
from triage.fixes import sitepkgs
from triage.model import AppliesIf, KnowledgeBase, Solution
from triage.versions import ranges
from triage.versions.applies import checked, evaluate, merged

from .test_kb import GOOD, write_entry

WITH_CONDITIONS = GOOD.replace("""        steps: ["sbatch --constraint=scratch job.sh  # volume {vol}"]
""", """        steps: ["sbatch --constraint=scratch job.sh  # volume {vol}"]
      - title: Old scheduler only
        why: Before 2.0 the flag was spelled differently.
        steps: ["sbatch --old-flag job.sh"]
        when: "slurm-client < 2.0 on Linux"
        applies_if: {packages: {slurm-client: "<2.0"}, platform: linux}
      - title: Inside the cluster's conda env
        why: The env ships its own launcher.
        steps: ["conda run -n cluster sbatch job.sh"]
        when: "a conda environment"
        applies_if: {conda: true}
""")


@pytest.mark.parametrize("condition, field, words", [
    ("{platform: beos}", "solutions[0].applies_if.platform", "must be one of linux, windows, darwin"),
    ("{packages: {torch: 'about 2'}}", "solutions[0].applies_if.packages.torch", "version range"),
    ("{packages: {'torch 2': '<2'}}", "solutions[0].applies_if.packages", "not a distribution name"),
    ("{conda: maybe}", "solutions[0].applies_if.conda", "true or false"),
    ("{gpu: a100}", "solutions[0].applies_if.gpu", "unknown field"),
    ("{}", "solutions[0].applies_if", "at least one"),
    ("{python: '3.10'}", "solutions[0].applies_if.python", "version range"),
])
def test_a_bad_condition_is_refused_naming_its_field(tmp_path: Path, condition: str, field: str, words: str) -> None:
    text = textwrap.dedent(GOOD.replace('        steps: ["sbatch', f"        applies_if: {condition}\n        steps: [\"sbatch"))
    path = write_entry(tmp_path, text)
    with pytest.raises(KBError) as info:
        load_kb(tmp_path)
    assert (info.value.path, info.value.field) == (str(path), field) and words in str(info.value)


def test_conditions_load_into_the_entry(tmp_path: Path) -> None:
    write_entry(tmp_path, WITH_CONDITIONS)
    entry = load_kb(tmp_path).get("my-entry")
    assert entry is not None
    assert [s.applies_if for s in entry.solutions] == [
        None, AppliesIf(packages={"slurm-client": "<2.0"}, platform=("linux",)), AppliesIf(conda=True)]
    assert [s.position for s in entry.solutions] == [0, 1, 2]


@pytest.mark.parametrize("version, spec, expected", [
    ("2.0.1+cu117", ">=2.0,<2.6", True), ("2.6.0", ">=2.0,<2.6", False), ("2.5.1", "==2.5.*", True),
    ("0.43.0.dev0", "<0.43", False), ("0.42", "<0.43", True), ("1.13.1", "!=1.13.1", False),
    ("3.10", ">=3.12", False), ("junk", "<1", False), (None, "<1", False), (None, None, True),
])
def test_one_version_checker_for_conditions_and_fixes(version: Optional[str], spec: Optional[str],
                                                     expected: bool) -> None:
    assert ranges.satisfies(version, spec) is expected
    assert sitepkgs.satisfies(version, spec) is expected  # a fix's `versions` goes through the same code


def test_verdicts_are_three_valued_and_say_why() -> None:
    cond = AppliesIf(packages={"bitsandbytes": "<0.43"}, platform=("linux",))
    assert evaluate(cond, {"package:bitsandbytes": "0.41.1", "platform": "linux"}) == (
        True, "bitsandbytes 0.41.1, platform linux")
    assert evaluate(cond, {"package:bitsandbytes": "0.43.1"}) == (False, "bitsandbytes 0.43.1 (wants <0.43)")
    assert evaluate(cond, {"platform": "linux"}) == (None, "bitsandbytes version unknown")
    assert evaluate(cond, {"package:bitsandbytes": "0.41.1", "platform": "windows"}) == (
        False, "platform windows (wants linux)")
    assert evaluate(AppliesIf(conda=False, python=">=3.12"), {"conda": "true", "python": "3.12"}) == (
        False, "conda true (wants false)")
    assert evaluate(None, {"platform": "linux"}) == (None, None)


def test_machine_facts_override_the_logs_and_names_are_compared_as_pep_503() -> None:
    facts = merged({"package:flash-attn": "2.5.4", "conda": "true"},
                   {"package:Flash_Attn": "2.5.6", "conda": False, "container": True})
    assert facts == {"package:flash-attn": "2.5.6", "conda": "false", "container": "true"}


def solution(title: str, cond: Optional[AppliesIf], position: int) -> Solution:
    return Solution(title=title, why="", steps=(), applies_if=cond, position=position)


def test_applying_first_unknown_next_not_applying_last_none_dropped() -> None:
    old, new = AppliesIf(packages={"x": "<2"}), AppliesIf(packages={"x": ">=2"})
    kb_order = (solution("plain", None, 0), solution("old", old, 1), solution("new", new, 2),
                solution("conda", AppliesIf(conda=True), 3))
    assert [s.title for s in checked(kb_order, {"package:x": "2.1"})] == ["new", "plain", "conda", "old"]
    assert [s.applies for s in checked(kb_order, {"package:x": "2.1"})] == [True, None, None, False]
    # checking again with other facts orders them afresh from the KB's order, not the last result's
    again = checked(checked(kb_order, {"package:x": "2.1"}), {"package:x": "1.0", "conda": "true"})
    assert [s.title for s in again] == ["old", "conda", "plain", "new"]


PIP_LIST = """\
$ pip list
Package                  Version      Editable project location
------------------------ ------------ -------------------------
accelerate               0.20.3
bitsandbytes             0.41.1
flash_attn               2.5.6
peft                     0.4.0.dev0   /src/peft
torch                    2.0.1+cu117
$ python train.py
Epoch 3 1.5
"""
COLLECT_ENV = """\
Collecting environment information...
PyTorch version: 2.1.0+cu121
Is debug build: False
OS: Ubuntu 22.04.3 LTS (x86_64)
Python version: 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] (64-bit runtime)
Python platform: Linux-5.15.0-86-generic-x86_64-with-glibc2.35
Versions of relevant libraries:
[pip3] numpy==1.24.1
[pip3] triton==2.1.0
[conda] pytorch-cuda              12.1                 ha16c6d3_5    pytorch
"""
DS_REPORT = """\
DeepSpeed general environment info:
torch install path ............... ['/opt/conda/envs/ds/lib/python3.9/site-packages/torch']
torch version .................... 2.0.1+cu118
deepspeed install path ........... ['/opt/conda/envs/ds/lib/python3.9/site-packages/deepspeed']
deepspeed info ................... 0.9.2, unknown, unknown
torch cuda version ............... 11.8
"""
WINDOWS_TRACEBACK = """\
Traceback (most recent call last):
  File "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python311\\Lib\\site-packages\\torch\\__init__.py", line 141
OSError: [WinError 126] The specified module could not be found.
"""


def facts_of(text: str) -> Mapping[str, str]:
    return analyze(iter([text])).facts


@pytest.mark.parametrize("text, expected", [
    (PIP_LIST, {"package:accelerate": "0.20.3", "package:bitsandbytes": "0.41.1", "package:flash-attn": "2.5.6",
                "package:peft": "0.4.0.dev0", "package:torch": "2.0.1+cu117"}),
    (COLLECT_ENV, {"package:torch": "2.1.0+cu121", "platform": "linux", "python": "3.10",
                   "package:numpy": "1.24.1", "package:triton": "2.1.0", "package:pytorch-cuda": "12.1"}),
    (DS_REPORT, {"package:torch": "2.0.1+cu118", "package:deepspeed": "0.9.2", "python": "3.9",
                 "platform": "linux", "conda": "true"}),
    (WINDOWS_TRACEBACK, {"python": "3.11", "platform": "windows"}),
    ("Successfully installed accelerate-0.21.0 nvidia-cublas-cu12-12.1.3.1 peft-0.3.0\n",
     {"package:accelerate": "0.21.0", "package:nvidia-cublas-cu12": "12.1.3.1", "package:peft": "0.3.0"}),
    ("Requirement already satisfied: transformers>=4.30 in /home/u/.venv/lib/python3.11/site-packages (4.31.0)\n",
     {"package:transformers": "4.31.0", "python": "3.11", "platform": "linux", "conda": "false"}),
    ("  Downloading torch-2.2.0-cp312-cp312-manylinux1_x86_64.whl (755.5 MB)\n", {"python": "3.12", "platform": "linux"}),
    ("== PyTorch ==\nNVIDIA Release 23.07 (build 63867923)\n", {"container": "true"}),
    ("# packages in environment at /home/u/miniconda3/envs/train:\n#\n# Name  Version  Build  Channel\n"
     "pytorch  2.0.1  py3.10_cuda11.7_cudnn8.5.0_0  pytorch\n", {"conda": "true", "package:torch": "2.0.1",
                                                                "platform": "linux"}),
    ("We pinned bitsandbytes 0.41.1 and torch==2.0.1 here.\n", {"package:bitsandbytes": "0.41.1",
                                                                 "package:torch": "2.0.1"}),
    ("Epoch 3 1.5\nstep 100 loss 2.0\n", {}),
])
def test_facts_read_from_the_log(text: str, expected: Dict[str, str]) -> None:
    assert facts_of(text) == expected


def test_a_later_statement_wins_and_a_listing_beats_a_mention() -> None:
    text = PIP_LIST + "Successfully installed bitsandbytes-0.43.1\nstill on bitsandbytes 0.40.0 says the README\n"
    assert facts_of(text)["package:bitsandbytes"] == "0.43.1"


def test_a_listing_is_read_across_chunk_edges() -> None:
    cut = PIP_LIST.index("flash_attn")
    assert analyze(iter([PIP_LIST[:cut], PIP_LIST[cut:]])).facts == facts_of(PIP_LIST)


BNB_LOG = PIP_LIST.replace("bitsandbytes             0.41.1", "bitsandbytes             0.39.1") + """\
  File "/home/u/miniconda3/envs/qlora/lib/python3.10/site-packages/bitsandbytes/cextension.py", line 20
AttributeError: /home/u/miniconda3/envs/qlora/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cpu.so: undefined symbol: cget_col_row_stats
"""


def titles_and_verdicts(d_solutions: Tuple[Solution, ...]) -> List[Tuple[str, Optional[bool]]]:
    return [(s.title, s.applies) for s in d_solutions]


def test_a_diagnosis_orders_its_solutions_by_the_logs_facts(kb: KnowledgeBase) -> None:
    d = next(d for d in diagnose(BNB_LOG, kb) if d.id == "bitsandbytes-cpu-library-loaded")
    verdicts = titles_and_verdicts(d.solutions)
    assert verdicts[0] == ("Put the CUDA runtime inside the conda env (reinstall cudatoolkit)", True)
    assert verdicts[-1][1] is False and len(verdicts) == 5  # shown as not applying, never dropped
    assert [a for _, a in verdicts] == sorted((a for _, a in verdicts), key=lambda a: {True: 0, None: 1, False: 2}[a])
    # the machine's own facts override the log's: bitsandbytes was upgraded since
    later = next(d for d in diagnose(BNB_LOG, kb, facts={"package:bitsandbytes": "0.43.1"})
                 if d.id == "bitsandbytes-cpu-library-loaded")
    assert ("Put the CUDA runtime inside the conda env (reinstall cudatoolkit)", False) in titles_and_verdicts(
        later.solutions)
    assert later.solutions[0].title == "Force the CUDA version bitsandbytes loads with BNB_CUDA_VERSION"


def test_every_format_shows_the_verdict(kb: KnowledgeBase) -> None:
    result = replace(analyze(iter([BNB_LOG]), kb), source="train.log")
    doc = json.loads(render("json", [result], "0"))
    out = doc["results"][0]
    assert out["facts"]["package:bitsandbytes"] == "0.39.1" and out["facts"]["conda"] == "true"
    solutions = [s for d in out["diagnoses"] for s in d["solutions"]]
    assert solutions and all("applies" in s and "applies_reason" in s for s in solutions)
    assert {s["applies"] for s in solutions} == {True, False, None}
    text = render("text", [result], "0", verbose=True)
    assert "[applies: bitsandbytes 0.39.1, conda: true]" in text
    assert "[does not apply: bitsandbytes 0.39.1 (wants >=0.40.2)]" in text
    assert "[applies: bitsandbytes 0.39.1, conda: true]" in render("markdown", [result], "0")


def conditions(kb: KnowledgeBase) -> List[Tuple[str, int, AppliesIf]]:
    return [(e.id, i, s.applies_if) for e in kb.entries for i, s in enumerate(e.solutions) if s.applies_if]


def versions_around(spec: str) -> List[str]:
    """Candidate versions next to every bound of a range: the bound, just above, just below."""
    out = []
    for clause in spec.split(","):
        bound = ranges.version_tuple(clause.lstrip("<>=!").rstrip(".*"))
        out += [".".join(map(str, bound)), ".".join(map(str, bound[:-1] + (bound[-1] + 1,)))]
        nonzero = [k for k, part in enumerate(bound) if part > 0]
        if nonzero:
            k = nonzero[-1]
            out.append(".".join(map(str, bound[:k] + (bound[k] - 1,) + (99,) * (len(bound) - k - 1))))
    return out


def facts_holding(cond: AppliesIf, broken: Optional[str] = None) -> Dict[str, str]:
    """Facts under which `cond` holds, or (broken=key) fails on exactly that key."""
    facts: Dict[str, str] = {}
    specs = {f"package:{ranges.dist_name(n)}": spec for n, spec in cond.packages.items()}
    if cond.python:
        specs["python"] = cond.python
    for key, spec in specs.items():
        want = key != broken
        facts[key] = next(v for v in versions_around(spec) if ranges.satisfies(v, spec) is want)
    if cond.platform:
        others = [p for p in ("linux", "windows", "darwin") if p not in cond.platform]
        facts["platform"] = others[0] if broken == "platform" else cond.platform[0]
    for key, flag in (("conda", cond.conda), ("container", cond.container)):
        if flag is not None:
            facts[key] = str(flag != (broken == key)).lower()
    return facts


def test_every_annotated_solution_applies_on_facts_that_hold_and_not_on_each_broken_one(kb: KnowledgeBase) -> None:
    found = conditions(kb)
    assert len(found) >= 50  # the KB's machine-checkable `when`s carry conditions
    for eid, i, cond in found:
        assert evaluate(cond, facts_holding(cond))[0] is True, (eid, i)
        for key in facts_holding(cond):
            assert evaluate(cond, facts_holding(cond, broken=key))[0] is False, (eid, i, key)
        assert evaluate(cond, {})[0] is None, (eid, i)


# (entry, solution title, facts, applies): the version facts checked against upstream for issue 15
FACTS_CHECKED = [
    ("peft-adapter-empty-save", "Pin peft 0.2.0", {"package:peft": "0.3.0"}, True),
    ("peft-adapter-empty-save", "Pin peft 0.2.0", {"package:peft": "0.2.0"}, False),
    ("fsdp-state-dict-oom", "Patch the clone in torch 2.0-2.5 to copy to CPU first", {"package:torch": "2.5.1"}, True),
    ("fsdp-state-dict-oom", "Patch the clone in torch 2.0-2.5 to copy to CPU first", {"package:torch": "2.6.0"}, False),
    ("bitsandbytes-cpu-library-loaded", "Force the CUDA version bitsandbytes loads with BNB_CUDA_VERSION",
     {"package:bitsandbytes": "0.40.1"}, False),
    ("bitsandbytes-cpu-library-loaded", "Force the CUDA version bitsandbytes loads with BNB_CUDA_VERSION",
     {"package:bitsandbytes": "0.40.2"}, True),
    ("bitsandbytes-cpu-library-loaded", "Put the CUDA runtime inside the conda env (reinstall cudatoolkit)",
     {"package:bitsandbytes": "0.41.1", "conda": "true"}, False),
    ("deepspeed-async-io-precompile", "Do not pre-compile ops at install time", {"package:deepspeed": "0.15.0"}, True),
    ("deepspeed-async-io-precompile", "Upgrade to DeepSpeed 0.15.1 or later", {"package:deepspeed": "0.15.1"}, False),
    ("flash-attn-head-dim-unsupported", "Train head dim 256 without attention dropout (flash-attn >= 2.5.5)",
     {"package:flash-attn": "2.5.4"}, False),
    ("flash-attn-head-dim-unsupported", "Train head dim 256 without attention dropout (flash-attn >= 2.5.5)",
     {"package:flash_attn": "2.5.5"}, True),
    ("torch-load-weights-only", "Allowlist the classes the checkpoint needs", {"package:torch": "2.3.1"}, False),
    ("torch-load-weights-only", "Upgrade the library that loads the checkpoint, or pin torch below 2.6",
     {"package:torch": "2.6.0+cu124"}, True),
]


@pytest.mark.parametrize("eid, title, facts, applies", FACTS_CHECKED, ids=lambda v: v if isinstance(v, str) else None)
def test_corrected_entries_apply_on_the_checked_versions(kb: KnowledgeBase, eid: str, title: str,
                                                         facts: Dict[str, str], applies: bool) -> None:
    entry = kb.get(eid)
    assert entry is not None
    cond = next(s.applies_if for s in entry.solutions if s.title == title)
    assert evaluate(cond, merged({}, facts))[0] is applies


def test_the_fsdp_patch_range_is_the_checked_one(kb: KnowledgeBase) -> None:
    fix = kb.get("fsdp-state-dict-oom").fix  # type: ignore[union-attr]
    assert fix.versions == ">=2.0,<2.6"
    assert [sitepkgs.satisfies(v, fix.versions) for v in ("1.13.1", "2.0.1", "2.5.1+cu121", "2.6.0")] == [
        False, True, True, False]
