"""The redaction layer (triage/redact): its rule table, linear time, no false masks, results."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage import diagnose
from triage.engine.decode import decode
from triage.engine.normalize import detect_wrap
from triage.errors import KBError
from triage.model import Diagnosis, Evidence, LogResult, Solution
from triage.redact import Redactor, redact_result, redact_text, rule_table
from triage.redact.rules import parse_table
from triage.redact.secrets import find_secrets

from .conftest import FIXTURES, ROOT

RULES = rule_table().rules
FIXTURE_LOGS = sorted(FIXTURES.glob("*.log")) + [ROOT / "fixtures" / "sample.log"]


# --- the rule table proves itself ---------------------------------------------------------

@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_every_rule_has_examples_and_near_misses(rule) -> None:
    assert rule.examples and rule.no_match


@pytest.mark.parametrize("rule,text", [(r, t) for r in RULES for t in r.examples],
                         ids=lambda v: getattr(v, "name", "") or "")
def test_rule_masks_its_examples(rule, text: str) -> None:
    found = find_secrets(text)
    assert rule.name in {f.rule.name for f in found}, found
    out = redact_text(text)
    for f in found:
        assert f.value not in out
    assert rule.mask in out or any(f.rule.mask in out for f in found)


@pytest.mark.parametrize("rule,text", [(r, t) for r in RULES for t in r.no_match],
                         ids=lambda v: getattr(v, "name", "") or "")
def test_rule_leaves_its_near_misses_alone(rule, text: str) -> None:
    assert redact_text(text) == text


def test_masks_keep_only_the_fixed_prefix() -> None:
    assert redact_text("HF token 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 ok") == "HF token hf_***REDACTED*** ok"
    assert redact_text("export HF_TOKEN=abcdef123456") == "export HF_TOKEN=***REDACTED:secret-assignment***"
    assert redact_text("key AKIAQ3EGRXKTPVLZ7N4W.") == "key AKIA***REDACTED***."


def test_redacting_twice_changes_nothing() -> None:
    text = "\n".join(t for r in RULES for t in r.examples)
    once = redact_text(text)
    assert redact_text(once) == once


def test_a_private_key_block_keeps_its_line_count() -> None:
    text = "a\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQyNTUxOQAAACD\n" \
           "-----END OPENSSH PRIVATE KEY-----\nz"
    out = redact_text(text)
    assert out.count("\n") == text.count("\n") and "b3BlbnNz" not in out and "QyNTUx" not in out


@pytest.mark.parametrize("path", ["triage/redact/rules.yaml"])
def test_broken_tables_are_refused_with_the_rule_and_field(path: str) -> None:
    names = {"words": ["token"], "key_qualifiers": [], "not_first": [], "placeholders": [], "min_value_length": 6,
             "value": "[^ ]"}
    with pytest.raises(KBError, match="'x'.*'pattern'.*secret"):
        parse_table({"secret_names": names, "rules": [{"name": "x", "what": "w", "pattern": "abc", "keep": "prefix"}]},
                    path)
    with pytest.raises(KBError, match="'keep'"):
        parse_table({"secret_names": names, "rules": [{"name": "x", "what": "w", "pattern": "(?P<secret>a)",
                                                        "keep": "all"}]}, path)
    with pytest.raises(KBError, match="unknown key"):
        parse_table({"secret_names": names, "rules": [{"name": "x", "what": "w", "pattern": "(?P<secret>a)",
                                                        "keep": "prefix", "colour": "red"}]}, path)


# --- linear time on hostile lines ---------------------------------------------------------

def adversarial_lines() -> List[str]:
    """16 kB lines built from what each pattern repeats: examples run together, cut short,
    stripped of spaces, and runs of the characters the patterns loop over."""
    lines: List[str] = []
    for rule in RULES:
        for ex in rule.examples[:1]:
            n = 16_000 // len(ex) + 1
            lines += [(ex * n)[:16_000], (ex[:-1] * n)[:16_000], (ex.replace(" ", "") * n)[:16_000]]
    for unit in ("a", "a.", "A=", "-", "a-", "x://", "a@", "0", "ab:", "eyJ", "hf_", "TOKEN", "TOKEN=", "--token ",
                 "Bearer ", "sk-", "1.1.1.", "fe80:", "/home/", "a@b.", "a:b@", "-----BEGIN PRIVATE KEY-----",
                 "wandb ", "f" * 39 + " ", "key: ", "\"api_key\": \""):
        lines.append((unit * (16_000 // len(unit) + 1))[:16_000])
    return lines


def test_hostile_16kb_lines_are_redacted_in_one_pass() -> None:
    # Every pattern enters a run of its repeated class only at the run's start (a look-behind of
    # the same class) and nests no repeats; a quadratic pattern would stall this test for
    # minutes on these lines (seconds each), so its finishing at all is the check.
    for line in adversarial_lines():
        out = redact_text(line, personal=True)
        assert redact_text(out, personal=True) == out or "<" in out  # masks are stable once applied


PIECES = [t for r in RULES for t in r.examples + r.no_match] + [
    "HF_TOKEN=", "=", ":", " ", "\n", "@", "://", "Bearer ", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
    "MIIEowIBAAKCAQEAu1SU1LfVLPHC", "/home/", "10.0.0.1", "a@b.com", "'", '"', "--token ", "xy1Z9q"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=12).map("".join), st.booleans())
def test_masking_keeps_lines_and_leaves_no_secret_it_found(text: str, personal: bool) -> None:
    out = redact_text(text, personal=personal)
    assert out.count("\n") == text.count("\n")  # evidence line numbers stay true
    assert [f.value for f in find_secrets(text) if f.value in out] == []


def test_the_redaction_package_is_pure() -> None:
    import ast

    for path in (ROOT / "triage" / "redact").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        modules |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        roots = {m.split(".")[0] for m in modules}
        assert not roots & {"click", "rich", "socket", "urllib", "http", "requests"}, path.name
        assert not any(m.startswith("triage.cli") for m in modules), path.name


# --- no false masks on ordinary ML log content --------------------------------------------

ORDINARY = [
    "HEAD is now at 3f9c2a1b7d4e6f8a0c1b2d3e4f5a6b7c8d9e0f1a Merge pull request #1234",
    "Successfully installed torch-2.1.0+cu121 nvidia-cudnn-cu12-8.9.2.26 triton-2.1.0",
    "Cuda compilation tools, release 12.1, V12.1.105; Driver Version: 535.104.05   CUDA Version: 12.2",
    "Fatal Python error: Segmentation fault at 0x7f3a9c2b1e40 (most recent call first)",
    "  Hash: sha256:4c5e8a9f1b2d3c4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e",
    "  Downloading torch-2.1.0-cp310-cp310-manylinux1_x86_64.whl (670.2 MB) --hash=sha256:a81b554184492005543ddc32e96469f9369d778dedd195d73bda9bed407d6589",
    "RuntimeError: shape '[8, 512, 4096]' is invalid for input of size 16777216; torch.Size([8, 512, 32, 128])",
    "tokenizer.pad_token = tokenizer.eos_token  # pad_token_id=2, max_new_tokens=256, num_tokens: 512",
    "docker run --gpus all -v $PWD:/workspace -e PWD=/home/runner/work -w /workspace nvcr.io/nvidia/pytorch:23.10-py3",
    "wandb: Syncing run golden-sun-12 to https://wandb.ai/acme/llm/runs/3f9c2a1b",
    "TOKENIZERS_PARALLELISM=false HF_HUB_ENABLE_HF_TRANSFER=1 python -m torch.distributed.run --nproc_per_node 8",
    "key_states: torch.Size([1, 32, 2048, 128]); attention_mask shape (1, 2048)",
    "huggingface-cli login --token $HF_TOKEN; export HF_TOKEN=${{ secrets.HF_TOKEN }}",
    "Using pad_token, but it is not set yet. Bearer tokens are sent only over https.",
    "NCCL INFO Channel 00/02 : 0[0] -> 1[1] via P2P/IPC/read; ring 0 1 2 3; cudaDev 0 busId 1000",
    "[2026-12-06 10:00:01,123] torch.distributed.elastic: master_addr=127.0.0.1 master_port=29500",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_ml_log_lines_are_not_masked(line: str) -> None:
    assert redact_text(line) == line


@pytest.mark.parametrize("path", FIXTURE_LOGS, ids=lambda p: p.name)
def test_no_fixture_log_holds_anything_that_looks_like_a_secret(path: Path) -> None:
    # the fixtures are realistic logs without secrets: masking must leave every byte alone
    text = decode(path.read_bytes())
    assert redact_text(text) == text


# A re-wrapped paste's width is read from its line lengths, which masking changes, so planted
# lines are compared only in logs that are not re-wrapped pastes. The CLI masks only after
# diagnosing: this matters only to API users who mask a log before diagnosing it.
PLANTED = ("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\n"
           "pw=https://ci:s3cr3t-Pw@10.0.0.5/simple\n"
           "AKIAQ3EGRXKTPVLZ7N4W\n"
           "SECRET_KEY=django-insecure-1234\n"
           "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1b2c3d4e5f6\n-----END RSA PRIVATE KEY-----\n")


def outline(found: List[Diagnosis]) -> list:
    return [(d.id, [(e.line, e.last_line) for e in d.evidence]) for d in found]


@pytest.mark.parametrize("path", FIXTURE_LOGS, ids=lambda p: p.name)
def test_diagnosing_redacted_text_gives_the_same_diagnoses(path: Path) -> None:
    text = decode(path.read_bytes())
    first, _, rest = text.partition("\n")
    planted = first + "\n" + PLANTED + rest  # secrets in every log, before its failure
    assert outline(diagnose(redact_text(text))) == outline(diagnose(text))
    if detect_wrap(planted.split("\n")) is None:  # see PLANTED
        assert outline(diagnose(redact_text(planted))) == outline(diagnose(planted))
    assert "s3cr3t" not in redact_text(planted) and "QmXkTw" not in redact_text(planted)


# --- results ------------------------------------------------------------------------------

def leaky_result() -> LogResult:
    ev = Evidence(line=3, text="401 for https://bob:hunter2hunter2@registry.example.com/v2 token=ghp_R4nD0mT0k3nV4lu3Xy2Wq9Ez8Lk7Mj6Nh5Pg1",
                  signature="s")
    sol = Solution(title="Log in again as ghp_R4nD0mT0k3nV4lu3Xy2Wq9Ez8Lk7Mj6Nh5Pg1", why="the password hunter2hunter2 expired",
                   steps=("docker login -p hunter2hunter2 registry.example.com",), when="token ghp_R4nD0mT0k3nV4lu3Xy2Wq9Ez8Lk7Mj6Nh5Pg1")
    d = Diagnosis(id="x", title="t", confidence=0.9, evidence=(ev,), fixable=False, solutions=(sol,),
                  variables={"password": "hunter2hunter2", "url": "https://bob:hunter2hunter2@registry.example.com/v2"},
                  summary="bob used hunter2hunter2", notes=("n hunter2hunter2",))
    return LogResult("/home/bob/ci/build.log", [d], Evidence(line=9, text="x 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",
                                                             signature="f"))


def test_redact_result_masks_every_text_a_renderer_prints() -> None:
    redactor = Redactor()
    out = redact_result(leaky_result(), redactor)
    flat = repr(out)
    for secret in ("hunter2hunter2", "R4nD0mT0k3n", "QmXkTwGvBp"):
        assert secret not in flat
    d = out.diagnoses[0]
    assert d.variables["password"] == "***REDACTED:url-password***"  # a bare value, learnt from the evidence
    assert d.solutions[0].title == "Log in again as ghp_***REDACTED***"
    assert redactor.masked()["url-password"] >= 5 and redactor.masked()["github-token"] == 3
    assert (d.id, d.confidence, d.evidence[0].line, out.source) == ("x", 0.9, 3, "/home/bob/ci/build.log")


def test_redact_personal_gives_stable_placeholders() -> None:
    redactor = Redactor(personal=True)
    a = redactor.text("alice@gpu-node-3:~$ ssh 10.0.0.7; cd /home/alice/run; mail alice@acme-ai.com")
    b = redactor.text("[rank1] node gpu-node-4 at https://gpu-node-3/metrics from 10.0.0.8, back to 10.0.0.7, "
                      "C:\\Users\\alice\\logs, fe80::1ff:fe23:4567:890a, https://huggingface.co/acme")
    assert a == "<user-1>@<host-1>:~$ ssh <ip-1>; cd /home/<user-1>/run; mail <email-1>"
    assert "https://<host-1>/metrics" in b and "<ip-2>, back to <ip-1>" in b and "C:\\Users\\<user-1>\\logs" in b
    assert "<ip-3>" in b and "https://huggingface.co/acme" in b
    assert redactor.masked() == {"personal-email": 1, "personal-host": 1, "personal-ip": 3, "personal-user": 1}


def test_personal_masking_leaves_versions_times_and_cpp_names() -> None:
    line = "12:34:56 cudnn-8.9.2.26 tensorrt==8.6.1.6 c10::Error at::Tensor 127.0.0.1 00:1a:2b:3c:4d:5e git@github.com:acme/x.git"
    assert redact_text(line, personal=True) == line


def test_the_library_diagnose_stays_raw() -> None:
    log = "x\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB token=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\n"
    found = diagnose(log)
    assert found and "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" in found[0].evidence[0].text
