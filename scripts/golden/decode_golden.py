#!/usr/bin/python3
"""Golden fixture for src/core/mvpa/dataset.ts + decode.ts end to end (Debian /usr/bin/python3,
scikit-learn 1.2, SciPy 1.10; tests never run Python).

Writes tests/fixtures/golden/decode.json: a trial table as `ddmvpa extract` writes it (trial, onset,
duration, sv_diff, choice with n/a for missed trials, plus a run column and a text label column)
and a float32 pattern matrix; then, on the rows whose target is not n/a, scikit-learn's fold scores
for several (target, model, metric, scaling, cv): X z-scored within runs by StandardScaler (or the
pipeline StandardScaler -> model for 'train-fold'), folds LeaveOneGroupOut or KFold(K) over the
samples in onset order (blocked:K:0); pearson_r by scipy.stats.pearsonr of cross_val_predict per fold.
"""
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/golden/decode.json")
rng = np.random.default_rng(31337)

n_runs, per_run, p = 3, 24, 12
n = n_runs * per_run
run = np.repeat([1, 2, 3], per_run)
onset = np.concatenate([np.sort(rng.uniform(3, 600, per_run)).round(3) for _ in range(n_runs)])
choice = (rng.random(n) < 0.65).astype(float)
sv_diff = (rng.normal(0, 8, n) + 4 * choice).round(5)
missed = rng.choice(n, 6, replace=False)
label = np.where(choice == 1, "larger_later", "smaller_sooner").astype(object)
pat_c, pat_v = rng.normal(0, 1, p), rng.normal(0, 1, p)
X = (rng.normal(0, 1, (n, p)) + 0.4 * np.outer(2 * choice - 1, pat_c) + 0.05 * np.outer(sv_diff, pat_v)) * rng.uniform(1, 50, p) + 100
X = X.astype(np.float32)
choice_cell = [("n/a" if i in missed else str(int(choice[i]))) for i in range(n)]
label_cell = [("n/a" if i in missed else label[i]) for i in range(n)]
sv_cell = [repr(float(v)) for v in sv_diff]
header = ["trial", "onset", "duration", "sv_diff", "choice", "label", "run"]
rows = ["\t".join([str(i), repr(float(onset[i])), "4", sv_cell[i], choice_cell[i], label_cell[i], str(run[i])]) for i in range(n)]
tsv = "\t".join(header) + "\n" + "\n".join(rows) + "\n"

MODELS = {"svc": lambda: SVC(kernel="linear"), "logreg": lambda: LogisticRegression(), "ridge": lambda: Ridge()}


def zscore_within(X, groups):
    Xz = np.empty(X.shape, dtype=np.float64)
    for g in np.unique(groups):
        m = groups == g
        Xz[m] = StandardScaler().fit_transform(X[m].astype(np.float64))
    return Xz


def run_case(target, model, metric, scaling, cv, groups_col="run"):
    if target in ("choice", "label"):
        keep = np.array([i not in missed for i in range(n)])
        y = choice[keep]
    else:
        keep = np.ones(n, bool)
        y = sv_diff
    Xk = X[keep].astype(np.float64)
    g = run[keep] if groups_col else np.ones(keep.sum(), int)
    if cv == "loro":
        folds = list(LeaveOneGroupOut().split(Xk, y, g))
    else:
        k = int(cv.split(":")[1])
        order = np.lexsort((onset[keep], g))  # (run, onset) order
        folds = [(np.sort(order[tr]), np.sort(order[te])) for tr, te in KFold(k).split(Xk)]
    if scaling == "within-run":
        Xs, est = zscore_within(Xk, g), MODELS[model]()
    else:
        Xs, est = Xk, make_pipeline(StandardScaler(), MODELS[model]())
    if metric == "pearson_r":
        scores = []
        for tr, te in folds:
            e = sklearn.base.clone(est).fit(Xs[tr], y[tr])
            scores.append(float(stats.pearsonr(y[te], e.predict(Xs[te]))[0]))
    else:
        scores = cross_val_score(est, Xs, y, cv=folds, scoring=metric).tolist()
    return {"target": target, "model": model, "metric": metric, "scaling": scaling, "cv": cv, "groups": groups_col,
            "n_samples": int(keep.sum()), "n_dropped": int((~keep).sum()), "fold_scores": scores, "score": float(np.mean(scores)),
            "folds": [{"train": tr.tolist(), "test": te.tolist()} for tr, te in folds]}


cases = [
    run_case("choice", "svc", "balanced_accuracy", "within-run", "loro"),
    run_case("choice", "svc", "accuracy", "train-fold", "loro"),
    run_case("label", "logreg", "roc_auc", "within-run", "loro"),
    run_case("choice", "logreg", "balanced_accuracy", "within-run", "blocked:4:0", groups_col=None),
    run_case("sv_diff", "ridge", "r2", "within-run", "loro"),
    run_case("sv_diff", "ridge", "pearson_r", "train-fold", "loro"),
    run_case("sv_diff", "ridge", "r2", "within-run", "blocked:5:0", groups_col=None),
]
out = {"generator": "scripts/golden/decode_golden.py", "sklearn": sklearn.__version__, "scipy": scipy.__version__,
       "n": n, "p": p, "X": X.ravel().tolist(), "tsv": tsv, "cases": cases}
with open(OUT, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(OUT), [(c["target"], c["model"], c["metric"], c["cv"], round(c["score"], 3)) for c in cases])
