#!/usr/bin/python3
"""Per-sphere scikit-learn loop on a sample of spheres (what nilearn's SearchLight does:
cross_val_score(SVC(kernel='linear'), X[:, sphere], y, cv=folds) per sphere), on the same
extract output as `ddmvpa searchlight`, with the same folds (blocked:5:12 for one run: KFold(5)
over onset order, training trials within 12 s of the test block dropped) and the same scaling
(z-scored within run in float64, rounded to float32). Prints JSON: seconds per sphere, the
extrapolation to every mask voxel, and the largest difference from the ddmvpa map on the sample.

usage: bench/searchlight_sklearn.py EXTRACT_DIR MAP.nii.gz [N_SPHERES] [RADIUS_MM]
"""
import json
import sys
import time
import warnings

import nibabel as nib
import numpy as np
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

warnings.simplefilter("ignore")
E, MAP = sys.argv[1], sys.argv[2]
NS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
R = float(sys.argv[4]) if len(sys.argv) > 4 else 6.0
mask_img = nib.load(f"{E}/brain_mask.nii.gz")
mask = np.asarray(mask_img.dataobj) != 0
A = mask_img.affine
idx = np.flatnonzero(mask.ravel(order="F"))  # NIfTI order: i fastest
dims = mask.shape
X = np.load(f"{E}/brain.npy", mmap_mode="r")
import csv
rows = list(csv.DictReader(open(f"{E}/trials.tsv"), delimiter="\t"))
keep = [i for i, r in enumerate(rows) if r["choice"] not in ("", "n/a")]
y = np.array([int(float(rows[i]["choice"])) for i in keep])
onset = np.array([float(rows[i]["onset"]) for i in keep])
n = len(keep)
# folds: blocked:5:12
order = np.argsort(onset, kind="stable")
sizes = np.full(5, n // 5); sizes[: n % 5] += 1
block = np.empty(n, int); s = 0
for b, sz in enumerate(sizes):
    block[order[s:s + sz]] = b; s += sz
folds = []
for b in range(5):
    te = np.flatnonzero(block == b)
    lo, hi = onset[te].min() - 12, onset[te].max() + 12
    tr = np.flatnonzero((block != b) & ~((onset >= lo) & (onset <= hi)))
    folds.append((tr, te))

t0 = time.perf_counter()
Xk = np.asarray(X[keep], dtype=np.float64)
m = Xk.mean(0); sd = Xk.std(0); sd[sd == 0] = 1
Z = ((Xk - m) / sd).astype(np.float32).astype(np.float64)
t_scale = time.perf_counter() - t0

ijk = np.stack(np.unravel_index(idx, dims, order="F"), 1)
mm = ijk @ A[:3, :3].T + A[:3, 3]
lut = -np.ones(np.prod(dims), int); lut[idx] = np.arange(len(idx))
rng = np.random.default_rng(0)
sample = np.sort(rng.choice(len(idx), NS, replace=False))
rad = int(np.ceil(R / np.min(np.linalg.norm(A[:3, :3], axis=0)))) + 1
offs = np.array([(i, j, k) for i in range(-rad, rad + 1) for j in range(-rad, rad + 1) for k in range(-rad, rad + 1)])
offs = offs[np.linalg.norm(offs @ A[:3, :3].T, axis=1) <= R + 1e-9]
ref = np.asarray(nib.load(MAP).dataobj).ravel(order="F")[idx[sample]]
scores, t_fit = [], 0.0
for c in sample:
    v = ijk[c] + offs
    ok = np.all((v >= 0) & (v < dims), 1)
    cols = lut[np.ravel_multi_index(v[ok].T, dims, order="F")]
    cols = np.sort(cols[cols >= 0])
    t1 = time.perf_counter()
    scores.append(cross_val_score(SVC(kernel="linear"), Z[:, cols], y, cv=folds, scoring="balanced_accuracy").mean())
    t_fit += time.perf_counter() - t1
scores = np.array(scores)
per = t_fit / NS
print(json.dumps({
    "n_spheres_sampled": NS, "n_mask_voxels": int(len(idx)), "seconds_per_sphere": per,
    "extrapolated_seconds": per * len(idx), "seconds_scale": t_scale,
    "max_abs_diff_vs_ddmvpa": float(np.max(np.abs(scores - ref))), "n_diff_gt_1e-6": int(np.sum(np.abs(scores - ref) > 1e-6)),
}))
