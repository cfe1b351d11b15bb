#!/usr/bin/python3
"""Golden fixture for the permutation test of src/core/mvpa/decode.ts (Debian /usr/bin/python3,
scikit-learn 1.2; tests never run Python).

Writes tests/fixtures/golden/permutation.json. For each case: features X (trials x voxels), labels,
runs, onsets, the CV folds, and explicit permuted label vectors (shuffled within runs, or within the
blocked CV's blocks for one run, by NumPy). For every given permutation the null score is what
scikit-learn computes with those labels: cross_val_score(model, X_scaled, y_perm, cv=folds,
scoring=metric).mean(), with X_scaled z-scored within runs by StandardScaler (or, for
scaling 'train-fold', the pipeline StandardScaler() -> model on raw X). Models: NearestCentroid (the
tests' own tiny dual model), SVC(kernel='linear'), LogisticRegression(), Ridge().
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, LeaveOneGroupOut, cross_val_score
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/golden/permutation.json")
rng = np.random.default_rng(9001)

MODELS = {
    "centroid": lambda: NearestCentroid(),
    "svc": lambda: SVC(kernel="linear"),
    "logreg": lambda: LogisticRegression(),
    "ridge": lambda: Ridge(),
}


def zscore_within(X, groups):
    Xz = np.empty_like(X)
    for g in np.unique(groups):
        m = groups == g
        Xz[m] = StandardScaler().fit_transform(X[m])
    return Xz


def within(strata, y, n_perm):
    perms = []
    for _ in range(n_perm):
        yp = y.copy()
        for s in np.unique(strata):
            idx = np.flatnonzero(strata == s)
            yp[idx] = y[idx[rng.permutation(len(idx))]]
        perms.append(yp)
    return perms


def blocked_gap(onsets, k, gap):
    n = len(onsets)
    order = np.argsort(onsets, kind="stable")
    folds, blocks = [], np.empty(n, int)
    for b, (_, te_pos) in enumerate(KFold(k).split(np.zeros(n))):
        test = np.sort(order[te_pos])
        blocks[test] = b
        lo, hi = onsets[test].min(), onsets[test].max()
        is_test = np.zeros(n, bool)
        is_test[test] = True
        drop = (onsets >= lo - gap) & (onsets <= hi + gap)
        folds.append((np.flatnonzero(~is_test & ~drop), test))
    return folds, blocks


def make_case(name, n_runs, per_run, p, signal, continuous=False, cv="loro", k=5, gap=12.0):
    n = n_runs * per_run
    groups = np.repeat(np.arange(1, n_runs + 1), per_run)
    onsets = np.tile(np.sort(rng.uniform(2, 5 * per_run, per_run)).round(3), n_runs)
    if continuous:
        y = rng.normal(0, 10, n).round(4)
        pattern = rng.normal(0, 1, p)
        X = rng.normal(0, 1, (n, p)) + signal * np.outer((y - y.mean()) / y.std(), pattern)
    else:
        y = (rng.random(n) < 0.6).astype(float)
        pattern = rng.normal(0, 1, p)
        X = rng.normal(0, 1, (n, p)) + signal * np.outer(2 * y - 1, pattern)
    X = X * rng.uniform(0.5, 3, p) + rng.normal(0, 5, p) + 2.0 * groups[:, None]  # scale, offset, run shifts
    if cv == "loro":
        folds = list(LeaveOneGroupOut().split(X, y, groups))
        strata = groups
    else:
        folds, blocks = blocked_gap(onsets, k, gap)
        strata = blocks
    return {"name": name, "X": X, "y": y, "groups": groups, "onsets": onsets, "folds": folds, "strata": strata,
            "cv": "loro" if cv == "loro" else f"blocked:{k}:{gap:g}"}


cases = [
    make_case("three_runs", 3, 20, 15, 0.35),
    make_case("one_run_blocked", 1, 50, 10, 0.4, cv="blocked", k=5, gap=12.0),
    make_case("continuous_three_runs", 3, 18, 8, 0.5, continuous=True),
]
runs = [
    ("three_runs", "centroid", "balanced_accuracy", "within-run"),
    ("three_runs", "centroid", "accuracy", "train-fold"),
    ("three_runs", "svc", "balanced_accuracy", "within-run"),
    ("three_runs", "svc", "roc_auc", "within-run"),
    ("three_runs", "logreg", "balanced_accuracy", "train-fold"),
    ("three_runs", "logreg", "roc_auc", "within-run"),
    ("one_run_blocked", "centroid", "balanced_accuracy", "within-run"),
    ("one_run_blocked", "svc", "accuracy", "within-run"),
    ("continuous_three_runs", "ridge", "r2", "within-run"),
    ("continuous_three_runs", "ridge", "r2", "train-fold"),
]
N_PERM = 20
out = {"generator": "scripts/golden/permutation_golden.py", "sklearn": sklearn.__version__, "cases": [], "runs": []}
perms_of = {}
for c in cases:
    perms_of[c["name"]] = within(c["strata"], c["y"], N_PERM)
    out["cases"].append({
        "name": c["name"], "n": int(len(c["y"])), "p": int(c["X"].shape[1]), "X": c["X"].ravel().tolist(), "y": c["y"].tolist(),
        "groups": c["groups"].tolist(), "onsets": c["onsets"].tolist(), "cv": c["cv"],
        "folds": [{"train": tr.tolist(), "test": te.tolist()} for tr, te in c["folds"]],
        "strata": np.asarray(c["strata"]).tolist(), "permutations": [pp.tolist() for pp in perms_of[c["name"]]],
    })
for case_name, model, metric, scaling in runs:
    c = next(x for x in cases if x["name"] == case_name)
    if scaling == "within-run":
        Xs, est = zscore_within(c["X"], c["groups"]), MODELS[model]()
    else:
        Xs, est = c["X"], make_pipeline(StandardScaler(), MODELS[model]())
    scorer = "r2" if metric == "r2" else metric
    fold_scores = cross_val_score(est, Xs, c["y"], cv=c["folds"], scoring=scorer)
    null = [float(cross_val_score(est, Xs, yp, cv=c["folds"], scoring=scorer).mean()) for yp in perms_of[case_name]]
    score = float(fold_scores.mean())
    p = (1 + sum(v >= score for v in null)) / (1 + len(null))
    out["runs"].append({"case": case_name, "model": model, "metric": metric, "scaling": scaling,
                        "fold_scores": fold_scores.tolist(), "score": score, "null": null, "p_value": p})

with open(OUT, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(OUT), [(r["case"], r["model"], r["metric"], round(r["score"], 3), r["p_value"]) for r in out["runs"]])
