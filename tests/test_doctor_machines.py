"""`triage doctor` on recorded machines: the facts each probe finds and the verdicts they lead to."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.doctor import check_entries, collect_facts
from triage.doctor.context import Files
from triage.doctor.elf import dynamic_strings
from triage.doctor.probes.live import runs_on
from triage.doctor.probes.system import PYINFO
from triage.model import KnowledgeBase

from .doctor_machine import (
    CONTAINER_CLI,
    CXX11_SYMBOL,
    DOCKER_INFO,
    NVCC,
    NVIDIA_SMI,
    OPEN_PROC_VERSION,
    PROC_VERSION,
    PYTHON,
    SITE,
    Machine,
    elf,
)

GLIBCXX_29 = [f"GLIBCXX_3.4.{n}" for n in range(1, 30)] + ["GLIBCXX_3.4", "CXXABI_1.3.13", "_ZNSt6localeD1Ev"]
CONFIG_AUTO = '''CONFIG_MAPPING_NAMES = OrderedDict(
    [
        # Add configs here
        ("gpt2", "GPT2Config"),
        ("llama", "LlamaConfig"),
        ("mistral", "MistralConfig"),
        ("audio-spectrogram-transformer", "ASTConfig"),
    ]
)
MODEL_NAMES_MAPPING = OrderedDict([("gpt2", "OpenAI GPT-2"), ("llama", "LLaMA")])
'''
WHEEL_URL = ("https://github.com/Dao-AILab/flash-attention/releases/download/v2.5.8/"
             "flash_attn-2.5.8+cu122torch2.3cxx11abiFALSE-cp310-cp310-linux_x86_64.whl")


def training_box(root: Path) -> Machine:
    """A conda env on an A100 node: torch 2.1.2+cu121, driver 535 (CUDA 12.2), and several problems."""
    m = Machine(root).python()
    m.file("/proc/driver/nvidia/version", PROC_VERSION.format(driver="535.129.03"))
    m.file("/proc/1/cgroup", "0::/init.scope\n").folder("/dev/shm")
    m.file("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.535.129.03").file("/usr/lib/x86_64-linux-gnu/libaio.so.1")
    m.file("/usr/include/libaio.h")
    m.command(["nvidia-smi"], NVIDIA_SMI.format(driver="535.129.03", cuda="12.2"))
    m.command(["nvidia-smi", "--query-gpu=name,compute_cap", "--format=csv,noheader"],
              "NVIDIA A100-SXM4-80GB, 8.0\nNVIDIA A100-SXM4-80GB, 8.0\n")
    m.env["CUDA_HOME"] = "/usr/local/cuda-12.2"
    m.file("/usr/local/cuda-12.2/bin/nvcc").command(["/usr/local/cuda-12.2/bin/nvcc", "--version"], NVCC.format(cuda="12.2"))
    m.command(["docker", "--version"], "Docker version 24.0.7, build afdd53b\n")
    m.command(["docker", "info", "--format", "{{json .}}"], json.dumps(DOCKER_INFO))
    m.command(["nvidia-container-cli", "info", "--csv"], CONTAINER_CLI)
    m.folder("/opt/conda/envs/train/conda-meta").file("/opt/conda/envs/train/lib/libstdc++.so.6", elf(GLIBCXX_29))
    m.file(f"{SITE}/torch/version.py", "from typing import Optional\n\n__all__ = ['__version__', 'debug', 'cuda']\n"
           "__version__ = '2.1.2+cu121'\ndebug = False\ncuda: Optional[str] = '12.1'\nhip: Optional[str] = None\n")
    m.file(f"{SITE}/torch/share/cmake/Torch/TorchConfig.cmake", 'set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=0")\n')
    m.dist("torch", "2.1.2+cu121").dist("numpy", "2.0.1").dist("transformers", "4.36.2").dist("peft", "0.3.0")
    m.dist("pandas", "2.1.0", requires='Requires-Dist: numpy<2,>=1.22.4; python_version < "3.11"\n')
    m.dist("bitsandbytes", "0.41.1").dist("flash_attn", "2.5.8")
    for lib in ("cpu", "cuda110", "cuda117", "cuda118"):
        m.file(f"{SITE}/bitsandbytes/libbitsandbytes_{lib}.so")
    m.file(f"{SITE}/flash_attn-2.5.8.dist-info/direct_url.json", json.dumps({"url": WHEEL_URL, "archive_info": {}}))
    m.file(f"{SITE}/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so", elf([CXX11_SYMBOL, "PyInit_flash_attn_2_cuda"]))
    m.file(f"{SITE}/transformers/models/auto/configuration_auto.py", CONFIG_AUTO)
    m.file("/work/proj/config.json", json.dumps({"model_type": "qwen2", "transformers_version": "4.40.0"}))
    m.file("/work/proj/checkpoint-100/adapter_model.bin", b"PK" + b"\0" * 441)
    return m


def test_a_recorded_gpu_node_gives_the_facts_its_tools_print(tmp_path: Path) -> None:
    facts = collect_facts(training_box(tmp_path).context(project="/work/proj"))
    assert {k: facts.get(k) for k in ("python", "conda", "container", "torch", "torch_cuda", "torch_cxx11_abi",
                                      "nvidia_driver", "cuda_driver", "gpu_count", "gpu_compute_cap", "nvml_library",
                                      "cuda_home", "nvcc_cuda", "ninja", "libaio_h", "libaio_so", "glibcxx_max",
                                      "docker_client", "docker_runtimes", "container_cli_cuda", "nvidia_docker",
                                      "bnb_libraries", "bnb_wanted_library", "flash_attn_torch",
                                      "flash_attn_cxx11_abi", "model_type", "adapter_bytes",
                                      "numpy_pinned_below_2", "python_h")} == {
        "python": "3.10.13", "conda": "true", "container": "false", "torch": "2.1.2+cu121", "torch_cuda": "12.1",
        "torch_cxx11_abi": "false", "nvidia_driver": "535.129.03", "cuda_driver": "12.2", "gpu_count": "2",
        "gpu_compute_cap": "8.0", "nvml_library": "535.129.03", "cuda_home": "/usr/local/cuda-12.2",
        "nvcc_cuda": "12.2", "ninja": "none", "libaio_h": "true", "libaio_so": "false", "glibcxx_max": "3.4.29",
        "docker_client": "24.0.7", "docker_runtimes": "io.containerd.runc.v2 nvidia runc",
        "container_cli_cuda": "12.2", "nvidia_docker": "none", "bnb_libraries": "cpu cuda110 cuda117 cuda118",
        "bnb_wanted_library": "cuda121", "flash_attn_torch": "2.3", "flash_attn_cxx11_abi": "true",
        "model_type": "qwen2", "adapter_bytes": "443", "numpy_pinned_below_2": "pandas", "python_h": "false"}
    assert facts["package:flash-attn"] == "2.5.8" and facts["package:torch"] == "2.1.2+cu121"
    assert facts["transformers_model_types"] == "audio-spectrogram-transformer gpt2 llama mistral"
    assert facts["shm_mb"].isdigit()


def test_the_gpu_node_s_verdicts(tmp_path: Path, kb: KnowledgeBase) -> None:
    facts = collect_facts(training_box(tmp_path).context(project="/work/proj"))
    verdicts = {c.id: c.verdict for c in check_entries(kb, facts)}
    assert verdicts == {
        "bitsandbytes-cpu-library-loaded": "confirmed",  # no libbitsandbytes_cuda121.so
        "cuda-driver-insufficient": "ruled_out",  # CUDA 12.1 <= 12.2
        "cuda-home-not-set": "ruled_out",
        "dataloader-shm-too-small": verdicts["dataloader-shm-too-small"],  # the real /tmp's size
        "deepspeed-async-io-precompile": "confirmed",  # libaio.so.1 only
        "docker-gpu-capabilities": "ruled_out",
        "docker-gpus-flag-unknown": "ruled_out",
        "extension-cuda-version-mismatch": "ruled_out",  # 12.2 vs 12.1: same major
        "flash-attn-undefined-symbol": "confirmed",  # cxx11 ABI .so against a non-cxx11 torch
        "glibcxx-version-not-found": "unknown",  # the needed version comes from a log
        "ninja-missing": "confirmed",
        "no-kernel-image": "unknown",  # needs --live
        "numpy-abi-mismatch": "confirmed",  # pandas wants numpy<2
        "nvidia-docker-not-found": "confirmed",
        "nvml-driver-library-mismatch": "ruled_out",
        "peft-adapter-empty-save": "confirmed",  # 443 bytes
        "python-dev-headers-missing": "confirmed",
        "torch-not-compiled-with-cuda": "ruled_out",
        "transformers-too-old": "confirmed",  # qwen2 unknown to 4.36.2
    }
    reasons = {c.id: c.reason for c in check_entries(kb, facts)}
    assert "libbitsandbytes_cuda121" in reasons["bitsandbytes-cpu-library-loaded"]
    assert reasons["flash-attn-undefined-symbol"].startswith("flash-attn's extension was built with cxx11abi=true")


def test_live_answers_the_arch_list_question(tmp_path: Path, kb: KnowledgeBase) -> None:
    m = training_box(tmp_path).live({"torch_cuda": "12.1", "torch_arch_list": "sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90",
                                     "torch_cxx11_abi": "false", "live": "ok"})
    facts = collect_facts(m.context(live=True))
    assert facts["torch_kernels_for_gpu"] == "true" and facts["live"] == "ok"
    [check] = check_entries(kb, facts, ["no-kernel-image"])
    assert check.verdict == "ruled_out" and "sm_80" in check.reason
    assert all("--cuda" not in argv for argv in m.ran)  # no CUDA context without --cuda


def test_without_live_nothing_runs_in_the_target_interpreter_but_its_paths_query(tmp_path: Path) -> None:
    m = training_box(tmp_path)
    collect_facts(m.context())
    assert [argv for argv in m.ran if argv[0] == PYTHON] == [(PYTHON, "-c", PYINFO)]


def test_a_cpu_only_machine_is_reported_honestly(tmp_path: Path, kb: KnowledgeBase) -> None:
    site = "/usr/lib/python3/dist-packages"
    m = Machine(tmp_path).python("3.11.7", prefix="/usr", site=site).dist("numpy", "1.26.4", site=site)
    facts = collect_facts(m.context())
    assert facts["nvidia_driver"] == "none" and facts["nvidia_smi"] == "none" and facts["gpu_count"] == "0"
    assert facts["torch"] == "none" and "torch" in facts["not_installed"].split()
    verdicts = {c.id: c for c in check_entries(kb, facts)}
    assert verdicts["cuda-driver-insufficient"].verdict == "ruled_out"
    assert verdicts["torch-not-compiled-with-cuda"].verdict == "ruled_out"
    assert verdicts["numpy-abi-mismatch"].verdict == "ruled_out"
    assert verdicts["no-kernel-image"].verdict == "unknown" and "--live" in verdicts["no-kernel-image"].reason


def test_a_driver_updated_without_a_reboot(tmp_path: Path, kb: KnowledgeBase) -> None:
    m = Machine(tmp_path).python().file("/proc/driver/nvidia/version", OPEN_PROC_VERSION.format(driver="535.129.03"))
    m.file("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.545.23.08")
    m.command(["nvidia-smi"], "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 545.23\n",
              code=18)
    facts = collect_facts(m.context())
    assert facts["nvidia_driver"] == "535.129.03" and facts["nvml_library"] == "545.23.08"
    assert facts["nvidia_smi"] == "Failed to initialize NVML: Driver/library version mismatch"
    [check] = check_entries(kb, facts, ["nvml-driver-library-mismatch"])
    assert check.verdict == "confirmed" and "nvidia_driver=535.129.03" in check.facts


def test_an_old_driver_under_a_new_torch(tmp_path: Path, kb: KnowledgeBase) -> None:
    m = Machine(tmp_path).python().file("/proc/driver/nvidia/version", PROC_VERSION.format(driver="470.199.02"))
    m.command(["nvidia-smi"], NVIDIA_SMI.format(driver="470.199.02", cuda="11.4"))
    m.file(f"{SITE}/torch/version.py", "__version__ = '2.3.1+cu121'\ncuda = '12.1'\n").dist("torch", "2.3.1+cu121")
    [check] = check_entries(kb, collect_facts(m.context()), ["cuda-driver-insufficient"])
    assert check.verdict == "confirmed"
    assert check.reason == ("torch 2.3.1+cu121 was built for CUDA 12.1, newer than the CUDA 11.4 this driver "
                            "(470.199.02) supports")


def test_site_packages_alone_still_reads_versions(tmp_path: Path, kb: KnowledgeBase) -> None:
    m = Machine(tmp_path).dist("bitsandbytes", "0.43.3").file(f"{SITE}/torch/version.py", "__version__ = '2.3.1+cpu'\ncuda = None\n")
    m.file(f"{SITE}/bitsandbytes/libbitsandbytes_cpu.so")
    facts = collect_facts(m.context(python=None, sites=(SITE,)))
    assert facts["python"] == "3.10" and facts["torch_cuda"] == "none" and facts["package:bitsandbytes"] == "0.43.3"
    assert all(argv[0] != PYTHON for argv in m.ran)  # no interpreter was asked
    verdicts = {c.id: c.verdict for c in check_entries(kb, facts, ["torch-not-compiled-with-cuda",
                                                                    "bitsandbytes-cpu-library-loaded"])}
    assert verdicts == {"torch-not-compiled-with-cuda": "confirmed", "bitsandbytes-cpu-library-loaded": "confirmed"}


def test_a_broken_probe_costs_only_its_facts(tmp_path: Path) -> None:
    m = training_box(tmp_path)
    m.commands[("docker", "info", "--format", "{{json .}}")] = None  # type: ignore[assignment]
    m.command(["docker", "--version"], "Docker version 24.0.7, build afdd53b\n")
    facts = collect_facts(m.context())
    assert "docker_runtimes" not in facts and facts["nvidia_driver"] == "535.129.03"


def test_elf_strings_of_a_synthetic_and_a_real_library(tmp_path: Path) -> None:
    (tmp_path / "lib.so").write_bytes(elf(["GLIBCXX_3.4.30", "memcpy"]))
    (tmp_path / "text.so").write_text("INPUT(libfoo.so.1)\n")  # a linker script, as some libfoo.so are
    files = Files(str(tmp_path))
    assert dynamic_strings(files, "/lib.so") == ["GLIBCXX_3.4.30", "memcpy"]
    assert dynamic_strings(files, "/text.so") is None and dynamic_strings(files, "/missing.so") is None
    real = Path("/usr/lib/x86_64-linux-gnu/libstdc++.so.6")
    if real.exists():
        assert "GLIBCXX_3.4" in (dynamic_strings(Files("/"), str(real)) or [])


@pytest.mark.parametrize("arch, cap, runs", [
    ("sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90", "8.9", True),  # sm_86 cubin runs on 8.9
    ("sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90", "12.0", False),  # Blackwell under a cu124 wheel
    ("sm_80 sm_90 compute_90", "12.0", True),  # PTX is compiled by the driver
    ("sm_86", "8.0", False),  # a higher minor does not run on a lower one
    ("sm_90a", "9.0", True), ("sm_90a", "10.0", False),
])
def test_which_builds_run_on_which_gpu(arch: str, cap: str, runs: bool) -> None:
    assert runs_on(arch.split(), cap) is runs


def test_a_log_from_this_machine_is_not_called_foreign(tmp_path: Path) -> None:
    from triage.doctor import elsewhere
    from triage.model import Diagnosis, Evidence

    m = training_box(tmp_path)
    facts = collect_facts(m.context())
    line = f'  File "{SITE}/torch/__init__.py", line 1\nImportError: libfoo.so'
    here = Diagnosis("x", "t", 0.9, (Evidence(1, line, "s"),), {"so_path": f"{SITE}/torch/version.py"}, (), False)
    assert elsewhere([here], facts, m.context().files) == []
    other = Diagnosis("x", "t", 0.9, (Evidence(1, line.replace("python3.10", "python3.12"), "s"),),
                      {"cuda_home": "/usr/local/cuda-11.8"}, (), False)
    said = elsewhere([other], facts, m.context().files)
    assert said[0].startswith("the log's /opt/conda/envs/train/lib/python3.12/site-packages, /usr/local/cuda-11.8 do not")
    assert said[1] == "the log runs Python 3.12; the Python looked at here is 3.10"


def test_commands_run_as_argv_and_a_hung_or_missing_one_is_no_answer(tmp_path: Path) -> None:
    import sys

    from triage.doctor.context import run_command

    done = run_command([sys.executable, "-c", "import sys; print('out'); print('err', file=sys.stderr)"])
    assert done is not None and (done.code, done.text, done.err) == (0, "out\n", "err\n")
    assert run_command([sys.executable, "-c", "print('$HOME; echo no shell')"]).text == "$HOME; echo no shell\n"  # type: ignore[union-attr]
    assert run_command([str(tmp_path / "no-such-program"), "--version"]) is None
    assert run_command([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5) is None


def test_the_container_toolkit_tells_the_gpu_architecture_when_nvidia_smi_cannot(tmp_path: Path) -> None:
    m = training_box(tmp_path)
    m.command(["nvidia-smi", "--query-gpu=name,compute_cap", "--format=csv,noheader"],
              'Field "compute_cap" is not a valid field to query.\n', code=2)
    facts = collect_facts(m.context())
    assert facts["gpu_compute_cap"] == "8.0" and facts["container_cli_cuda"] == "12.2"
