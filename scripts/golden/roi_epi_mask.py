#!/usr/bin/python3
"""Golden fixture for src/core/roi/epi-mask.ts: tests/fixtures/golden/roi_epi_mask.json.

nilearn is not installed here, so this re-implements nilearn.masking.compute_epi_mask with
numpy + scipy.ndimage exactly as nilearn does (nilearn/masking.py compute_epi_mask and
_post_process_mask, nilearn/image/image.py _compute_mean(smooth=1) and smooth_array,
nilearn/_utils/ndimage.py largest_connected_component):

  mean over time (float64) -> if opening: smooth_array(mean, affine=eye(4), fwhm=1)
  (gaussian_filter1d along axes 0, 1, 2; NaN -> 0 for the filter and back to NaN after)
  -> non-finite -> 0 -> sorted values, lower=floor(0.2 n), upper=min(floor(0.85 n), n-1),
  first argmax of the consecutive differences -> threshold = midpoint of that gap
  -> mask = mean >= threshold -> binary_erosion(iterations=opening)
  -> largest connected component (ndimage.label, 6-connectivity)
  -> binary_dilation(iterations=2*opening) -> binary_erosion(iterations=opening).

Cases:
  haxby25: mean of the first 20 volumes of the Haxby 2001 sub001 run 1 25-mm whole-brain BOLD
           (tests/fixtures/haxby/.../bold_25mm.nii.gz), plus overlap with masks/25mm/brain.nii.gz;
  haxby25_opening1/0: the same mean with opening 1 and 0;
  synthetic: a seeded 16x20x12 volume (two bright blobs of different size, a dark background
           with noise, a few NaNs) stored in the JSON itself, to exercise the connected-component,
           NaN and boundary paths on a larger grid.

Run from the repository root: /usr/bin/python3 scripts/golden/roi_epi_mask.py
"""
import json
import os

import nibabel as nib
import numpy as np
from scipy import ndimage

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAX = os.path.join(ROOT, 'tests/fixtures/haxby/haxby2001/sub001')
OUT = os.path.join(ROOT, 'tests/fixtures/golden/roi_epi_mask.json')


def smooth_array_fwhm1(arr):
    """nilearn smooth_array(arr, affine=np.eye(4), fwhm=1, ensure_finite=True, copy=False)."""
    arr = arr.copy()
    arr[np.logical_not(np.isfinite(arr))] = 0
    fwhm_over_sigma_ratio = np.sqrt(8 * np.log(2))
    vox_size = np.sqrt(np.sum(np.eye(4)[:3, :3] ** 2, axis=0))
    sigma = np.asarray([1.0]) / (fwhm_over_sigma_ratio * vox_size)
    for n, s in enumerate(sigma):
        if s > 0.0:
            ndimage.gaussian_filter1d(arr, s, output=arr, axis=n)
    return arr


def largest_connected_component(volume):
    labels, label_nb = ndimage.label(volume)
    if not label_nb:
        raise ValueError('No non-zero values: no connected components')
    if label_nb == 1:
        return volume.astype(bool)
    label_count = np.bincount(labels.ravel().astype(int))
    label_count[0] = 0
    return labels == label_count.argmax()


def compute_epi_mask(mean_epi, lower_cutoff=0.2, upper_cutoff=0.85, connected=True, opening=2,
                     exclude_zeros=False, ensure_finite=True):
    mean_epi = np.asarray(mean_epi, dtype=np.float64).copy()
    if opening:
        nan_mask = np.isnan(mean_epi)
        mean_epi = smooth_array_fwhm1(mean_epi)
        mean_epi[nan_mask] = np.nan
    if ensure_finite:
        mean_epi[np.logical_not(np.isfinite(mean_epi))] = 0
    sorted_input = np.sort(np.ravel(mean_epi))
    if exclude_zeros:
        sorted_input = sorted_input[sorted_input != 0]
    lower_cutoff = int(np.floor(lower_cutoff * len(sorted_input)))
    upper_cutoff = min(int(np.floor(upper_cutoff * len(sorted_input))), len(sorted_input) - 1)
    delta = sorted_input[lower_cutoff + 1:upper_cutoff + 1] - sorted_input[lower_cutoff:upper_cutoff]
    ia = delta.argmax()
    threshold = 0.5 * (sorted_input[ia + lower_cutoff] + sorted_input[ia + lower_cutoff + 1])
    mask = mean_epi >= threshold
    if opening:
        opening = int(opening)
        mask = ndimage.binary_erosion(mask, iterations=opening)
    if connected and mask.any():
        mask = largest_connected_component(mask)
    if opening:
        mask = ndimage.binary_dilation(mask, iterations=2 * opening)
        mask = ndimage.binary_erosion(mask, iterations=opening)
    return mask, float(threshold)


def f_indices(mask):
    """Linear indices in NIfTI order (x fastest), ascending."""
    return [int(i) for i in np.flatnonzero(np.ravel(mask, order='F'))]


def main():
    cases = []
    # --- real data: Haxby 25 mm, first 20 volumes
    bold = nib.load(os.path.join(HAX, 'BOLD/task001_run001/bold_25mm.nii.gz'))
    n_vol = 20
    data = bold.get_fdata()[..., :n_vol]
    mean = data.mean(axis=-1)
    mask, thr = compute_epi_mask(mean)
    brain = np.asanyarray(nib.load(os.path.join(HAX, 'masks/25mm/brain.nii.gz')).dataobj) != 0
    inter = int(np.logical_and(mask, brain).sum())
    cases.append({
        'name': 'haxby25',
        'input': 'tests/fixtures/haxby/haxby2001/sub001/BOLD/task001_run001/bold_25mm.nii.gz',
        'n_volumes': n_vol,
        'dims': list(mean.shape),
        'threshold': thr,
        'smoothed_mean': [float(v) for v in np.ravel(smooth_array_fwhm1(mean), order='F')],
        'n_voxels': int(mask.sum()),
        'indices': f_indices(mask),
        'brain_mask': {
            'file': 'tests/fixtures/haxby/haxby2001/sub001/masks/25mm/brain.nii.gz',
            'n_voxels': int(brain.sum()),
            'intersection': inter,
            'dice': 2 * inter / float(mask.sum() + brain.sum()),
        },
    })
    # the same mean with opening 1 and 0: how much the default erosion costs on a 25-mm grid
    for op in (1, 0):
        m, t = compute_epi_mask(mean, opening=op)
        i = int(np.logical_and(m, brain).sum())
        cases.append({
            'name': 'haxby25_opening%d' % op,
            'same_data_as': 'haxby25',
            'options': {'opening': op},
            'threshold': t,
            'n_voxels': int(m.sum()),
            'indices': f_indices(m),
            'brain_mask': {'n_voxels': int(brain.sum()), 'intersection': i,
                           'dice': 2 * i / float(m.sum() + brain.sum())},
        })
    # --- synthetic: seeded, two blobs, noise, NaNs
    rng = np.random.default_rng(20240601)
    shape = (16, 20, 12)
    x, y, z = np.indices(shape)
    vol = 100 + 20 * rng.standard_normal(shape)
    big = ((x - 6) ** 2 / 20 + (y - 9) ** 2 / 36 + (z - 6) ** 2 / 16) <= 1
    small = ((x - 12) ** 2 + (y - 15) ** 2 + (z - 5) ** 2) <= 10
    vol[big] += 900
    vol[small] += 700
    vol = np.round(vol, 3)
    nan_at = [(0, 0, 0), (6, 9, 6), (15, 19, 11)]
    for p in nan_at:
        vol[p] = np.nan
    smask, sthr = compute_epi_mask(vol)
    flat = [None if not np.isfinite(v) else float(v) for v in np.ravel(vol, order='F')]
    cases.append({
        'name': 'synthetic',
        'dims': list(shape),
        'data': flat,
        'threshold': sthr,
        'n_voxels': int(smask.sum()),
        'indices': f_indices(smask),
    })
    # variant without opening (no smoothing, no morphology, still the largest component)
    smask0, sthr0 = compute_epi_mask(vol, opening=0)
    cases.append({
        'name': 'synthetic_opening0',
        'same_data_as': 'synthetic',
        'options': {'opening': 0},
        'threshold': sthr0,
        'n_voxels': int(smask0.sum()),
        'indices': f_indices(smask0),
    })
    doc = {
        'generator': 'scripts/golden/roi_epi_mask.py (numpy %s, scipy ndimage, nibabel %s)' % (np.__version__, nib.__version__),
        'algorithm': 'nilearn.masking.compute_epi_mask defaults: lower_cutoff 0.2, upper_cutoff 0.85, connected, opening 2',
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    for c in cases:
        print(c['name'], 'threshold', c['threshold'], 'voxels', c['n_voxels'], c.get('brain_mask', ''))


if __name__ == '__main__':
    main()
