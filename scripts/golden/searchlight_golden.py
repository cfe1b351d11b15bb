#!/usr/bin/python3
"""Golden fixture for src/core/searchlight (tests/unit/searchlight/searchlight.test.ts; tests never
run Python): a brute-force searchlight, scikit-learn cross_val_score per sphere.

Grid 8 x 8 x 6, affine diag(-3, 3, 3.5) (LAS, anisotropic) + a shift; a blob mask of ~200 voxels;
n = 60 samples in 3 runs; float32 patterns with choice information planted near one voxel.
Per mask voxel: the sphere = mask voxels whose world (mm) distance to the centre is <= r
(nilearn's SearchLight ball), X_s = the patterns z-scored within each run (StandardScaler per run
in float64, rounded to float32 as ddmvpa stores them), and
cross_val_score(SVC(kernel='linear'), X_s, y, cv=folds, scoring=...).mean() with the given folds
(LeaveOneGroupOut by run; KFold(5) without shuffle for the one-run case).
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, LeaveOneGroupOut, cross_val_score
from sklearn.svm import SVC

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(__file__), "../../tests/fixtures/golden/searchlight.json")
rng = np.random.default_rng(2024)
dims = (8, 8, 6)
affine = np.array([[-3.0, 0, 0, 12], [0, 3.0, 0, -10], [0, 0, 3.5, 4], [0, 0, 0, 1]])
ii, jj, kk = np.meshgrid(np.arange(8), np.arange(8), np.arange(6), indexing="ij")
blob = ((ii - 3.5) / 4.2) ** 2 + ((jj - 3.5) / 4.0) ** 2 + ((kk - 2.5) / 3.2) ** 2 <= 1.0
# NIfTI linear order: i fastest
lin = (ii + 8 * (jj + 8 * kk))
mask_idx = np.sort(lin[blob])
V = len(mask_idx)
coords_ijk = np.stack([mask_idx % 8, (mask_idx // 8) % 8, mask_idx // 64], 1)
mm = (affine[:3, :3] @ coords_ijk.T).T + affine[:3, 3]

n, R = 60, 3
run = np.repeat(np.arange(R), n // R)
y = np.array([rng.permutation([0] * 10 + [1] * 10) for _ in range(R)]).ravel()
sv = np.round(rng.normal(0, 3, n), 3)
X = rng.normal(0, 1, (n, V))
centre = np.argmin(np.sum((coords_ijk - [3, 4, 2]) ** 2, 1))
d = np.linalg.norm(mm - mm[centre], axis=1)
w = np.clip(1 - d / 9.0, 0, None)
X += np.outer(y - 0.5, w * 1.6) + np.outer(sv / 3, (d < 7) * 0.8)
X += rng.normal(0, 0.3, (n, 1)) + run[:, None] * 0.5  # run offsets (z-scoring removes them)
X = X.astype(np.float32)


def zscore_within(X, groups):
    Z = np.empty(X.shape, np.float64)
    for g in np.unique(groups):
        r = groups == g
        Xg = X[r].astype(np.float64)
        m = Xg.mean(0)
        s = Xg.std(0)
        s[s == 0] = 1
        Z[r] = (Xg - m) / s
    return Z.astype(np.float32).astype(np.float64)


def spheres(radius):
    D = np.linalg.norm(mm[:, None, :] - mm[None, :, :], axis=2)
    return [np.nonzero(D[c] <= radius + 1e-9)[0] for c in range(V)]


cases = []
for name, groups, folds, target, model, scoring, radius in [
    ("loro svc choice r6", run, list(LeaveOneGroupOut().split(X, y, run)), y, "svc", "balanced_accuracy", 6.0),
    ("one run kfold5 svc choice r5", np.zeros(n, int), list(KFold(5).split(X)), y, "svc", "accuracy", 5.0),
    ("loro ridge sv_diff r6", run, list(LeaveOneGroupOut().split(X, y, run)), sv, "ridge", "r2", 6.0),
]:
    Z = zscore_within(X, groups)
    est = SVC(kernel="linear") if model == "svc" else Ridge()
    sph = spheres(radius)
    scores = [float(cross_val_score(est, Z[:, s], target, cv=folds, scoring=scoring).mean()) for s in sph]
    cases.append({
        "name": name, "groups": groups.tolist(), "target": target.tolist(), "model": model, "metric": scoring,
        "radius": radius, "folds": [{"train": tr.tolist(), "test": te.tolist()} for tr, te in folds],
        "scores": scores, "sphere_sizes": [len(s) for s in sph],
    })
    print(name, "V", V, "mean", np.mean(scores), "max", np.max(scores), "mean sphere", np.mean([len(s) for s in sph]))

with open(OUT, "w") as f:
    json.dump({"sklearn": sklearn.__version__, "dims": dims, "affine": affine.tolist(), "mask_indices": mask_idx.tolist(),
               "n": n, "X": X.ravel().tolist(), "cases": cases}, f)
print("wrote", OUT)
