"""The sizes and thresholds that bound triage's work, declared once.

Memory stays bounded because text is held a chunk at a time and every line is capped;
the literal thresholds decide when the prefilter is worth using at all.
"""
from __future__ import annotations

CHUNK_CHARS = 4 << 20  # how much text one pipeline step holds
EAGER_LIMIT = 8 << 20  # a whole log below this many characters is normalised eagerly
MAX_LINE_CHARS = 1 << 20  # a longer raw line keeps its head and tail
MAX_LINE = 8192  # a longer logical line keeps its head and tail for matching
MAX_RAW = 1000  # evidence shows at most this much of one raw line
MAX_PENDING = 50_000  # hits waiting for the end of the log to settle `within: null` conditions
# a new prefilter without settled literals is built once they cost this many lines in one chunk
RECOMPILE_LINES = 2000
HOLD_CHARS = 16 << 20  # candidate lines of whole-log conditions kept aside until a hit needs them
MEMO_LINES = 20000  # one-line matches remembered by raw text (a repeated line is matched once)
WRAP_SAMPLE = 5000  # lines looked at to detect a wrapped paste
SMALL_TEXT = 256 << 10  # below this, str.find beats compiling an automaton

# a signature whose shortest literal is shorter than this is tried on every line of its window
MIN_PREFILTER_LITERAL = 3
# `triage kb lint` warns below this: such literals select too many lines to be worth it
MIN_SELECTIVE_LITERAL = 4

# a draft entry's diagnoses (written by `triage learn`, not yet reviewed) score at most this:
# below the weakest named strength (hint, 0.5), so any reviewed entry ranks first
DRAFT_CONFIDENCE_CAP = 0.45
