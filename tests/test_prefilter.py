"""The literal prefilter: every backend finds the same literals on the same lines."""
from __future__ import annotations

from triage.engine.prefilter import BACKENDS, LiteralPrefilter

TEXTS = ["ERROR İmport x", "tqdm ███ 3.2it/s", "KeyError in a plain line", "CUDA Out Of Memory",
         "На устройстве не осталось свободного места", "", "nothing here"] * 3
LITERALS = ["error", "it/s", "cuda out of memory", "на устройстве", "plain", "mport", "absent"]


def test_every_backend_finds_the_same_lines() -> None:
    found = {}
    for backend in BACKENDS:
        try:
            found[backend] = LiteralPrefilter(LITERALS, backend).lines(TEXTS)
        except ImportError:
            continue
    assert "python" in found and len({repr(sorted(f.items())) for f in found.values()}) == 1
    assert found["python"][0] == {0, 5} and found["python"][3] == {2} and found["python"][4] == {3}
    assert 5 not in found["python"] and 6 not in found["python"]


def test_literals_left_out_are_not_searched() -> None:
    assert LiteralPrefilter(LITERALS, "python", without={0}).lines(TEXTS)[0] == {5}
