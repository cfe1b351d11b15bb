#!/usr/bin/python3
"""Golden fixture for src/core/geometry (tests/unit/geometry/geometry.test.ts; tests never run Python).

Fixed data: n = 40 trials x p = 25 voxels (float64 written with repr precision), choice 0/1,
sv_diff, later_delay, run (4 runs). References: scipy.spatial.distance.pdist(X, 'correlation'),
scipy.stats.spearmanr of the upper triangles against model RDMs (choice: 0/1 different;
sv_diff, later_delay: |a - b|), sklearn PCA().explained_variance_ratio_ and participation ratio,
classical MDS by numpy.linalg.eigh of the double-centred squared distances (top 2, each axis
signed so that its largest-|.| coordinate is positive), crossnobis without noise normalisation
(mean over ordered run pairs a != b of (m_i^a - m_j^a).(m_i^b - m_j^b) / p), and the
between/within distance ratio.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy import stats
from scipy.spatial.distance import pdist, squareform
from sklearn.decomposition import PCA

OUT = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/golden/geometry.json")
rng = np.random.default_rng(777)
n, p, R = 40, 25, 4
run = np.repeat(np.arange(R), n // R)
choice = rng.integers(0, 2, n)
sv_diff = np.round(rng.normal(0, 5, n), 3)
later_delay = rng.choice([7, 14, 30, 60, 90, 180], n).astype(float)
signal = rng.normal(0, 1, p)
latent = rng.normal(0, 1, (3, p))
X = rng.normal(0, 1, (n, p)) + np.outer(choice - 0.5, signal) + np.outer(sv_diff / 5, latent[0]) + 0.3 * np.outer(rng.normal(0, 1, n), latent[1])

D = squareform(pdist(X, "correlation"))
iu = np.triu_indices(n, 1)


def model(v, kind):
    v = np.asarray(v, float)
    return (v[:, None] != v[None, :]).astype(float) if kind == "categorical" else np.abs(v[:, None] - v[None, :])


rsa = {}
for name, v, kind in [("choice", choice, "categorical"), ("sv_diff", sv_diff, "absdiff"), ("later_delay", later_delay, "absdiff")]:
    rsa[name] = {"kind": kind, "rho": float(stats.spearmanr(D[iu], model(v, kind)[iu]).correlation)}

pca = PCA().fit(X)
ev = pca.explained_variance_
pr = float(ev.sum() ** 2 / (ev ** 2).sum())

D2 = D ** 2
J = np.eye(n) - np.ones((n, n)) / n
B = -0.5 * J @ D2 @ J
w, V = np.linalg.eigh(B)
order = np.argsort(w)[::-1]
w, V = w[order], V[:, order]
coords = V[:, :2] * np.sqrt(np.maximum(w[:2], 0))
for c in range(2):
    k = np.argmax(np.abs(coords[:, c]))
    if coords[k, c] < 0:
        coords[:, c] *= -1

# crossnobis over choice conditions across runs
conds = np.unique(choice)
M = {(c, r): X[(choice == c) & (run == r)].mean(0) for c in conds for r in range(R) if np.any((choice == c) & (run == r))}
cn = np.zeros((len(conds), len(conds)))
for a_i, c1 in enumerate(conds):
    for b_i, c2 in enumerate(conds):
        if a_i == b_i:
            continue
        s, k = 0.0, 0
        for ra in range(R):
            for rb in range(R):
                if ra == rb or (c1, ra) not in M or (c2, ra) not in M or (c1, rb) not in M or (c2, rb) not in M:
                    continue
                s += (M[(c1, ra)] - M[(c2, ra)]) @ (M[(c1, rb)] - M[(c2, rb)])
                k += 1
        cn[a_i, b_i] = s / k / p

same = choice[:, None] == choice[None, :]
within = D[iu][same[iu]].mean()
between = D[iu][~same[iu]].mean()

out = {
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
    "n": n, "p": p, "X": [repr(float(v)) for v in X.ravel()], "run": run.tolist(), "choice": choice.tolist(),
    "sv_diff": sv_diff.tolist(), "later_delay": later_delay.tolist(),
    "rdm_upper": D[iu].tolist(), "rsa": rsa,
    "pca_explained_variance_ratio": pca.explained_variance_ratio_.tolist(), "pca_explained_variance": ev.tolist(),
    "participation_ratio": pr, "mds_coords": coords.ravel().tolist(), "mds_eigenvalues": w.tolist(),
    "crossnobis": cn.ravel().tolist(), "within": float(within), "between": float(between), "ratio": float(between / within),
}
with open(OUT, "w") as f:
    json.dump(out, f)
print("wrote", OUT)
