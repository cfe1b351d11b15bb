#!/usr/bin/env python3
"""Golden values for src/core/mvpa/null-summary.ts: NumPy's mean, std (ddof=1), percentiles
(linear, NumPy's default) and histogram (24 equal bins over [min, max], last bin closed) of a few
null distributions. Writes tests/fixtures/golden/null_summary.json.
Usage: /usr/bin/python3 scripts/golden/null_summary.py"""
import json
import numpy as np

rng = np.random.default_rng(7)
cases = {
    "balanced_accuracy_1000": np.round(rng.normal(0.5, 0.05, 1000) * 120) / 120,  # ties, like a real null
    "r2_200": rng.normal(-0.05, 0.08, 200),
    "small_7": np.array([0.4, 0.5, 0.5, 0.55, 0.6, 0.45, 0.5]),
    "constant_5": np.full(5, 0.5),
}
out = {}
for name, x in cases.items():
    lo, hi = float(x.min()), float(x.max())
    counts, edges = np.histogram(x, bins=24, range=(lo, hi) if hi > lo else (lo - 0.5, hi + 0.5))
    out[name] = {
        "values": x.tolist(),
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)),
        "p05": float(np.percentile(x, 5)),
        "p50": float(np.percentile(x, 50)),
        "p95": float(np.percentile(x, 95)),
        "lo": float(edges[0]),
        "hi": float(edges[-1]),
        "counts": counts.tolist(),
    }
with open("tests/fixtures/golden/null_summary.json", "w") as f:
    json.dump({"source": "scripts/golden/null_summary.py (NumPy %s)" % np.__version__, "cases": out}, f)
