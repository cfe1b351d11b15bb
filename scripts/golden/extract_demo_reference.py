#!/usr/bin/python3
"""Golden trial patterns for a small demo subject, by dense least squares (NumPy).

Generates the demo (`ddmvpa demo --size small --subjects 1 --seed 7`), runs `ddmvpa extract` once
only to learn which voxels the built-in ROIs select, then computes LSS, LSA and lag patterns of
those voxels with the independent NumPy design of design_reference.py (motion6+wm+csf confounds,
missed trials as one nuisance regressor). The test regenerates the same demo in memory and
streams it through the engine.

Run from the repository root:  /usr/bin/python3 scripts/golden/extract_demo_reference.py
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import nibabel as nib
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from design_reference import build_case, lag_patterns, lsa_patterns, lss_patterns, r12, write  # noqa: E402

SEED = 7
ROIS = ['vmpfc', 'nacc_l']
CONFOUNDS = ['trans_x', 'trans_y', 'trans_z', 'rot_x', 'rot_y', 'rot_z', 'white_matter', 'csf']


def main():
    tmp = tempfile.mkdtemp(prefix='ddmvpa-golden-')
    subprocess.run(['node', 'bin/ddmvpa.mjs', 'demo', '--out', f'{tmp}/demo', '--size', 'small',
                    '--subjects', '1', '--seed', str(SEED)], check=True)
    prep = f'{tmp}/demo/derivatives/fmriprep/sub-01/func/sub-01_task-discountFix'
    bold = f'{prep}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz'
    events = f'{tmp}/demo/sub-01/func/sub-01_task-discountFix_events.tsv'
    conf = f'{prep}_desc-confounds_timeseries.tsv'
    subprocess.run(['node', 'bin/ddmvpa.mjs', 'extract', '--bold', bold, '--events', events,
                    '--confounds', conf, '--roi', *ROIS, '--out', f'{tmp}/ex'], check=True)

    img = nib.load(bold)
    data = np.asanyarray(img.dataobj)
    tr = float(img.header['pixdim'][4])
    n_frames = data.shape[3]
    flat = data.reshape(-1, n_frames, order='F')
    with open(events) as f:
        rows = list(csv.DictReader(f, delimiter='\t'))
    trials = [{'index': i, 'onset': float(r['onset']), 'duration': float(r['duration']),
               'missed': r['choice'] not in ('larger_later', 'smaller_sooner')} for i, r in enumerate(rows)]
    with open(conf) as f:
        crow = list(csv.DictReader(f, delimiter='\t'))
    confounds = [np.array([0.0 if r[c] == 'n/a' else float(r[c]) for r in crow]) for c in CONFOUNDS]
    d = build_case(trials, tr, n_frames, confounds, 0.5, 128.0)
    X, N = d['X'], d['N']

    out = {'description': 'Golden LSS/LSA/lag patterns of a small ddmvpa demo subject (scripts/golden/extract_demo_reference.py)',
           'seed': SEED, 'size': 'small', 'tr': tr, 'nVolumes': n_frames, 'rois': {}}
    for roi in ROIS:
        mask = np.asanyarray(nib.load(f'{tmp}/ex/{roi}_mask.nii.gz').dataobj) > 0
        vox = np.flatnonzero(mask.ravel(order='F'))
        Y = flat[vox].T.astype(np.float64)
        lag_rows, lag = lag_patterns(d['candidates'], N, Y, tr, 0.5, (4.0, 8.0))
        out['rois'][roi] = {
            'voxelIndices': [int(v) for v in vox],
            'lss': {'rows': d['trial_idx'], 'patterns': r12(lss_patterns(X, N, Y))},
            'lsa': {'rows': d['trial_idx'], 'patterns': r12(lsa_patterns(X, N, Y))},
            'lag': {'rows': lag_rows, 'patterns': r12(lag)},
        }
    write('tests/fixtures/golden/extract_demo_small.json', out)


if __name__ == '__main__':
    main()
