#!/usr/bin/python3
"""Golden fixtures for src/core/design (HRF, drift, regressors, LSS/LSA/lag patterns).

An independent NumPy/SciPy reference: the HRF with scipy.stats.gamma exactly as nilearn's
`_gamma_difference_hrf`, the cosine drift as nilearn's `create_cosine_drift`, the event
regressors by an explicit high-resolution boxcar + numpy.convolve + numpy.interp, and the
trial patterns by DENSE least squares (numpy.linalg.lstsq on each full model).

Conventions shared with the TypeScript (documented in src/core/design/regressors.ts and
projection.ts):
  frame times t_k = (k + slice_time_ref) * TR; grid dt = TR/16, grid point j at (j - P) dt with
  P = len(hrf); boxcar on grid points with onset <= g < onset + duration (1e-6 dt tie
  tolerance), at least one point; scan end = T * TR; trials with onset >= scan end are not
  modelled; trials whose sampled regressor is all zero are not modelled (lss/lsa); missed trials
  form one summed nuisance regressor; nuisance = [cosine drift, constant, confounds, missed];
  lag window [onset + a, onset + b] on frame times, +-1e-9 s.

Writes tests/fixtures/golden/design_haxby_run1.json and design_synthetic.json.
Run from the repository root:  /usr/bin/python3 scripts/golden/design_reference.py
"""
import json
import os

import nibabel as nib
import numpy as np
from scipy.stats import gamma

OVERSAMPLING = 16
HAXBY = '/work/shared/data/fmri/pymvpa_haxby2001'
OUT = 'tests/fixtures/golden'


# --------------------------------------------------------------------------- design pieces
def gamma_difference_hrf(tr, oversampling=OVERSAMPLING, time_length=32.0, onset=0.0, delay=6,
                         undershoot=16.0, dispersion=1.0, u_dispersion=1.0, ratio=1 / 6):
    """nilearn.glm.first_level.hemodynamic_models._gamma_difference_hrf (ratio default 1/6)."""
    dt = tr / oversampling
    time_stamps = np.linspace(0, time_length, np.rint(float(time_length) / dt).astype(int))
    time_stamps -= onset
    peak_gamma = gamma.pdf(time_stamps, delay / dispersion, loc=dt, scale=dispersion)
    undershoot_gamma = gamma.pdf(time_stamps, undershoot / u_dispersion, loc=dt, scale=u_dispersion)
    hrf = peak_gamma - ratio * undershoot_gamma
    hrf /= hrf.sum()
    return hrf


def cosine_drift(n_frames, tr, high_pass_s, slice_time_ref=0.5):
    """nilearn create_cosine_drift(high_pass=1/high_pass_s, frame_times); constant last."""
    high_pass = 1.0 / high_pass_s
    frame_times = (np.arange(n_frames) + slice_time_ref) * tr
    n_times = np.arange(n_frames)
    dt = (frame_times[-1] - frame_times[0]) / (n_frames - 1)
    order = np.minimum(n_frames - 1, int(np.floor(2 * n_frames * high_pass * dt)))
    cosine = np.zeros((n_frames, order + 1))
    normalizer = np.sqrt(2.0 / n_frames)
    for k in range(1, order + 1):
        cosine[:, k - 1] = normalizer * np.cos((np.pi / n_frames) * (n_times + 0.5) * k)
    cosine[:, -1] = 1.0
    return cosine


def event_regressor(events, tr, n_frames, slice_time_ref, hrf):
    """Boxcars on the TR/16 grid, numpy.convolve with the HRF, numpy.interp at frame times."""
    dt = tr / OVERSAMPLING
    pad = len(hrf)
    n_grid = int(np.floor(pad + OVERSAMPLING * (n_frames - 1 + slice_time_ref))) + 2
    grid_t = (np.arange(n_grid) - pad) * dt
    box = np.zeros(n_grid)
    for onset, duration in events:
        start = int(np.ceil(onset / dt + pad - 1e-6))
        stop = int(np.ceil((onset + duration) / dt + pad - 1e-6))
        if stop <= start:
            stop = start + 1
        box[max(start, 0):min(stop, n_grid)] += 1.0
    conv = np.convolve(box, hrf)[:n_grid]
    frame_times = (np.arange(n_frames) + slice_time_ref) * tr
    return np.interp(frame_times, grid_t, conv)


def build_case(trials, tr, n_frames, confounds, slice_time_ref, high_pass_s):
    hrf = gamma_difference_hrf(tr)
    scan_end = n_frames * tr
    trial_idx, cols, candidates, missed = [], [], [], []
    for t in trials:
        if t['onset'] >= scan_end:
            continue
        if t['missed']:
            missed.append((t['onset'], t['duration']))
            continue
        candidates.append(t)
        x = event_regressor([(t['onset'], t['duration'])], tr, n_frames, slice_time_ref, hrf)
        if np.all(x == 0):
            continue
        trial_idx.append(t['index'])
        cols.append(x)
    X = np.column_stack(cols)
    drift = cosine_drift(n_frames, tr, high_pass_s, slice_time_ref)
    nuis = [drift] + ([np.column_stack(confounds)] if len(confounds) else [])
    missed_reg = None
    if missed:
        missed_reg = event_regressor(missed, tr, n_frames, slice_time_ref, hrf)
        if np.all(missed_reg == 0):
            missed_reg = None
        else:
            nuis.append(missed_reg[:, None])
    N = np.hstack(nuis)
    return dict(hrf=hrf, X=X, trial_idx=trial_idx, candidates=candidates, drift=drift, N=N,
                missed_reg=missed_reg)


# --------------------------------------------------------------------------- dense estimators
def lsa_patterns(X, N, Y):
    beta = np.linalg.lstsq(np.hstack([X, N]), Y, rcond=None)[0]
    return beta[:X.shape[1]]


def lss_patterns(X, N, Y):
    n = X.shape[1]
    out = np.zeros((n, Y.shape[1]))
    total = X.sum(axis=1)
    for i in range(n):
        parts = [X[:, [i]]]
        if n > 1:
            parts.append((total - X[:, i])[:, None])
        parts.append(N)
        out[i] = np.linalg.lstsq(np.hstack(parts), Y, rcond=None)[0][0]
    return out


def lag_patterns(candidates, N, Y, tr, slice_time_ref, window):
    resid = Y - N @ np.linalg.lstsq(N, Y, rcond=None)[0]
    frame_times = (np.arange(Y.shape[0]) + slice_time_ref) * tr
    rows, pats = [], []
    for t in candidates:
        sel = (frame_times >= t['onset'] + window[0] - 1e-9) & (frame_times <= t['onset'] + window[1] + 1e-9)
        if not sel.any():
            continue
        rows.append(t['index'])
        pats.append(resid[sel].mean(axis=0))
    return rows, np.array(pats)


# --------------------------------------------------------------------------- output helpers
def r12(a):
    return [float('%.12g' % v) for v in np.asarray(a, dtype=np.float64).ravel()]


def full(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def case_record(name, trials, tr, n_frames, confounds, slice_time_ref, high_pass_s, window, Y,
                extra=None):
    d = build_case(trials, tr, n_frames, confounds, slice_time_ref, high_pass_s)
    X, N = d['X'], d['N']
    lag_rows, lag = lag_patterns(d['candidates'], N, Y, tr, slice_time_ref, window)
    rec = {
        'name': name,
        'tr': tr,
        'nVolumes': n_frames,
        'sliceTimeRef': slice_time_ref,
        'highPassS': high_pass_s,
        'lagWindowS': list(window),
        'trials': trials,
        'confounds': [full(c) for c in confounds],
        'nVoxels': int(Y.shape[1]),
        'hrf': full(d['hrf']),
        'drift': [full(c) for c in d['drift'].T],
        'regressors': {'trialIndex': d['trial_idx'], 'columns': [full(c) for c in X.T]},
        'missedRegressor': None if d['missed_reg'] is None else full(d['missed_reg']),
        'nuisanceColumns': int(N.shape[1]),
        'nuisanceRank': int(np.linalg.matrix_rank(N)),
        'expected': {
            'lsa': {'rows': d['trial_idx'], 'patterns': r12(lsa_patterns(X, N, Y))},
            'lss': {'rows': d['trial_idx'], 'patterns': r12(lss_patterns(X, N, Y))},
            'lag': {'rows': lag_rows, 'patterns': r12(lag)},
        },
    }
    if extra:
        rec.update(extra)
    return rec


def write(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    print('wrote', path, os.path.getsize(path), 'bytes')


# --------------------------------------------------------------------------- (a) Haxby run 1
def haxby():
    run = os.path.join(HAXBY, 'haxby2001/sub001/BOLD/task001_run001')
    img = nib.load(os.path.join(run, 'bold_1slice.nii.gz'))
    mask_img = nib.load(os.path.join(HAXBY, 'mask.nii.gz'))
    data = np.asanyarray(img.dataobj)  # int16, no scl scaling in this file
    assert img.header.get_data_dtype() == np.int16
    assert not np.isfinite(img.header['scl_slope']) or img.header['scl_slope'] in (0, 1)
    tr = float(img.header['pixdim'][4])
    mask = np.asanyarray(mask_img.dataobj) > 0
    dims = data.shape[:3]
    n_frames = data.shape[3]
    # NIfTI linear order: x fastest (Fortran order over (x, y, z)); numpy's data[mask] would be
    # C order (z fastest) instead. We store voxels sorted by their NIfTI linear index.
    vox = np.flatnonzero(mask.ravel(order='F'))
    Y = data.reshape(-1, n_frames, order='F')[vox].T.astype(np.float64)  # T x V
    events = np.genfromtxt(os.path.join(run, 'bold_events.tsv'), delimiter='\t', names=True,
                           dtype=None, encoding='utf-8')
    trials = [{'index': i, 'onset': float(e['onset']), 'duration': float(e['duration']),
               'missed': False, 'trialType': str(e['trial_type'])} for i, e in enumerate(events)]
    moest = np.loadtxt(os.path.join(run, 'bold_moest.txt'))
    assert moest.shape == (n_frames, 6)
    confounds = [moest[:, j] for j in range(6)]
    rec = case_record('haxby_sub001_run001', trials, tr, n_frames, confounds, 0.5, 128.0, (4.0, 8.0), Y,
                      extra={'source': 'pymvpa_haxby2001/haxby2001/sub001/BOLD/task001_run001/bold_1slice.nii.gz',
                             'mask': 'pymvpa_haxby2001/mask.nii.gz',
                             'dims': [int(v) for v in dims],
                             'voxelOrder': 'NIfTI linear index x + nx*(y + ny*z), ascending',
                             'voxelIndices': [int(v) for v in vox],
                             'bold': [int(v) for v in Y.ravel()]})  # T x V row-major, int16 values
    write(os.path.join(OUT, 'design_haxby_run1.json'), {
        'description': 'Golden LSS/LSA/lag patterns for Haxby sub001 run 1 (scripts/golden/design_reference.py)',
        'cases': [rec]})


# --------------------------------------------------------------------------- (b) synthetic
def synthetic():
    rng = np.random.default_rng(20240611)
    tr, n_frames = 2.0, 80
    spec = [(-3.0, 4.0, False), (6.3, 2.0, False), (14.1, 0.0, False), (21.7, 3.0, True),
            (30.2, 1.5, False), (38.9, 2.5, False), (47.0, 2.0, False), (55.55, 3.2, True),
            (63.4, 1.0, False), (72.8, 2.0, False), (81.25, 4.0, False), (90.6, 2.0, False),
            (99.9, 0.5, False), (108.3, 2.0, False), (117.7, 3.0, False), (126.1, 2.0, False),
            (134.4, 1.0, False), (143.0, 2.0, False), (150.5, 20.0, False), (165.0, 2.0, False),
            (159.5, 0.5, False)]
    trials = [{'index': i, 'onset': o, 'duration': d, 'missed': m} for i, (o, d, m) in enumerate(spec)]
    conf = [rng.standard_normal(n_frames) for _ in range(6)]
    # voxel data: trial responses + confound and drift contamination + noise, stored as f32
    V = 40
    hrf = gamma_difference_hrf(tr)
    Xall = np.column_stack([event_regressor([(t['onset'], t['duration'])], tr, n_frames, 0.5, hrf)
                            for t in trials])
    Y = (Xall @ rng.normal(1.0, 2.0, (len(trials), V))
         + np.column_stack(conf) @ rng.normal(0, 0.5, (6, V))
         + np.linspace(-1, 1, n_frames)[:, None] * rng.normal(0, 3, V)
         + 100.0 + rng.standard_normal((n_frames, V)))
    Y = Y.astype(np.float32).astype(np.float64)
    bold = [float(v) for v in Y.ravel()]
    cases = []
    cases.append(case_record('default', trials, tr, n_frames, conf, 0.5, 128.0, (4.0, 8.0), Y))
    cases.append(case_record('slice_ref_0.3_hp64_lag3to9', trials, tr, n_frames, conf, 0.3, 64.0, (3.0, 9.0), Y))
    rank_def = conf + [np.full(n_frames, 5.0), 2.0 * conf[0], np.zeros(n_frames)]
    cases.append(case_record('rank_deficient_confounds', trials, tr, n_frames, rank_def, 0.5, 128.0, (4.0, 8.0), Y))
    hrf_checks = []
    for t in (0.68, 0.8, 1.0, 2.0, 2.5, 3.0):
        hrf_checks.append({'tr': t, 'ratio': 1 / 6, 'hrf': full(gamma_difference_hrf(t))})
        hrf_checks.append({'tr': t, 'ratio': 0.167, 'hrf': full(gamma_difference_hrf(t, ratio=0.167))})
    drift_checks = []
    for n, t, hp in ((300, 0.68, 128.0), (121, 2.5, 128.0), (6, 64.0, 128.0), (50, 2.0, 40.0)):
        drift_checks.append({'nVolumes': n, 'tr': t, 'highPassS': hp,
                             'columns': [full(c) for c in cosine_drift(n, t, hp).T]})
    write(os.path.join(OUT, 'design_synthetic.json'), {
        'description': 'Golden design pieces and LSS/LSA/lag patterns on synthetic runs (scripts/golden/design_reference.py)',
        'hrfChecks': hrf_checks,
        'driftChecks': drift_checks,
        'bold': bold,  # shared by every case: T x V row-major, float32 values
        'cases': cases})


if __name__ == '__main__':
    haxby()
    synthetic()
