"""Write a realistic large training log for the benchmarks: tqdm bars with \\r rewrites, pip
output, NCCL INFO chatter, warnings, ANSI colours, CI timestamps, several ranks interleaved,
harmless tracebacks-looking words, and a few planted errors (PLANTED lists them).

    python benchmarks/make_log.py OUT.log [--mb 100] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
from typing import List, Tuple

# (expected KB id, the lines planted); spread evenly through the log
PLANTED: List[Tuple[str, List[str]]] = [
    ("nvidia-docker-not-found", ["$ nvidia-docker run -it --rm nvcr.io/nvidia/pytorch:23.05-py3 bash",
                                 "bash: nvidia-docker: command not found"]),
    ("cuda-out-of-memory", ["torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.95 GiB (GPU 3; "
                            "23.69 GiB total capacity; 20.11 GiB already allocated; 1.02 GiB free; 21.50 GiB "
                            "reserved in total by PyTorch)"]),
    ("cuda-device-side-assert", ["/opt/conda/conda-bld/pytorch_1/work/aten/src/ATen/native/cuda/Indexing.cu:1141: "
                                 "indexSelectLargeIndex: block: [0,0,0], thread: [0,0,0] Assertion `srcIndex < "
                                 "srcSelectDimSize` failed.",
                                 "RuntimeError: CUDA error: device-side assert triggered"]),
    ("torchrun-port-in-use", ["[W socket.cpp:436] [c10d] The server socket has failed to bind to [::]:29500 "
                              "(errno: 98 - Address already in use).",
                              "RuntimeError: The server socket has failed to listen on any local network address. "
                              "The server socket has failed to bind to [::]:29500 (errno: 98 - Address already in use)."]),
    ("nccl-collective-timeout", ["[Rank 2] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=4521, "
                                 "OpType=ALLREDUCE, NumelIn=1048576, NumelOut=1048576, Timeout(ms)=1800000) ran for "
                                 "1800572 milliseconds before timing out."]),
    ("disk-full", ["OSError: [Errno 28] No space left on device: '/data/ckpt/step_12000/pytorch_model.bin'"]),
    ("glibcxx-version-not-found", ["ImportError: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.29' "
                                   "not found (required by /opt/conda/lib/python3.10/site-packages/foo/_C.so)"]),
    ("ninja-missing", ["RuntimeError: Ninja is required to load C++ extensions"]),
    ("hf-hub-unreachable", ["OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't "
                            "find it in the cached files and it looks like meta-llama/Llama-2-7b-hf is not the path "
                            "to a directory containing a file named config.json."]),
    ("torch-not-compiled-with-cuda", ["AssertionError: Torch not compiled with CUDA enabled"]),
]


def noise(rng: random.Random, step: int) -> str:
    """One line of a multi-rank training run: mostly progress bars, metrics and NCCL INFO;
    some warnings, pip output and eval lines whose words (failed, oom, killed) are harmless."""
    rank = rng.randrange(8)
    kind = rng.random()
    if kind < 0.45:
        bars = "".join(f"\r{p:3d}%|{'#' * (p // 10):10s}| {p}/100 [00:{p % 60:02d}<00:10, {rng.uniform(1, 9):.2f}it/s]"
                       for p in range(0, 101, 20))
        return f"Epoch {step % 3}: {bars}"
    if kind < 0.70:
        return (f"2024-05-01T10:{step % 60:02d}:{rng.randrange(60):02d}.{rng.randrange(10**7):07d}Z [rank{rank}]: "
                f"{{'loss': {rng.uniform(0.5, 3):.4f}, 'learning_rate': 1.9e-05, 'epoch': {step / 1000:.2f}}}")
    if kind < 0.85:
        return (f"node0{rank // 4}:{1000 + rank}:{2000 + rank} [{rank}] NCCL INFO Channel {rank:02d}/32 : "
                f"{rank} -> {(rank + 1) % 8} via P2P/IPC/read")
    if kind < 0.95:
        return (f"\x1b[33m[WARNING]\x1b[0m [rank{rank}] torch.utils.checkpoint: the use_reentrant parameter should be "
                f"passed explicitly; no error, this warning is harmless (timeout=1800s)")
    if kind < 0.98:
        return f"Requirement already satisfied: {rng.choice(['numpy', 'torch', 'regex', 'tqdm'])} in /opt/conda/lib/python3.10/site-packages"
    return f"[default{rank}]:[{step}] eval: eval_loss={rng.uniform(0.5, 2):.3f} failed_samples=0 oom_events=0 killed_workers=0"


def write(path: str, megabytes: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    every = target // (len(PLANTED) + 1)
    written = step = 0
    planted = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        while written < target:
            line = noise(rng, step) + "\n"
            fh.write(line)
            written += len(line)
            step += 1
            if planted < len(PLANTED) and written >= every * (planted + 1):
                for text in PLANTED[planted][1]:
                    fh.write(text + "\n")
                    written += len(text) + 1
                planted += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.out, args.mb, args.seed)


if __name__ == "__main__":
    main()
