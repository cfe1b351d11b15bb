#!/usr/bin/python3
"""Golden fixture for src/core/behavior/hyperbolic.ts (run with Debian /usr/bin/python3; tests never run Python).

Writes tests/fixtures/golden/behavior_hyperbolic.json: synthetic subjects in the GENERIC events
layout (amount_sooner delay_sooner amount_later delay_later choice, 1 = later), with non-zero sooner
delays (which the real discountFix data never has), some missed trials (n/a), choices simulated
from the model, and the maximum-likelihood fit by scipy L-BFGS-B from a 6 x 6 grid of starts over
log k in [-12, 3], log beta in [-8, 5] (natural logs); also the fixed-beta (beta = 1) fit.
"""
import json
import os

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import expit

LK, LB = (-12.0, 3.0), (-8.0, 5.0)


def nll(theta, aS, dS, aL, dL, y):
    k, b = np.exp(theta[0]), np.exp(theta[1])
    z = b * (aL / (1 + k * dL) - aS / (1 + k * dS))
    return float(np.sum(np.logaddexp(0, z) - y * z))


def fit(aS, dS, aL, dL, y, fixed_beta=None):
    best = None
    if fixed_beta is None:
        starts = [(u, v) for u in np.linspace(*LK, 6) for v in np.linspace(*LB, 6)]
        for s in starts:
            r = minimize(nll, s, args=(aS, dS, aL, dL, y), method="L-BFGS-B", bounds=[LK, LB],
                         options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
            if best is None or r.fun < best.fun:
                best = r
        return {"log_k": float(best.x[0]), "log_beta": float(best.x[1]), "nll": float(best.fun)}
    lb = np.log(fixed_beta)
    f1 = lambda t: nll([t[0], lb], aS, dS, aL, dL, y)
    for s in np.linspace(*LK, 16):
        r = minimize(f1, [s], method="L-BFGS-B", bounds=[LK], options={"ftol": 1e-15, "gtol": 1e-10})
        if best is None or r.fun < best.fun:
            best = r
    return {"log_k": float(best.x[0]), "log_beta": float(lb), "nll": float(best.fun)}


rng = np.random.default_rng(7)
subjects = []
for sid, (log_k, log_beta) in enumerate([(-4.0, -1.0), (-2.5, -0.5), (-5.0, -0.7), (-3.2, -1.8)]):
    n = 90
    aS = np.round(rng.uniform(10, 40, n), 2)
    dS = rng.choice([0, 0, 7, 14, 30], n).astype(float)
    aL = np.round(aS * rng.uniform(1.1, 3.0, n), 2)
    dL = dS + rng.choice([7, 14, 30, 60, 90, 180], n)
    k, b = np.exp(log_k), np.exp(log_beta)
    p = expit(b * (aL / (1 + k * dL) - aS / (1 + k * dS)))
    y = (rng.uniform(size=n) < p).astype(float)
    missed = rng.uniform(size=n) < 0.05
    onset = np.round(np.cumsum(rng.uniform(4, 9, n)), 3)
    lines = ["onset\tduration\tamount_sooner\tdelay_sooner\tamount_later\tdelay_later\tchoice\tresponse_time"]
    for i in range(n):
        ch = "n/a" if missed[i] else str(int(y[i]))
        rt = "n/a" if missed[i] else "%.3f" % rng.uniform(0.5, 3)
        lines.append(f"{onset[i]}\t3.0\t{aS[i]}\t{dS[i]:g}\t{aL[i]}\t{dL[i]:g}\t{ch}\t{rt}")
    v = ~missed
    subjects.append({
        "id": f"gen{sid}",
        "true": {"log_k": log_k, "log_beta": log_beta},
        "tsv": "\n".join(lines) + "\n",
        "n_valid": int(v.sum()), "n_ll": int(y[v].sum()),
        "fit": fit(aS[v], dS[v], aL[v], dL[v], y[v]),
        "fit_fixed_beta_1": fit(aS[v], dS[v], aL[v], dL[v], y[v], fixed_beta=1.0),
    })

out = {"generator": "scripts/golden/behavior_hyperbolic.py (numpy %s, scipy %s)" % (np.__version__, scipy.__version__),
       "subjects": subjects}
path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "golden", "behavior_hyperbolic.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
for s in subjects:
    print(s["id"], s["true"], s["fit"], s["fit_fixed_beta_1"], s["n_valid"], s["n_ll"])
