#!/usr/bin/python3
"""Golden fixture for src/core/stats and src/core/mvpa/metrics.ts (Debian /usr/bin/python3:
SciPy 1.10, statsmodels, scikit-learn 1.2; tests never run Python).

Writes tests/fixtures/golden/stats.json:
  - ttest: scipy.stats.ttest_1samp(x, popmean, alternative) for the three alternatives;
  - wilcoxon: scipy.stats.wilcoxon(x - popmean, zero_method, correction, alternative, method) on
    samples with and without ties and zeros, n below and above 50 (method 'auto' and forced);
  - signflip: scipy.stats.permutation_test((x - popmean,), mean, permutation_type='samples',
    n_resamples >= 2**n) — the exact sign-flip test;
  - fdr: statsmodels.stats.multitest.multipletests(p, method='fdr_bh') q-values and rejections;
  - cohen_d: (mean - popmean) / std(ddof=1);
  - metrics: sklearn accuracy_score, balanced_accuracy_score, roc_auc_score (with tied decision
    values), r2_score (also a constant y_true), scipy.stats.pearsonr.
"""
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score, roc_auc_score
from statsmodels.stats.multitest import multipletests

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/golden/stats.json")
rng = np.random.default_rng(424242)


def fl(a):
    return [float(v) for v in a]


samples = {
    "acc12": 0.5 + rng.normal(0.04, 0.05, 12),
    "acc25_ties": np.round(0.5 + rng.normal(0.02, 0.04, 25), 2),
    "acc8": np.array([0.55, 0.61, 0.48, 0.52, 0.58, 0.63, 0.49, 0.57]),
    "with_zeros": np.array([0.5, 0.55, 0.5, 0.62, 0.47, 0.58, 0.5, 0.53, 0.61, 0.44, 0.57]),
    "r2_60": rng.normal(0.01, 0.03, 60),
    "neg10": 0.5 + rng.normal(-0.03, 0.04, 10),
    "acc30_ties": np.round(0.5 + rng.normal(0.01, 0.05, 30), 2),
}
chance = {"acc12": 0.5, "acc25_ties": 0.5, "acc8": 0.5, "with_zeros": 0.5, "r2_60": 0.0, "neg10": 0.5, "acc30_ties": 0.5}

out = {"generator": "scripts/golden/stats_golden.py", "scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
       "sklearn": sklearn.__version__, "ttest": [], "wilcoxon": [], "signflip": [], "fdr": [], "cohen_d": [], "metrics": []}

for name, x in samples.items():
    mu = chance[name]
    for alt in ("greater", "less", "two-sided"):
        r = stats.ttest_1samp(x, mu, alternative=alt)
        out["ttest"].append({"name": name, "x": fl(x), "popmean": mu, "alternative": alt, "t": float(r.statistic), "p": float(r.pvalue)})
    out["cohen_d"].append({"name": name, "x": fl(x), "popmean": mu, "d": float((x.mean() - mu) / x.std(ddof=1))})
    for alt in ("greater", "less", "two-sided"):
        for zm in ("wilcox", "pratt", "zsplit"):
            for corr in (False, True):
                for method in ("auto", "approx"):
                    if zm != "wilcox" and method == "auto" and not np.any(x - mu == 0):
                        continue
                    try:
                        r = stats.wilcoxon(x - mu, zero_method=zm, correction=corr, alternative=alt, method=method)
                    except ValueError as e:
                        continue
                    out["wilcoxon"].append({"name": name, "x": fl(x), "popmean": mu, "alternative": alt, "zero_method": zm,
                                            "correction": corr, "method": method, "statistic": float(r.statistic), "p": float(r.pvalue)})

for name in ("acc12", "acc8", "with_zeros", "neg10"):
    x = samples[name] - chance[name]
    for alt in ("greater", "less", "two-sided"):
        r = stats.permutation_test((x,), np.mean, permutation_type="samples", n_resamples=2 ** len(x), alternative=alt, vectorized=True)
        out["signflip"].append({"name": name, "x": fl(samples[name]), "popmean": chance[name], "alternative": alt,
                                "statistic": float(r.statistic), "p": float(r.pvalue), "n_resamples": 2 ** len(x)})

for p in (
    rng.uniform(0, 1, 12),
    np.concatenate([rng.uniform(0, 0.01, 5), rng.uniform(0, 1, 15)]),
    np.array([0.01, 0.04, 0.04, 0.03, 0.2, 0.5, 0.04, 1.0, 0.0005]),
    np.array([0.001]),
):
    rej, q, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    out["fdr"].append({"p": fl(p), "q": fl(q), "reject": [bool(v) for v in rej]})

# Metrics on decision values: continuous scores, tied scores, a test fold of one class.
for n in (12, 31, 60):
    y = (rng.random(n) < 0.4).astype(int)
    y[0], y[1] = 0, 1
    dec = rng.normal(0, 1, n) + 0.8 * y
    dec_ties = np.round(dec * 2) / 2
    for name, d in (("continuous", dec), ("ties", dec_ties)):
        pred = (d > 0).astype(int)
        out["metrics"].append({"name": f"{name}{n}", "y": y.tolist(), "decision": fl(d),
                               "accuracy": float(accuracy_score(y, pred)), "balanced_accuracy": float(balanced_accuracy_score(y, pred)),
                               "roc_auc": float(roc_auc_score(y, d))})
y1 = np.ones(7, int)
d1 = rng.normal(0, 1, 7)
out["metrics"].append({"name": "one_class", "y": y1.tolist(), "decision": fl(d1), "accuracy": float(accuracy_score(y1, (d1 > 0).astype(int))),
                       "balanced_accuracy": float(balanced_accuracy_score(y1, (d1 > 0).astype(int))), "roc_auc": None})
out["regression"] = []
for n in (10, 40):
    yt = rng.normal(0, 2, n)
    yp = 0.5 * yt + rng.normal(0, 1, n)
    out["regression"].append({"name": f"reg{n}", "y": fl(yt), "pred": fl(yp), "r2": float(r2_score(yt, yp)), "pearson_r": float(stats.pearsonr(yt, yp)[0])})
yc = np.full(6, 2.5)
out["regression"].append({"name": "constant_truth", "y": fl(yc), "pred": fl(yc + rng.normal(0, 1, 6)), "r2": float(r2_score(yc, yc + 1)), "pearson_r": None})
out["regression"][-1]["pred"] = fl(yc + 1)
out["regression"].append({"name": "constant_truth_perfect", "y": fl(yc), "pred": fl(yc), "r2": float(r2_score(yc, yc)), "pearson_r": None})

with open(OUT, "w") as f:
    json.dump(out, f)
print("wrote", os.path.normpath(OUT), {k: len(v) for k, v in out.items() if isinstance(v, list)})
