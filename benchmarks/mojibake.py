"""Mojibake repair, measured: how much Chinese comes back, how many clean lines are touched, and
how fast, against the repair of another revision (default: main).

    python benchmarks/mojibake.py [--baseline REV] [SEED_FILE ...]

Chinese log lines (fixtures/mojibake/zh-lines.txt) are mangled the ways logs arrive: UTF-8 shown
as cp1252 by a browser (undefined bytes as C1 controls), the same with undefined bytes dropped,
twice over (a paste of a paste), and shown by a Chinese Windows console (GBK) and copied back.
A SEED_FILE (a real mangled text, e.g. seed 002) counts the Chinese characters each recovers.
"""
from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
import time
import types
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mangle import CHINESE, browser_cp1252, dropped_cp1252, gbk_console  # noqa: E402
from triage.engine.decode import repair_mojibake  # noqa: E402

Repair = Callable[[str], str]


MANGLINGS: Dict[str, Callable[[str], str]] = {
    "cp1252 once": browser_cp1252,
    "cp1252, undefined bytes dropped": dropped_cp1252,
    "cp1252 twice": lambda t: browser_cp1252(browser_cp1252(t)),
    "GBK console": gbk_console,
}
CLEAN = ["café— naïve «déjà vu» Müller…", "ошибка: нет места на устройстве", "错误：未找到命令",
         "ERROR: No matching distribution found for torch==2.1.0", "temperature 25°C ±0.5, 5 µs, © 2024"]


def baseline(rev: str) -> Repair:
    """repair_mojibake as revision `rev` had it (its decode.py, or mojibake.py when it has one)."""
    module = types.ModuleType("baseline_decode")
    module.__dict__["__name__"] = "baseline_decode"
    for name in ("triage/engine/mojibake.py", "triage/engine/decode.py"):
        shown = subprocess.run(["git", "show", f"{rev}:{name}"], cwd=ROOT, capture_output=True, text=True)
        if shown.returncode == 0 and "def repair" in shown.stdout:
            exec(compile(shown.stdout, f"{rev}:{name}", "exec"), module.__dict__)  # our own code, older
            repair = module.__dict__.get("repair_mojibake") or module.__dict__["repair"]
            repair.looks_mangled = module.__dict__["looks_mangled"]  # type: ignore[attr-defined]
            return repair
    raise SystemExit(f"no repair in {rev}")


def recovered(original: str, repaired: str) -> int:
    """Chinese characters of the original found, in order, in the repaired line."""
    want, got = CHINESE.findall(original), CHINESE.findall(repaired)
    return sum(block.size for block in difflib.SequenceMatcher(None, want, got, autojunk=False).get_matching_blocks())


def score(repair: Repair, lines: List[str]) -> Dict[str, str]:
    out = {}
    total = sum(len(CHINESE.findall(line)) for line in lines)
    for name, mangle in MANGLINGS.items():
        fixed = [repair(mangle(line)) for line in lines]
        whole = sum(1 for a, b in zip(lines, fixed) if a == b)
        chars = sum(recovered(a, b) for a, b in zip(lines, fixed))
        out[name] = f"{whole}/{len(lines)} lines, {100 * chars / total:.0f}% chars"
    out["clean lines changed"] = str(sum(1 for line in CLEAN + lines if repair(line) != line))
    return out


def seconds(repair: Repair, lines: List[str]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for line in lines:
            repair(line)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--log-mb", type=float, default=0, help="also time diagnose() on a Chinese log this big")
    parser.add_argument("seeds", nargs="*", type=Path)
    args = parser.parse_args()
    old = baseline(args.baseline)
    lines = (ROOT / "fixtures" / "mojibake" / "zh-lines.txt").read_text(encoding="utf-8").splitlines()
    print(f"{'':34} {args.baseline:>28}   this tree")
    for (name, before), after in zip(score(old, lines).items(), score(repair_mojibake, lines).values()):
        print(f"{name:34} {before:>28}   {after}")
    for seed in args.seeds:
        text = seed.read_text(encoding="utf-8", errors="replace").split("\n")
        counts = [sum(len(CHINESE.findall(repair(line))) for line in text) for repair in (old, repair_mojibake)]
        print(f"{seed.name}: Chinese characters recovered {counts[0]} -> {counts[1]}")
    mixed = [m(line) for line in lines for m in MANGLINGS.values()] + lines + CLEAN
    work = mixed * 200
    ratio = seconds(repair_mojibake, work) / seconds(old, work)
    clean_work = (lines + CLEAN) * 400
    clean_ratio = seconds(repair_mojibake, clean_work) / seconds(old, clean_work)
    print(f"time, this tree / {args.baseline}: mangled and clean lines {ratio:.2f}x, clean lines only {clean_ratio:.2f}x")
    if args.log_mb:
        print(f"whole diagnose() on a {args.log_mb} MB Chinese log, this tree / {args.baseline}: "
              f"{end_to_end(old, lines, args.log_mb):.2f}x")


def end_to_end(old: Repair, lines: List[str], mb: float) -> float:
    """diagnose() on a log of clean Chinese lines and the English sample, with this tree's repair
    and with the baseline's patched in (the mangled-line check too, when the baseline has one)."""
    import triage.engine.chunk as chunk
    import triage.engine.normalize as normalize
    from triage.api import default_kb, diagnose

    english = (ROOT / "fixtures" / "sample.log").read_text(encoding="utf-8").splitlines()
    block = "\n".join(lines + english) + "\n"
    log = (block * max(1, int(mb * 1e6 / len(block.encode())))).encode()
    kb = default_kb()
    diagnose(b"warm-up", kb)

    def best() -> float:
        return min(_timed(lambda: diagnose(log, kb)) for _ in range(2))

    ours = best()
    saved = normalize.repair_mojibake, chunk.looks_mangled
    normalize.repair_mojibake = old
    chunk.looks_mangled = getattr(old, "looks_mangled", chunk.looks_mangled)
    try:
        theirs = best()
    finally:
        normalize.repair_mojibake, chunk.looks_mangled = saved
    return ours / theirs


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
