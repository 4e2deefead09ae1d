"""Speed and memory of triage on a large synthetic training log, beside `grep -E -f`.

    python benchmarks/bench.py [--mb 100] [--log PATH] [--backends hyperscan,ahocorasick,python]

Prints MB/s and peak RSS for triage with each prefilter backend, the same for
`grep -E -i -f` with the KB's error patterns (converted to POSIX ERE where they can be),
their ratio, whether the planted problems were found by each, and start-up time against a
bare `python -c pass`. Measured, never asserted: these machines are shared and noisy.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from make_log import PLANTED, write  # noqa: E402

from triage import load_kb  # noqa: E402

TIME = "/usr/bin/time"


def to_ere(pattern: str) -> Optional[str]:
    """A Python regex as POSIX ERE, or None when it uses what ERE lacks."""
    if re.search(r"\(\?[=!<]|\(\?P=|\\[1-9]|[*+?}]\?|\(\?x|\\[AZbBG]", pattern):
        return None
    p = re.sub(r"\(\?[imsu]+\)", "", pattern)
    p = re.sub(r"\(\?P<\w+>", "(", p).replace("(?:", "(")
    for py, ere in ((r"\d", "[0-9]"), (r"\s", "[[:space:]]"), (r"\w", "[[:alnum:]_]"), (r"\S", "[^[:space:]]"),
                    (r"\D", "[^0-9]"), (r"\W", "[^[:alnum:]_]")):
        p = p.replace(py, ere)
    return None if "(?" in p or "\n" in p else p


def grep_patterns(out: Path) -> int:
    kb = load_kb()
    lines = [e for e in (to_ere(s.source) for entry in kb.entries for s in entry.signatures) if e]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def timed(cmd: List[str], env: Optional[dict] = None, stdout: int = subprocess.PIPE) -> Tuple[float, int, bytes]:
    """(seconds, peak RSS in KiB, stdout) of one run."""
    full = [TIME, "-f", "%e %M", *cmd] if os.path.exists(TIME) else cmd
    start = time.perf_counter()
    proc = subprocess.run(full, stdout=stdout, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    elapsed = time.perf_counter() - start
    rss = 0
    if os.path.exists(TIME):
        last = proc.stderr.decode().strip().splitlines()[-1].split()
        elapsed, rss = float(last[0]), int(last[1])
    return elapsed, rss, proc.stdout or b""


def planted_ids(out: bytes) -> set:
    doc = json.loads(out)
    return {d["id"] for r in doc["results"] for d in r["diagnoses"]}


def grep_found(out: bytes, log: Path) -> int:
    hits = {int(line.split(b":", 1)[0]) for line in out.splitlines() if line[:1].isdigit()}
    text = log.read_bytes().split(b"\n")  # bytes: \r inside progress bars is not a line break here
    found = 0
    for _, lines in PLANTED:
        numbers = [i + 1 for i, t in enumerate(text) if t == lines[-1].encode()]
        found += any(n in hits for n in numbers)
    return found


def startup(runs: int = 9) -> Tuple[float, float]:
    small = Path(tempfile.mkstemp(suffix=".log")[1])
    small.write_text("step 1 loss 2.3\nstep 2 loss 2.1\n", encoding="utf-8")
    exe = [sys.executable, "-m", "triage", str(small)]
    # as installed: bytecode cached (some sandboxes set PYTHONDONTWRITEBYTECODE, which would
    # make every run compile triage's sources again)
    env = {"PYTHONDONTWRITEBYTECODE": ""}
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(exe, capture_output=True)  # warm the KB cache and .pyc files
    t_triage = statistics.median(timed(exe, env)[0] for _ in range(runs))
    t_python = statistics.median(timed([sys.executable, "-c", "pass"], env)[0] for _ in range(runs))
    small.unlink()
    return t_triage, t_python


def dense_logs(mb: float) -> List[Tuple[str, Path]]:
    """Error-dense logs: the fixture logs (our own text, every KB problem) concatenated to `mb`,
    and one error line repeated (10,000 ranks printing one OOM)."""
    tmp = Path(tempfile.gettempdir())
    fixtures = b"\n".join(p.read_bytes() for p in sorted((HERE.parent / "fixtures" / "logs").glob("*.log")))
    dense, oneline = tmp / f"triage-dense-{int(mb)}mb.log", tmp / f"triage-oneline-{int(mb)}mb.log"
    if not dense.exists():
        dense.write_bytes(fixtures * (int(mb * 2**20) // len(fixtures) + 1))
    if not oneline.exists():
        line = b"RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 23.69 GiB total capacity)\n"
        oneline.write_bytes(line * (int(mb * 2**20) // len(line)))
    return [("fixtures concatenated", dense), ("one OOM line repeated", oneline)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--log", type=Path, default=None)
    parser.add_argument("--backends", default="hyperscan,ahocorasick,python")
    parser.add_argument("--dense-mb", type=float, default=20, help="size of the error-dense logs (0: skip)")
    args = parser.parse_args()
    log = args.log or Path(tempfile.gettempdir()) / f"triage-bench-{int(args.mb)}mb.log"
    if not log.exists():
        write(str(log), args.mb)
    mb = log.stat().st_size / 2**20
    patterns = log.with_suffix(".ere")
    n = grep_patterns(patterns)
    g_time, g_rss, g_out = timed(["grep", "-n", "-E", "-i", "-f", str(patterns), str(log)])
    print(f"log: {log} ({mb:.0f} MB); grep -E -i -f with {n} KB patterns converted to ERE")
    print(f"grep      {g_time:7.2f} s  {mb / g_time:7.1f} MB/s  {g_rss / 1024:6.0f} MiB  "
          f"planted found {grep_found(g_out, log)}/{len(PLANTED)}")
    want = {pid for pid, _ in PLANTED}
    for backend in args.backends.split(","):
        t, rss, out = timed([sys.executable, "-m", "triage", "--format", "json", str(log)],
                            env={"TRIAGE_PREFILTER": backend})
        got = planted_ids(out) if out else set()
        print(f"triage/{backend:11} {t:7.2f} s  {mb / t:7.1f} MB/s  {rss / 1024:6.0f} MiB  "
              f"planted found {len(want & got)}/{len(want)}  speed vs grep {g_time / t:4.2f}x")
    for label, path in dense_logs(args.dense_mb) if args.dense_mb else []:
        size = path.stat().st_size / 2**20
        t, rss, _ = timed([sys.executable, "-m", "triage", "--format", "json", str(path)])
        print(f"error-dense log ({label}, {size:.0f} MB): {t:6.2f} s  {size / t:6.1f} MB/s  {rss / 1024:6.0f} MiB")
    t_triage, t_python = startup()
    print(f"start-up: triage on a 2-line log {t_triage * 1000:.0f} ms, python -c pass {t_python * 1000:.0f} ms "
          f"({t_triage / t_python:.1f}x)")


if __name__ == "__main__":
    main()
