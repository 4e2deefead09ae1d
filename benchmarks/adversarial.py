"""Speed on hostile logs beside a normal one, in one run: MB/s and the ratio to the normal log.

    python benchmarks/adversarial.py [--mb 4] [--normal-mb 16] [--only issue-10,...]

Logs (each about --mb MB, lines of 8-16 kB unless said):
  normal       a realistic training log (make_log.py): the reference
  issue-10     "000...0 it/sx" lines, the whole-log veto stall of issue 10
  literals     every KB literal behind and in front of long runs of what patterns repeat
  repeated     every KB literal repeated over a whole line
  runs         16 kB runs of single characters (digits, spaces, word chars, dots, slashes)
  findings     with --findings FILE: one 8 kB line per regex that `triage kb lint`'s measurement
               flagged (FILE written by --save-findings FILE --from-kb DIR, e.g. DIR = the kb/
               folder of an older checkout, so both versions can be timed on the same lines)
Measured, never asserted: these machines are shared and noisy. The scan's regex_timeouts
(checks cut short by the time budget) are printed too: 0 means every KB regex finished in time.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from make_log import write  # noqa: E402

from triage.api import analyze, default_kb, text_chunks  # noqa: E402
from triage.engine.match import Matcher  # noqa: E402

RUNS = ["0", " ", "a", "a ", "/", ".", "0.", "-a ", ":", "'", "[0,", ">", "x=1 "]


def literals() -> List[str]:
    """The KB's literals in a fixed shuffled order: a small log still samples the whole KB."""
    found = sorted(Matcher(default_kb()).literals)
    random.Random(10).shuffle(found)
    return found


def fill(lines: Iterator[str], megabytes: float) -> str:
    out: List[str] = []
    size, target = 0, int(megabytes * (1 << 20))
    for line in lines:
        if size >= target:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out) + "\n"


def cycle(make: Callable[[int], List[str]]) -> Iterator[str]:
    i = 0
    while True:
        yield from make(i)
        i += 1


def logs(megabytes: float, normal_mb: float) -> Dict[str, str]:
    lits = literals()
    normal = Path(tempfile.gettempdir()) / f"triage-adv-normal-{normal_mb:g}mb.log"
    if not normal.exists():
        write(str(normal), normal_mb)
    return {
        "normal": normal.read_text(encoding="utf-8"),
        "issue-10": fill(cycle(lambda i: ["0" * 8000 + " it/sx"]), megabytes),
        "literals": fill(cycle(lambda i: [lit + (RUNS[(i + j) % len(RUNS)] * 8000)[:8000] + " " + lit
                                          for j, lit in enumerate(lits)]), megabytes),
        "repeated": fill(cycle(lambda i: [(lit * (8192 // len(lit) + 1))[:8192] for lit in lits]), megabytes),
        "runs": fill(cycle(lambda i: [run * (16384 // len(run)) + " error" for run in RUNS]), megabytes),
    }


def save_findings(kb_dir: str, out: str) -> None:
    """The hostile line of every regex the measurement flags in the KB at kb_dir (newer code only)."""
    from triage.knowledge.loader import entry_files, parse_files
    from triage.knowledge.probes import probes, with_match
    from triage.knowledge.redos import find_superlinear

    lines = []
    for found in find_superlinear(parse_files(entry_files([Path(kb_dir)]))):
        for name, make in probes(found.regex.source):
            if name == found.probe.replace(", then a match", ""):
                tailed = with_match(found.regex.source, make) if found.probe.endswith("a match") else None
                lines.append((tailed or make)(8192).replace("\n", " "))
                break
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} lines written to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4)
    parser.add_argument("--normal-mb", type=float, default=16)
    parser.add_argument("--only", default="")
    parser.add_argument("--findings", default=None)
    parser.add_argument("--save-findings", default=None)
    parser.add_argument("--from-kb", default=str(HERE.parent / "kb"))
    args = parser.parse_args()
    if args.save_findings:
        save_findings(args.from_kb, args.save_findings)
        return
    analyze(text_chunks("warm up: load and compile the KB\n"))
    results: Dict[str, float] = {}
    wanted = set(args.only.split(",")) - {""}
    texts = logs(args.mb, args.normal_mb)
    if args.findings:
        texts["findings"] = Path(args.findings).read_text(encoding="utf-8")
    for name, text in texts.items():
        if wanted and name not in wanted | {"normal"}:
            continue
        mb = len(text.encode("utf-8")) / (1 << 20)
        start = time.perf_counter()
        result = analyze(text_chunks(text))
        seconds = time.perf_counter() - start
        results[name] = mb / seconds
        ratio = results[name] / results["normal"]
        cut = getattr(result, "regex_timeouts", "n/a")  # absent before the budget existed
        print(f"{name:9} {mb:6.1f} MB {seconds:7.2f} s {results[name]:7.2f} MB/s  {ratio:5.2f}x normal  "
              f"{len(text.splitlines()):6} lines  regex checks cut short: {cut}", flush=True)


if __name__ == "__main__":
    main()
