"""The words that make a log line look like a failure, declared once for the whole engine.

The prefilter always reports lines holding an ERROR_WORD; the fuzzy fallback, the likely-failure
hint and the progress-bar splitter each read a subset through the patterns built here.
"""
from __future__ import annotations

import re

# every line holding one of these is worth a look even when no signature points at it
ERROR_WORDS = ("error", "exception", "fatal", "failed", "not found", "cannot", "unable", "traceback",
               "interrupt", "killed")
# what the fuzzy fallback compares: a message-like line ("...Error", "cannot ...", "failed ...")
_MESSAGE_WORDS = ("fatal", "failed", "not found", "cannot", "unable")
MESSAGE_LIKE = re.compile(r"(?i)\b\w*(?:error|exception)\b|" + "|".join(rf"\b{w}\b" for w in _MESSAGE_WORDS))
# a piece of a tqdm line worth keeping when progress updates are glued together ("fail" covers "failed")
GLUED_ERROR = re.compile(r"(?i)error|exception|fatal|killed|fail|traceback")
# a Python exception line ("torch.cuda.OutOfMemoryError: ...") and a cheap test for one
# (also a debugger's report of one: VS Code prints "Exception has occurred: ScannerError")
EXCEPTION_LINE = re.compile(r"^\s*(?:Exception has occurred:\s*)?(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit)"
                            r"\b(?::|$)")
EXCEPTION_WORD = re.compile(r"[a-z](?:Error|Exception|Interrupt|Exit)\b")
# a tool's error line ("error: ...", "[ERROR] ...", "fatal error: ...", "wandb: ERROR ...") and a cheap
# test for one; a tool's upper-case level after its name must be upper case ("wandb: error rate" is not one)
ERROR_LINE = re.compile(r"(?i)^\s*(?:\S+:\s*)?(?:error|fatal)(?:\[E\d+\])?:|^\s*\[?error\]?\b|\berror:"
                        r"|^\s*[\w.-]+:\s+(?-i:ERROR|FATAL)\s")
ERROR_MARK = re.compile(r"(?i)(?:error|fatal)(?:\[e\d+\])?:|\[error\]|^\W*error\b|\]:?\s*error\b"
                        r"|^\s*[\w.-]+:\s+(?-i:ERROR|FATAL)\s")
# words that healthy training and install logs print on many lines: a prefilter literal that is
# one of them (alone) makes its signature run on most of a log, so `triage kb lint` warns
COMMON_LITERALS = frozenset(ERROR_WORDS + ("error:", "error: ", "warning", "info", "install", "python", "python3",
                                          "conda", "pip", "packages", "-packages", "cuda", "torch", "nccl",
                                          "kill", " failed", "exit", " code", " status", "import", "module"))
# the prefilter also reports lines holding one of these: they may state a version, the platform,
# conda or a container (triage/versions/facts.py reads them); "==0".."==9" are pip freeze lines
FACT_WORDS = ("package", "version:", "version (gpu?):", "version ...", "info ...", "path ...", "python 3.",
              "python3", "os: ", "platform: ", "successfully installed", "requirement already satisfied",
              "[conda]", "-cp3", "nvidia release", "root@", ".dockerenv", " : run ", ":\\", "winerror", "-linux-gnu",
              "/usr/local/cuda", ".cp3",
              *(f"=={d}" for d in range(10)))
