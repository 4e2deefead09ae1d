"""One module per concern; each `probe(ctx, facts)` returns the facts it found (see facts.py)."""
