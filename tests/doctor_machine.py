"""A recorded machine for `triage doctor` tests: files in a temporary root, commands answered with
outputs written down from real tools (formats as nvidia-smi, nvcc, docker and
nvidia-container-cli print them), nothing run for real."""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple, Union

from triage.doctor.context import Context, Files, Output
from triage.doctor.probes.live import LIVE_SCRIPT
from triage.doctor.probes.system import PYINFO

SITE = "/opt/conda/envs/train/lib/python3.10/site-packages"
PYTHON = "/opt/conda/envs/train/bin/python"

NVIDIA_SMI = """\
Mon Nov 20 10:12:31 2023
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI {driver}             Driver Version: {driver}   CUDA Version: {cuda}     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |
|=========================================+======================+======================|
|   0  NVIDIA A100-SXM4-80GB          On  | 00000000:07:00.0 Off |                    0 |
| N/A   33C    P0              62W / 400W |      4MiB / 81920MiB |      0%      Default |
+-----------------------------------------+----------------------+----------------------+
"""
PROC_VERSION = ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  {driver}  Thu Oct 19 18:56:32 UTC 2023\n"
                "GCC version:  gcc version 11.4.0 (Ubuntu 11.4.0-1ubuntu1~22.04) \n")
OPEN_PROC_VERSION = ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  {driver}  Release Build  "
                     "(dvs-builder@U16-I3-B03-4-3)  Thu Feb 22 01:25:25 UTC 2024\n")
NVCC = ("nvcc: NVIDIA (R) Cuda compiler driver\nCopyright (c) 2005-2023 NVIDIA Corporation\n"
        "Built on Tue_Aug_15_22:02:13_PDT_2023\nCuda compilation tools, release {cuda}, V{cuda}.140\n"
        "Build cuda_{cuda}.r{cuda}/compiler.33191640_0\n")
DOCKER_INFO = {"ID": "b6c1e0a4", "Containers": 3, "Driver": "overlay2", "ServerVersion": "24.0.7",
               "Runtimes": {"io.containerd.runc.v2": {"path": "runc"},
                            "nvidia": {"path": "nvidia-container-runtime"}, "runc": {"path": "runc"}},
               "DefaultRuntime": "runc", "CDISpecDirs": ["/etc/cdi", "/var/run/cdi"]}
CONTAINER_CLI = ("NVRM version,CUDA version\n535.129.03,12.2\n\n"
                 "Device Index,Device Minor,Model,Brand,GPU UUID,Bus Location,Architecture\n"
                 "0,0,NVIDIA A100-SXM4-80GB,Nvidia,GPU-4d8c9d8e-6d1f-9f0b-5b5c-2f1e0c6b8a11,00000000:07:00.0,8.0\n")
CXX11_SYMBOL = "_ZN3c106detail14torchCheckFailEPKcS2_jRKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE"


def elf(strings: Sequence[str]) -> bytes:
    """A minimal 64-bit little-endian ELF whose .dynstr holds these strings."""
    dynstr = b"\0" + b"\0".join(s.encode() for s in strings) + b"\0"
    header = bytearray(64)
    header[:7] = b"\x7fELF\x02\x01\x01"
    struct.pack_into("<Q", header, 0x28, 64 + len(dynstr))
    struct.pack_into("<HHH", header, 0x3A, 64, 3, 0)

    def section(kind: int, offset: int, size: int, link: int) -> bytes:
        return struct.pack("<IIQQQQIIQQ", 0, kind, 0, 0, offset, size, link, 0, 0, 0)

    return bytes(header) + dynstr + section(0, 0, 0, 0) + section(11, 0, 0, 2) + section(3, 64, len(dynstr), 0)


class Machine:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.commands: Dict[Tuple[str, ...], Output] = {}
        self.programs: Dict[str, str] = {}
        self.env: Dict[str, str] = {}
        self.ran: list = []

    def file(self, path: str, content: Union[str, bytes] = "") -> "Machine":
        target = self.root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        return self

    def folder(self, path: str) -> "Machine":
        (self.root / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
        return self

    def command(self, argv: Sequence[str], out: str, code: int = 0, err: str = "") -> "Machine":
        self.commands[tuple(argv)] = Output(code, out, err)
        name = argv[0].rsplit("/", 1)[-1]
        self.programs.setdefault(name, argv[0] if "/" in argv[0] else f"/usr/bin/{name}")
        return self

    def dist(self, name: str, version: str, site: str = SITE, requires: str = "") -> "Machine":
        return self.file(f"{site}/{name}-{version}.dist-info/METADATA",
                         f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{requires}")

    def python(self, version: str = "3.10.13", prefix: str = "/opt/conda/envs/train", site: str = SITE) -> "Machine":
        info = {"version": version, "include": f"{prefix}/include/python{version[:4]}", "prefix": prefix,
                "sites": [site], "executable": PYTHON}
        return self.command([PYTHON, "-c", PYINFO], json.dumps(info))

    def live(self, answer: dict, cuda: bool = False) -> "Machine":
        return self.command([PYTHON, "-c", LIVE_SCRIPT] + (["--cuda"] if cuda else []), json.dumps(answer))

    def run(self, argv: Sequence[str]) -> Optional[Output]:
        self.ran.append(tuple(argv))
        return self.commands.get(tuple(argv))

    def context(self, **kw: object) -> Context:
        options: dict = {"python": PYTHON, "platform": "linux"}
        options.update(kw)
        return Context(files=Files(str(self.root)), run=self.run, env=self.env, which=self.programs.get,
                       **options)  # type: ignore[arg-type]
