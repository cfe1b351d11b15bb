#!/usr/bin/python3
"""Golden fixture for src/core/mvpa/splitters.ts (Debian /usr/bin/python3, scikit-learn 1.2; tests never run Python).

Writes tests/fixtures/golden/splitters.json with exact train/test indices of:
  - LeaveOneGroupOut (loro), numeric and text run labels;
  - KFold(K) without shuffle (= blocked:K:0 on samples already in time order);
  - StratifiedKFold(K) without shuffle (kfold's algorithm before the shuffle);
  - blocked:K:GAP on unsorted onsets: KFold(K) over the samples sorted by onset, then training
    samples whose onset lies within GAP s of the test block's onset span dropped (an independent
    NumPy version of the documented rule; scikit-learn has no gap splitter).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.model_selection import KFold, LeaveOneGroupOut, StratifiedKFold

OUT = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/golden/splitters.json")


def folds(splitter, X, y=None, groups=None):
    return [{"train": tr.tolist(), "test": te.tolist()} for tr, te in splitter.split(X, y, groups)]


def blocked_gap(onsets, k, gap):
    n = len(onsets)
    order = np.argsort(onsets, kind="stable")
    out = []
    for _, te_pos in KFold(k).split(np.zeros(n)):
        test = np.sort(order[te_pos])
        lo, hi = onsets[test].min(), onsets[test].max()
        is_test = np.zeros(n, bool)
        is_test[test] = True
        drop = (onsets >= lo - gap) & (onsets <= hi + gap)
        train = np.flatnonzero(~is_test & ~drop)
        out.append({"train": train.tolist(), "test": test.tolist()})
    return out


rng = np.random.default_rng(20261129)
cases = {"loro": [], "kfold": [], "stratified": [], "blocked_gap": []}

for groups in ([1, 1, 2, 2, 3, 3, 1, 2, 3, 3], [3, 1, 2, 10, 10, 2, 1, 3], list(rng.integers(1, 5, 24))):
    g = np.asarray(groups)
    cases["loro"].append({"groups": [str(v) for v in g.tolist()], "folds": folds(LeaveOneGroupOut(), np.zeros(len(g)), groups=g)})
text = np.array(["run-b", "run-a", "run-b", "run-c", "run-a", "run-c"])
cases["loro"].append({"groups": text.tolist(), "folds": folds(LeaveOneGroupOut(), np.zeros(len(text)), groups=text)})

for n, k in ((10, 3), (11, 5), (120, 5), (7, 7), (13, 4), (5, 2)):
    cases["kfold"].append({"n": n, "k": k, "folds": folds(KFold(k), np.zeros(n))})

ys = [
    [1, 1, 0, 0, 1, 0, 1, 1, 1, 0],
    (rng.random(120) < 0.7).astype(int).tolist(),
    [0] * 9 + [1] * 4,
    (rng.random(37) < 0.3).astype(int).tolist(),
]
for y in ys:
    for k in (2, 3, 5):
        y_arr = np.asarray(y)
        if np.all(k > np.bincount(y_arr)):
            continue
        cases["stratified"].append({"y": y, "k": k, "folds": folds(StratifiedKFold(k), np.zeros(len(y)), y_arr)})

for n, k, gap in ((40, 5, 12.0), (120, 5, 12.0), (23, 4, 6.5), (30, 3, 0.0)):
    onsets = np.round(np.sort(rng.uniform(0, 5 * n, n)), 3)
    onsets = onsets[rng.permutation(n)]  # file order differs from time order
    cases["blocked_gap"].append({"onsets": onsets.tolist(), "k": k, "gap": gap, "folds": blocked_gap(onsets, k, gap)})

with open(OUT, "w") as f:
    json.dump({"generator": "scripts/golden/splitters_golden.py", "sklearn": sklearn.__version__, "numpy": np.__version__, **cases}, f)
print("wrote", os.path.normpath(OUT))
