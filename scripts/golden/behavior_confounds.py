#!/usr/bin/python3
"""Golden fixture for src/core/bids/confounds.ts (run with Debian /usr/bin/python3; tests never run Python).

Writes tests/fixtures/golden/behavior_confounds.json: two small synthetic fMRIPrep-style confounds
TSVs (one with only base columns, one with fMRIPrep's own _derivative1/_power2 columns) and the
expected regressors of every preset, computed with pandas the way fMRIPrep defines them:
derivative1 = backward difference (first row n/a -> 0), power2 = square.
"""
import io
import json
import os

import numpy as np
import pandas as pd

rng = np.random.default_rng(20240611)
T = 12
motion = ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z"]
base = {}
for m in motion:
    scale = 0.05 if m.startswith("trans") else 0.0008
    base[m] = np.round(np.cumsum(rng.normal(0, scale, T)), 6)
wm = np.round(500 + rng.normal(0, 3, T), 4)
csf = np.round(800 + rng.normal(0, 5, T), 4)
# Power FD from the rounded motion (50 mm head radius), first row n/a as fMRIPrep writes it.
dm = pd.DataFrame(base).diff().abs()
fd = dm[motion[:3]].sum(axis=1) + 50 * dm[motion[3:]].sum(axis=1)
fd = fd.round(6)
fd.iloc[3] = 0.9  # one clear spike above 0.5 mm
fd.iloc[7] = 0.55  # another
fd.iloc[0] = np.nan

minimal = pd.DataFrame({"global_signal": np.round(600 + rng.normal(0, 2, T), 4), "csf": csf, "white_matter": wm,
                        "framewise_displacement": fd, **base})

full = minimal.copy()
for m in motion:
    d = full[m].diff().round(6)
    full[f"{m}_derivative1"] = d
    full[f"{m}_power2"] = (full[m] ** 2).round(8)
    full[f"{m}_derivative1_power2"] = (d ** 2).round(8)


def to_tsv(df):
    buf = io.StringIO()
    df.to_csv(buf, sep="\t", index=False, na_rep="n/a", float_format="%.8g")
    return buf.getvalue()


def expected(df_text, preset, spike):
    df = pd.read_csv(io.StringIO(df_text), sep="\t", na_values="n/a")
    names, cols = [], []
    if preset != "none":
        for m in motion:
            names.append(m); cols.append(df[m].fillna(0))
        if preset.startswith("motion24"):
            der = {m: (df[f"{m}_derivative1"] if f"{m}_derivative1" in df else df[m].diff()).fillna(0) for m in motion}
            for m in motion:
                names.append(f"{m}_derivative1"); cols.append(der[m])
            for m in motion:
                names.append(f"{m}_power2"); cols.append((df[f"{m}_power2"] if f"{m}_power2" in df else df[m] ** 2).fillna(0))
            for m in motion:
                c = f"{m}_derivative1_power2"
                names.append(c); cols.append((df[c] if c in df else der[m] ** 2).fillna(0))
        if preset.endswith("+wm+csf"):
            names += ["white_matter", "csf"]; cols += [df["white_matter"], df["csf"]]
    if spike is not None:
        f = df["framewise_displacement"].fillna(0).to_numpy()
        for i in np.nonzero(f > spike)[0]:
            c = np.zeros(len(f)); c[i] = 1
            names.append(f"spike_{i:03d}"); cols.append(pd.Series(c))
    return {"names": names, "columns": [[float(v) for v in c] for c in cols]}


tsvs = {"minimal": to_tsv(minimal), "full": to_tsv(full)}
presets = ["none", "motion6", "motion24", "motion6+wm+csf", "motion24+wm+csf"]
out = {
    "generator": "scripts/golden/behavior_confounds.py (numpy %s, pandas %s)" % (np.__version__, pd.__version__),
    "n_volumes": T,
    "tsv": tsvs,
    "cases": [
        {"tsv": k, "preset": p, "spikeFd": s, "expected": expected(tsvs[k], p, s)}
        for k in tsvs for p in presets for s in (None, 0.5)
    ],
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "golden", "behavior_confounds.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path), len(out["cases"]), "cases")
