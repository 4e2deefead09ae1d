"""`triage --fix < log`: the top diagnosis's fix is proposed from the log itself, end to end."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT

FSDP_LINE = "            state_dict[fqn] = state_dict[fqn].clone().detach()\n"
PEFT_OVERRIDE = ("old_state_dict = model.state_dict\n"
                 "model.state_dict = (lambda self, *_, **__: get_peft_model_state_dict(self, old_state_dict())"
                 ").__get__(model, type(model))\n")


def triage(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TRIAGE_KB_PATH"}
    return subprocess.run([sys.executable, "-m", "triage", *args], input=stdin, capture_output=True,
                          cwd=ROOT, env=env, timeout=120)


def torch_site(tmp_path: Path, version: str = "2.0.1") -> Path:
    site = tmp_path / "site-packages"
    target = site / "torch" / "distributed" / "fsdp" / "_state_dict_utils.py"
    target.parent.mkdir(parents=True)
    target.write_text("def hook(state_dict):\n    for fqn in state_dict:\n        if True:\n" + FSDP_LINE)
    (site / f"torch-{version}.dist-info").mkdir()
    (site / f"torch-{version}.dist-info" / "METADATA").write_text(f"Name: torch\nVersion: {version}\n")
    return site


def test_fsdp_fix_from_the_log_applies_and_reverts(tmp_path: Path) -> None:
    site = torch_site(tmp_path)
    target = site / "torch" / "distributed" / "fsdp" / "_state_dict_utils.py"
    before = target.read_bytes()
    log = (FIXTURES / "fsdp-state-dict-oom.log").read_bytes()
    r = triage("--fix", "--yes", "--site-packages", str(site), stdin=log)
    out = r.stdout.decode()
    assert r.returncode == 0, out + r.stderr.decode()
    assert "fsdp-state-dict-oom" in out and "installed version: 2.0.1" in out
    assert "+            state_dict[fqn] = state_dict[fqn].cpu().clone().detach()" in out
    assert b".cpu().clone()" in target.read_bytes()
    again = triage("--fix", "--yes", "--site-packages", str(site), stdin=log)
    assert again.returncode == 4 and b"already applied" in again.stdout
    assert triage("fix", "fsdp-state-dict-oom", "--site-packages", str(site), "--revert").returncode == 0
    assert target.read_bytes() == before


def test_fsdp_fix_refuses_a_torch_without_the_line(tmp_path: Path) -> None:
    site = torch_site(tmp_path, "2.6.0")
    target = site / "torch" / "distributed" / "fsdp" / "_state_dict_utils.py"
    target.write_text("def hook(state_dict):\n    return {k: v.cpu() for k, v in state_dict.items()}\n")
    r = triage("fix", "fsdp-state-dict-oom", "--site-packages", str(site), "--apply")
    assert r.returncode == 5
    assert b"torch 2.6.0 found" in r.stdout and b">=2.0,<2.6" in r.stdout


def test_fsdp_fix_without_torch_installed_says_so(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    r = triage("fix", "fsdp-state-dict-oom", "--site-packages", str(tmp_path / "empty"))
    assert r.returncode == 6 and b"torch is not installed" in r.stdout


def test_fix_without_terminal_or_yes_writes_nothing(tmp_path: Path) -> None:
    site = torch_site(tmp_path)
    target = site / "torch" / "distributed" / "fsdp" / "_state_dict_utils.py"
    before = target.read_bytes()
    r = subprocess.run([sys.executable, "-m", "triage", "--fix", "--site-packages", str(site),
                        str(FIXTURES / "fsdp-state-dict-oom.log")], capture_output=True, cwd=ROOT, timeout=120,
                       stdin=subprocess.DEVNULL, start_new_session=True)  # no controlling terminal
    assert r.returncode == 7 and target.read_bytes() == before


def test_peft_fix_from_the_log_edits_the_training_script(tmp_path: Path) -> None:
    project = tmp_path / "alpaca-lora"
    project.mkdir()
    script = project / "finetune.py"
    script.write_text("model = get_peft_model(model, config)\n" + PEFT_OVERRIDE + "trainer.train()\n")
    r = triage("--fix", "--yes", "--project", str(project), str(FIXTURES / "peft-adapter-empty-save.log"))
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    text = script.read_text()
    assert "get_peft_model_state_dict" not in text and "# triage peft-adapter-empty-save" in text
    assert triage("fix", "peft-adapter-empty-save", "--project", str(project), "--revert").returncode == 0
    assert "get_peft_model_state_dict(self, old_state_dict())" in script.read_text()


CORRECTED = {
    "nvidia-docker-not-found": "+ sudo docker run --gpus all --rm nvcr.io/nvidia/pytorch:22.09-py3 nvidia-smi",
    "dataloader-shm-too-small": "+ docker run --ipc=host --gpus all --rm -v /mnt/nas/coco:/data -v $PWD:/workspace/det "
                                "-w /workspace/det nvcr.io/nvidia/pytorch:23.08-py3 python train.py --data /data "
                                "--epochs 24 --batch-size 16 --workers 8 --amp",
    "mpirun-as-root": "+ mpirun --allow-run-as-root -n 2 python ../examples/pytorch/gpt/opt_summarization.py "
                      "--ft_model_location ../../checkpoints/opt-125m-ft/ --hf_model_name facebook/opt-125m "
                      "--tensor_para_size 2 --pipeline_para_size 1 --lib_path $FT_PATH --summarize --max_ite 20",
    "torchrun-port-in-use": "+ torchrun --nnodes 1 --nproc_per_node 4 --rdzv_backend c10d --rdzv_endpoint "
                            "localhost:{free_port} scripts/pretrain.py --cfg cfgs/vit_b_mae.yaml "
                            "--out /scratch/ana/mae_b_run2",
    "build-isolation-missing-torch": "+ pip install --no-build-isolation -r requirements.txt",
    "deepspeed-async-io-precompile": '+ DS_BUILD_AIO=0 DS_BUILD_OPS=1 TORCH_CUDA_ARCH_LIST="8.0;8.6" pip install '
                                     "--no-cache-dir deepspeed==0.9.5",
}


@pytest.mark.parametrize("entry_id", sorted(CORRECTED))
def test_corrected_command_from_the_log(entry_id: str) -> None:
    r = triage("--fix", str(FIXTURES / f"{entry_id}.log"))
    out = r.stdout.decode()
    assert r.returncode == 0 and f"{entry_id} (confidence" in out, out
    expected = re.escape(CORRECTED[entry_id]).replace(re.escape("{free_port}"), r"(29[5-9]\d\d|30[0-4]\d\d)")
    assert any(re.fullmatch(expected, line) for line in out.splitlines()), out
    assert "(not run: add --run to run it after a confirmation)" in out  # $PWD, $FT_PATH, the port: no shell needed
