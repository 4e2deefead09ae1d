"""The facts `triage doctor` collects: their names, what each means, and the order probes run in.

Facts are a plain `Mapping[str, str]`. A fact that could not be found here is absent (unknown);
"none" means looked for and not there; booleans are "true" / "false"; lists are space-separated
words. `package:<name>` holds each installed distribution's version under its normalised name
(lower case, runs of `-_.` as one `-`): `package:torch` -> `2.3.1+cu121`. `log:<name>` never comes
from the machine: it is a capture of the diagnosis being checked (`triage LOG --doctor`).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Mapping

from triage.doctor.context import Context

FACTS: Mapping[str, str] = {
    # the interpreter and the environment (probes/system.py)
    "platform": "linux, darwin or win32",
    "python": "the target interpreter's version, e.g. 3.10.12",
    "python_executable": "the interpreter looked at",
    "site_packages": "its site-packages folders, os.pathsep-separated",
    "python_include": "its sysconfig include folder",
    "python_h": "whether Python.h is in that folder",
    "conda": "whether the target environment is a conda environment",
    "container": "whether this runs inside a container (docker, podman, kubernetes)",
    "shm_mb": "size of /dev/shm in MiB",
    # installed packages (probes/packages.py)
    "not_installed": "which of torch, numpy, transformers, peft, bitsandbytes, flash-attn, deepspeed, accelerate are not installed",
    "torch": "torch's version (torch/version.py), 'none' when torch is not installed",
    "torch_cuda": "the CUDA torch was built for (torch/version.py), 'none' for a CPU build",
    "torch_cuda_major": "its major version",
    "torch_minor": "torch's major.minor, e.g. 2.3",
    "torch_cxx11_abi": "whether torch was built with the C++11 ABI (TorchConfig.cmake, or --live)",
    "numpy_major": "numpy's major version",
    "numpy_pinned_below_2": "distributions whose metadata requires numpy<2, 'none' when none do",
    # the NVIDIA driver and GPUs (probes/nvidia.py)
    "nvidia_driver": "the loaded kernel module's version, 'none' without an NVIDIA driver",
    "cuda_driver": "the newest CUDA the driver supports (nvidia-smi), e.g. 12.2",
    "nvidia_smi": "what nvidia-smi said: ok, or its error line",
    "gpu_count": "NVIDIA GPUs seen (0 when none)",
    "gpu_names": "their names",
    "gpu_compute_cap": "their compute capabilities, e.g. 8.6",
    "nvml_library": "version of the installed libnvidia-ml.so (user-space driver)",
    # the CUDA toolkit and build tools (probes/toolkit.py)
    "cuda_home": "the CUDA_HOME torch's cpp_extension would use, 'none' when it finds none",
    "cuda_home_from": "where it came from: CUDA_HOME, CUDA_PATH, nvcc on PATH, /usr/local/cuda",
    "nvcc_cuda": "the release `$CUDA_HOME/bin/nvcc --version` reports, 'none' without nvcc there",
    "nvcc_cuda_major": "its major version",
    "ninja": "`ninja --version` of the ninja on PATH, 'none' when there is none",
    # system libraries (probes/native.py)
    "libaio_h": "whether libaio.h is on the include path (DeepSpeed async_io)",
    "libaio_so": "whether libaio.so, which -laio links against, is installed",
    "libstdcxx": "the libstdc++.so.6 the target Python loads",
    "glibcxx_versions": "the GLIBCXX_ versions that library provides, as numbers: 3.4 3.4.1 ... 3.4.30",
    "glibcxx_max": "the newest of them",
    # docker and the NVIDIA container toolkit (probes/docker.py)
    "docker_client": "the docker CLI's version, 'none' without docker",
    "docker_runtimes": "the runtimes the docker daemon knows (docker info)",
    "nvidia_docker": "path of the nvidia-docker wrapper, 'none' when absent",
    "nvidia_container_toolkit": "whether nvidia-container-cli, nvidia-ctk or nvidia-container-runtime is installed",
    "container_cli_cuda": "the CUDA version nvidia-container-cli info reports",
    "cdi_specs": "NVIDIA CDI spec files in /etc/cdi and /var/run/cdi, 'none' when none",
    # files of installed packages (probes/libraries.py)
    "bnb_libraries": "bitsandbytes' native libraries, e.g. 'cpu cuda118 cuda121'",
    "bnb_wanted_library": "the one it loads for this torch (BNB_CUDA_VERSION wins), e.g. cuda121",
    "flash_attn_cxx11_abi": "whether flash-attn's extension was built with the C++11 ABI",
    "flash_attn_torch": "the torch major.minor flash-attn's wheel was built for (its download URL)",
    # the user's project (probes/project.py)
    "model_type": "model_type of the config.json in --project",
    "model_transformers_version": "transformers_version of that config.json",
    "transformers_model_types": "the model types the installed transformers knows",
    "adapter_file": "the PEFT adapter file found under --project",
    "adapter_bytes": "its size in bytes",
    "adapter_tensors": "tensors in it (safetensors only)",
    # --live / --cuda: a child process of the target interpreter (probes/live.py)
    "live": "what the child process reported: ok, or its error",
    "torch_arch_list": "the GPU architectures torch was compiled for (--live)",
    "torch_kernels_for_gpu": "whether torch has kernels for every GPU here (--live)",
    "cuda_kernel_test": "a tiny CUDA op's outcome: ok or its error (--cuda)",
}

Probe = Callable[[Context, Dict[str, str]], Dict[str, str]]


def probes() -> List[Probe]:
    """Every probe, in order: a later one may read what an earlier one found."""
    from triage.doctor.probes import docker, libraries, live, native, nvidia, packages, project, system, toolkit

    return [system.probe, packages.probe, nvidia.probe, toolkit.probe, native.probe, docker.probe,
            libraries.probe, project.probe, live.probe, live.derived]


def collect_facts(ctx: Context) -> Dict[str, str]:
    """Every fact the probes find on the machine ctx describes. A probe that fails costs only its facts."""
    facts: Dict[str, str] = {}
    for probe in probes():
        try:
            found = probe(ctx, facts)
        except Exception as exc:  # noqa: BLE001 - one odd machine must not stop the report
            found = {f"probe_error:{probe.__module__.rsplit('.', 1)[-1]}": f"{type(exc).__name__}: {exc}"}
        facts.update(found)
    return facts


def documented(name: str) -> bool:
    return name in FACTS or name.startswith(("package:", "log:", "probe_error:"))
