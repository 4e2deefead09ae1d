"""No secret reaches any output: every token kind, every format, scan, the hook, the report."""
from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import triage.cli.main  # noqa: F401  (registers every command on the group)
from triage.cli.render import FORMATS

from .conftest import FIXTURES, invoke

# kind -> (a realistic log line carrying it, the secret part that must never be printed)
TOKENS: Dict[str, Tuple[str, str]] = {
    "huggingface": ("huggingface_hub.utils._errors.HfHubHTTPError: 401 for token 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",
                    "QmXkTwGvBpLrNsYdJcHfAeWuZoKiVtRbMl"),
    "huggingface-org": ("HF_API_TOKEN=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", "ZtYxWvUtSrQpOnMlKjIhGfEdCbAzYxWvUt"),
    "openai-project": ("openai.AuthenticationError: Incorrect API key provided: "
                       "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2r",
                       "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2r"),
    "openai-legacy": ("openai.api_key='sk-T9qW3eR5tY7uI9oP1aS3dF5gH7jK9lZ2xC4vB6nM8qW0eR2t'",
                      "T9qW3eR5tY7uI9oP1aS3dF5gH7jK9lZ2xC4vB6nM8qW0eR2t"),
    "anthropic": ("anthropic.AuthenticationError: invalid x-api-key "
                  "sk-ant-api03-Xq7LmN2pR8sT4vW6yZ1aB3cD5eF7gH9jK0lM2nP4qR6sT8uV-AbCdEfGhAA",
                  "Xq7LmN2pR8sT4vW6yZ1aB3cD5eF7gH9jK0lM2nP4qR6sT8uV"),
    "github-classic": ("remote: Invalid username or password. ghp_R4nD0mT0k3nV4lu3Xy2Wq9Ez8Lk7Mj6Nh5Pg1",
                       "R4nD0mT0k3nV4lu3Xy2Wq9Ez8Lk7Mj6Nh5Pg1"),
    "github-app": ("fatal: could not read Username: using ghs_16C7e42F292c6912E7710c838347Ae178B4a",
                   "16C7e42F292c6912E7710c838347Ae178B4a"),
    "github-fine-grained": ("git clone https://github_pat_11ABCDEFG0123456789abc_DefGhiJklMnoPqrStuVwxYz0123456789"
                            "AbCdEfGhIjKlMnOpQrSt@github.com/acme/llm.git", "11ABCDEFG0123456789abc_DefGhiJklMno"),
    "gitlab": ("remote: HTTP Basic: Access denied for glpat-z_sxgtrfAxKr8q1TPY8Y", "z_sxgtrfAxKr8q1TPY8Y"),
    "aws-key-id": ("botocore.exceptions.ClientError: InvalidAccessKeyId AKIAQ3EGRXKTPVLZ7N4W", "Q3EGRXKTPVLZ7N4W"),
    "aws-secret": ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    "wandb-legacy": ("wandb: ERROR wandb login 8f3c2a9e1b7d4f6a0c5e2b8d9f1a3c7e5b0d2f4a failed",
                     "8f3c2a9e1b7d4f6a0c5e2b8d9f1a3c7e5b0d2f4a"),
    "wandb-env": ("WANDB_API_KEY=0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", "0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"),
    "wandb-v1": ("wandb.errors.AuthenticationError: key wandb_v1_3kT9pQ2mX7vL4nR8sW1yZ5bC6dF0gH2jK4lM6nP8qR0sT2u",
                 "3kT9pQ2mX7vL4nR8sW1yZ5bC6dF0gH2jK4lM6nP8qR0sT2u"),
    "pypi": ("twine upload -u __token__ -p pypi-AgEIcHlwaS5vcmcCJGE4ZjY3YjVhLTkyNTgtNDU0Ni1iNzQ1LTZkNjlkNzE4YTk2ZAACKlsz",
             "AgEIcHlwaS5vcmcCJGE4ZjY3YjVhLTkyNTgtNDU0Ni1iNzQ1"),
    "slack": ("slack_sdk.errors.SlackApiError: invalid_auth xoxb-2398475486-2348975623103-AbCdEfGhIjKlMnOpQrStUvWx",
              "2398475486-2348975623103-AbCdEfGhIjKlMnOpQrStUvWx"),
    "jwt": ("requests.exceptions.HTTPError: 403 id_token=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
    "bearer": ("curl: (22) 401 -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0.zz'",
               "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
    "private-key": ("ssh: key -----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"
                    "-----END OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
    "url-password": ("ERROR: 401 Client Error for url: https://ci-bot:s3cr3t-Passw0rd@pypi.internal.example.com/simple",
                     "s3cr3t-Passw0rd"),
    "hf-flag": ("python train.py --model llama --hf_token abcdef123456XYZ --lr 2e-5", "abcdef123456XYZ"),
    "env-assignment": ("+ export HUGGING_FACE_HUB_TOKEN=QmXkTwGvBpLrNsYd", "QmXkTwGvBpLrNsYd"),
    "yaml-password": ("db_password: correct-horse-battery-staple", "correct-horse-battery-staple"),
    "json-api-key": ('{"api_key": "k3y-abc123def456ghi", "epochs": 3}', "k3y-abc123def456ghi"),
}

# A team KB entry that captures the whole leaky line and its last word (a bare value, without
# the context that shows it is a secret) into variables, and fills both into its commands.
LEAKY_ENTRY = """\
    id: leaky-auth
    title: The job could not authenticate
    summary: "It failed with: {cred}"
    tags: [auth]
    severity: error
    signatures:
      - regex: 'AUTH FAILED: (?P<cred>.*?(?P<last>\\S+))$'
    solutions:
      - title: Retry with {last}
        why: "The credential {last} was refused"
        steps: ["retry --cred '{cred}'", "echo {last}"]
    examples:
      match:
        - text: "AUTH FAILED: token abc"
          vars: {cred: token abc, last: abc}
      no_match:
        - "AUTH OK"
"""


@pytest.fixture(scope="module")
def team_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kb")
    (folder / "team").mkdir()
    (folder / "team" / "leaky-auth.yaml").write_text(textwrap.dedent(LEAKY_ENTRY), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    folder = tmp_path_factory.mktemp("logs")
    out = {}
    for kind, (line, _) in TOKENS.items():
        path = folder / f"{kind}.log"
        path.write_text(f"step 1 loss 2.3\nAUTH FAILED: {line}\n{line}\nstep 2 exiting\n", encoding="utf-8")
        out[kind] = path
    return out


run = invoke  # `triage ARGS...` in-process: (exit code, output)


@pytest.mark.parametrize("kind", TOKENS)
def test_no_format_prints_a_secret(kind: str, team_kb: Path, logs: Dict[str, Path]) -> None:
    secret = TOKENS[kind][1]
    for fmt in FORMATS:
        code, out = run("--format", fmt, "--kb", str(team_kb), "-v", str(logs[kind]))
        assert code == 1 and "leaky-auth" in out, out
        assert secret not in out, f"{kind} leaked in --format {fmt}"
        assert "REDACTED" in out


@pytest.mark.parametrize("kind", ["huggingface", "url-password", "env-assignment", "yaml-password"])
def test_variables_and_filled_commands_are_masked_in_json(kind: str, team_kb: Path, logs: Dict[str, Path]) -> None:
    code, out = run("--format", "json", "--kb", str(team_kb), str(logs[kind]))
    d = json.loads(out)["results"][0]["diagnoses"][0]
    assert "REDACTED" in d["variables"]["cred"] and "REDACTED" in d["variables"]["last"]
    steps = " ".join(d["solutions"][0]["steps"])
    assert "REDACTED" in steps and TOKENS[kind][1] not in json.dumps(d)


def test_no_redact_shows_the_secrets(team_kb: Path, logs: Dict[str, Path]) -> None:
    for kind in ("huggingface", "url-password", "aws-key-id"):
        code, out = run("--format", "json", "--no-redact", "--kb", str(team_kb), str(logs[kind]))
        assert TOKENS[kind][1] in out and "REDACTED" not in out


def test_rich_console_view_gets_redacted_results(team_kb: Path, logs: Dict[str, Path]) -> None:
    from triage.cli.app import make_redactor, redacted
    from triage.cli.batch import diagnose_file, kb_for
    from triage.cli.console import make_console, render

    results = [diagnose_file(logs[kind], kb_for((str(team_kb),))) for kind in TOKENS]
    console = make_console(no_color=True)
    console.file = io.StringIO()
    render(console, redacted(results, make_redactor(False, False)), verbose=True)
    shown = console.file.getvalue()
    assert "leaky-auth" in shown
    assert [kind for kind, (_, secret) in TOKENS.items() if secret in shown] == []


def test_scan_text_and_json_lines_are_masked(team_kb: Path, logs: Dict[str, Path]) -> None:
    folder = str(next(iter(logs.values())).parent)
    for fmt in ("text", "json"):
        code, out = run("scan", folder, "-j", "1", "--format", fmt, "--kb", str(team_kb))
        assert code == 1 and "leaky-auth" in out
        assert [kind for kind, (_, secret) in TOKENS.items() if secret in out] == [], fmt
    code, out = run("scan", folder, "-j", "1", "--format", "json", "--no-redact", "--kb", str(team_kb))
    assert TOKENS["huggingface"][1] in out


def test_the_hook_prints_no_secret(team_kb: Path, logs: Dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    from triage.cli.hook import main as hook_main

    assert hook_main(["--kb", str(team_kb), *map(str, logs.values())]) == 1
    out = capsys.readouterr().out
    assert out.count("leaky-auth") == len(TOKENS)
    assert [kind for kind, (_, secret) in TOKENS.items() if secret in out] == []


def test_redact_personal_placeholders_are_stable_across_logs(tmp_path: Path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    oom = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"
    a.write_text(f"alice@gpu-7:~$ python /home/alice/train.py\n{oom} on gpu-7 at 10.0.0.7 /home/alice\n", encoding="utf-8")
    b.write_text(f"{oom} at 10.0.0.9 then 10.0.0.7, mail bob@acme-ai.com, /home/bob\n", encoding="utf-8")
    code, out = run("--format", "json", "--redact-personal", str(a), str(b))
    first, second = (r["diagnoses"][0]["evidence"][0]["text"] for r in json.loads(out)["results"])
    assert first.endswith("at <ip-1> /home/<user-1>")
    assert second.endswith("at <ip-2> then <ip-1>, mail <email-1>, /home/<user-2>")
    assert "alice" not in out and "10.0.0" not in out


def test_report_command(team_kb: Path, logs: Dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "issue.md"
    code, _ = run("report", str(logs["url-password"]), "--kb", str(team_kb), "-o", str(target), "--context", "1")
    doc = target.read_text(encoding="utf-8")
    assert code == 1 and TOKENS["url-password"][1] not in doc
    masked = doc.split("## What was masked", 1)[1].split("\n## ", 1)[0]
    assert "`url-password`" in masked and "s3cr3t" not in masked
    assert "## 1. The job could not authenticate" in doc and "`leaky-auth`" in doc
    assert "2 > AUTH FAILED: ERROR: 401 Client Error for url: https://ci-bot:***REDACTED:url-password***@" in doc
    assert "1 | step 1 loss 2.3" in doc and "3 | ERROR: 401" in doc and "4 | step 2" not in doc
    assert "triage 0.1.0, knowledge base `" in doc
    code, out = run("report", str(FIXTURES / "cuda-out-of-memory.log"))
    assert code == 1 and "Nothing in the text below looked like a secret" in out


def test_report_kb_hash_follows_the_kb_contents(team_kb: Path, tmp_path: Path) -> None:
    from triage.cli.report_command import kb_files, kb_hash

    before = kb_hash(kb_files([str(team_kb)]))
    assert before == kb_hash(kb_files([str(team_kb)])) and len(before) == 12
    changed = tmp_path / "kb"
    (changed / "team").mkdir(parents=True)
    (changed / "team" / "leaky-auth.yaml").write_text(textwrap.dedent(LEAKY_ENTRY).replace("could not", "cannot"),
                                                     encoding="utf-8")
    edited = kb_hash(kb_files([str(changed)]))
    assert edited != before
    (changed / "_fragments.yaml").write_text("team-context: 'auth'\n", encoding="utf-8")  # not an entry
    assert kb_hash(kb_files([str(changed)])) != edited


@pytest.mark.parametrize("name", ["cuda-out-of-memory.log", "benign-nvidia-smi.log", "docker-gpus-flag-missing.log"])
def test_text_output_of_secret_free_logs_is_unchanged_by_redaction(name: str) -> None:
    with_mask = run("-v", str(FIXTURES / name))
    without = run("-v", "--no-redact", str(FIXTURES / name))
    assert with_mask == without


def plain_lines(out: str) -> List[str]:
    return [line for line in out.splitlines() if "REDACTED" not in line]


def test_only_lines_with_secrets_change(team_kb: Path, logs: Dict[str, Path]) -> None:
    _, masked = run("-v", "--kb", str(team_kb), str(logs["huggingface"]))
    _, raw = run("-v", "--no-redact", "--kb", str(team_kb), str(logs["huggingface"]))
    changed = [line for line in raw.splitlines() if line not in masked.splitlines()]
    assert changed and all(TOKENS["huggingface"][1] in line for line in changed)
    assert plain_lines(masked) == [line for line in raw.splitlines() if line not in changed]


def test_report_masks_a_private_key_in_the_context_and_keeps_numbering(tmp_path: Path) -> None:
    body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
    log = tmp_path / "deploy.log"
    log.write_text("ssh-add key\n-----BEGIN RSA PRIVATE KEY-----\n" + body + "\nVUw8sGhRcw==\n"
                   "-----END RSA PRIVATE KEY-----\nalice@gpu-7:~$ python /home/alice/train.py\n"
                   "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n", encoding="utf-8")
    code, doc = run("report", str(log), "--context", "6", "--redact-personal")
    assert code == 1 and body not in doc and "VUw8sGhRcw" not in doc and "alice" not in doc
    assert "2 | -----BEGIN RSA PRIVATE KEY-----***REDACTED:private-key***" in doc
    assert "5 | -----END RSA PRIVATE KEY-----" in doc and "7 > torch.cuda.OutOfMemoryError" in doc
    assert "6 | <user-1>@<host-1>:~$ python /home/<user-1>/train.py" in doc
    assert "| `private-key` | 1 |" in doc and "| `personal-user` | 1 |" in doc
