"""`triage scan --format html`: self-contained, escaped, and working in a real headless browser."""
from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from triage.cli.render.html import html_page
from triage.model import Diagnosis, Evidence, LogResult, Solution

from .conftest import ROOT

HOSTILE = "</pre></details><script>alert(1)</script><img src=x onerror=alert(2)> \"quoted\" & 'single'"


def hostile_results() -> List[LogResult]:
    ev = Evidence(line=7, text=f"RuntimeError: {HOSTILE}", signature="s")
    fix = Solution(title=f"Fix {HOSTILE}", why=HOSTILE, steps=(f"pip install {HOSTILE}",))
    d = Diagnosis(id="cuda-out-of-memory", title=f"OOM {HOSTILE}", confidence=0.9, evidence=(ev,),
                  variables={}, solutions=(fix,), fixable=False)
    unknown = LogResult(f"logs/{HOSTILE}.log", (), Evidence(line=3, text=HOSTILE, signature=""))
    return [LogResult("logs/a.log", [d]), unknown, LogResult("logs/b.log", error=HOSTILE)]


def test_log_text_is_escaped_and_nothing_is_fetched() -> None:
    page = html_page(hostile_results(), "1.0")
    assert page.count("<script>") == 1 and "alert(1)</script>" not in page  # only triage's own script
    assert "<img" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # no CDN, no network
    assert "Content-Security-Policy" in page


class Browser:
    """Debian's chromium, driven over the DevTools protocol on a pipe (fds 3 and 4): no extra packages."""

    def __init__(self, tmp: Path) -> None:
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()

        def fds() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--remote-debugging-pipe", f"--user-data-dir={tmp / 'profile'}", "--window-size=1200,900",
             "about:blank"], preexec_fn=fds, close_fds=False,  # dup2 leaves 3 and 4 inheritable
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child)
        os.close(from_child)
        self._buf, self._id, self.events = b"", 0, []  # type: ignore[var-annotated]
        self.session = ""

    def send(self, method: str, params: Dict[str, Any] | None = None, timeout: float = 20) -> Dict[str, Any]:
        self._id += 1
        msg: Dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if self.session:
            msg["sessionId"] = self.session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        return self.wait(lambda m: m.get("id") == self._id, timeout)

    def wait(self, found: Any, timeout: float = 20) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "method" in msg:
                    self.events.append(msg)
                if found(msg):
                    return msg
            ready, _, _ = select.select([self._in], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("chromium did not answer")
            data = os.read(self._in, 1 << 20)
            if not data:
                raise EOFError("chromium closed the pipe")
            self._buf += data

    def js(self, expression: str) -> Any:
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return reply["result"]["result"].get("value")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_page_in_a_headless_browser(tmp_path: Path) -> None:
    logs = ROOT / "fixtures" / "logs"
    picked = sorted(logs.glob("cuda-*.log"))[:4] + sorted(logs.glob("benign-*.log"))[:2]
    out = subprocess.run([sys.executable, "-m", "triage", "scan", *map(str, picked), "--format", "html", "-j", "1"],
                         capture_output=True, text=True)
    page = tmp_path / "scan.html"
    page.write_text(out.stdout, encoding="utf-8")
    (tmp_path / "hostile.html").write_text(html_page(hostile_results(), "x"), encoding="utf-8")
    browser = Browser(tmp_path)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        attached = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        browser.session = attached["result"]["sessionId"]
        for domain in ("Runtime.enable", "Page.enable", "Log.enable"):
            browser.send(domain)
        browser.send("Page.navigate", {"url": page.as_uri()})
        browser.wait(lambda m: m.get("method") == "Page.loadEventFired")
        assert browser.js("document.querySelectorAll('#causes rect').length") >= 2  # the chart is drawn
        assert browser.js("document.querySelector('#causes rect').getBBox().width") > 10
        assert browser.js("document.querySelector('#logs details').open") is False
        browser.js("document.querySelector('#logs details summary').click()")
        assert browser.js("document.querySelector('#logs details').open") is True  # a row expands ...
        assert browser.js("document.querySelector('#logs details pre').getBoundingClientRect().height") > 0
        browser.js("document.querySelector('#causes .bar').dispatchEvent(new MouseEvent('click'))")
        assert browser.js("document.querySelectorAll('#logs details.hidden').length") > 0  # a bar filters
        shot = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"})["result"]["data"])
        (tmp_path / "scan.png").write_bytes(shot)
        assert shot.startswith(b"\x89PNG") and len(shot) > 10_000  # a drawn page, not a blank one
        errors = [e for e in browser.events if e["method"] == "Runtime.exceptionThrown"
                  or (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] == "error")
                  or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
        assert errors == []
        browser.send("Page.navigate", {"url": (tmp_path / "hostile.html").as_uri()})
        browser.wait(lambda m: m.get("method") == "Page.loadEventFired")
        assert browser.js("document.querySelectorAll('img').length + document.scripts.length") == 1
        assert not [e for e in browser.events if e["method"] == "Page.javascriptDialogOpening"]  # no alert()
    finally:
        browser.close()


def test_a_clean_log_is_not_counted_as_an_unknown_failure() -> None:
    from triage.cli.render.html import cause_counts

    failing = LogResult("a.log", [], Evidence(3, "RuntimeError: boom", "likely-failure"))
    clean = LogResult("b.log", [], None)
    counts = {cause: n for cause, _, n in cause_counts([failing, clean, clean])}
    assert counts == {"unknown failure": 1, "no failure seen": 2}
    page = html_page([failing, clean, clean], "1")
    assert "Unknown failures (1 logs" in page and "2 more logs hold no line that looks like a failure" in page
