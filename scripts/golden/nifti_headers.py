#!/usr/bin/python3
"""Golden values for the NIfTI layer (tests/unit/nifti), computed with nibabel.

Run from the repository root with Debian's Python (nibabel + numpy):

    /usr/bin/python3 scripts/golden/nifti_headers.py

Reads the committed fixture copies under tests/fixtures/ and writes
tests/fixtures/golden/nifti_headers.json. The tests never run Python.

Per file: header facts (version, byte order, dims, datatype, zooms, affine = img.affine,
aff2axcodes, raw and effective scl_slope/inter, codes, vox_offset), and checksums of the values
(get_fdata; for RGB/RGBA images the R channel, plus per-channel sums): sum, sum of squares, min,
max, the values at 20 fixed flat indices (Fortran / on-disk order over the whole image) and, for
4D images, the sum of a few volumes.
"""
import gzip
import json
import os
import sys

import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FIX = os.path.join(ROOT, 'tests', 'fixtures')

FILES = [
    'nifti/anatomical.nii',
    'nifti/example4d.nii.gz',
    'nifti/example_nifti2.nii.gz',
    'nifti/functional.nii',
    'nifti/standard.nii.gz',
    'atlases/CIT168.nii.gz',
    'atlases/aal.nii.gz',
    'atlases/AICHAmc.nii.gz',
    'statmaps/neurovault_image_10426_motor_left_vs_right.nii.gz',
    'haxby/bold.nii.gz',
    'haxby/mask.nii.gz',
] + [f'haxby/haxby2001/sub001/BOLD/task001_run{r:03d}/bold_1slice.nii.gz' for r in range(1, 13)]

DTYPE_NAMES = {
    2: 'uint8', 4: 'int16', 8: 'int32', 16: 'float32', 64: 'float64', 128: 'rgb24',
    256: 'int8', 512: 'uint16', 768: 'uint32', 1024: 'int64', 1280: 'uint64', 2304: 'rgba32',
}
N_INDICES = 20


def num(x):
    """JSON-safe float: NaN/inf become None."""
    x = float(x)
    return x if np.isfinite(x) else None


def raw_header(path):
    """The header exactly as stored (nibabel resets scl_* on load, so read it directly)."""
    opener = gzip.open if open(path, 'rb').read(2) == b'\x1f\x8b' else open
    with opener(path, 'rb') as fh:
        head = fh.read(540)
    klass = nib.Nifti2Header if nib.Nifti2Header.may_contain_header(head) else nib.Nifti1Header
    return klass.from_fileobj(__import__('io').BytesIO(head + b'\0' * 8))


def checksums(values, dims):
    flat = values.ravel(order='F').astype(np.float64)
    n = flat.size
    idx = sorted(set(int(round(k * (n - 1) / (N_INDICES - 1))) for k in range(N_INDICES)))
    out = {
        'n': int(n),
        'sum': float(flat.sum()),
        'sumsq': float((flat * flat).sum()),
        'min': float(flat.min()),
        'max': float(flat.max()),
        'indices': idx,
        'values': [float(flat[i]) for i in idx],
    }
    if len(dims) >= 4:
        nvol = int(np.prod(dims[3:]))
        vpv = int(np.prod(dims[:3]))
        vols = sorted(set([0, 1, nvol // 2, nvol - 1]) & set(range(nvol)))
        out['volume_sums'] = {str(v): float(flat[v * vpv:(v + 1) * vpv].sum()) for v in vols}
    return out


def describe(rel):
    path = os.path.join(FIX, rel)
    img = nib.load(path)
    hdr = img.header
    raw = raw_header(path)
    code = int(hdr['datatype'])
    version = 2 if isinstance(hdr, nib.Nifti2Header) else 1
    gz = open(path, 'rb').read(2) == b'\x1f\x8b'
    slope, inter = img.dataobj.slope, img.dataobj.inter
    entry = {
        'file': rel,
        'nifti_version': version,
        'sizeof_hdr': int(hdr['sizeof_hdr']),
        'byte_order': 'little' if hdr.endianness == '<' else 'big',
        'gzip': gz,
        'dims': [int(d) for d in img.shape],
        'datatype_code': code,
        'datatype': DTYPE_NAMES.get(code, str(hdr.get_data_dtype())),
        'bitpix': int(hdr['bitpix']),
        'vox_offset': int(raw['vox_offset']),
        'zooms': [float(z) for z in hdr.get_zooms()],
        'pixdim': [float(p) for p in raw['pixdim']],
        'xyzt_units': int(raw['xyzt_units']),
        'qform_code': int(hdr['qform_code']),
        'sform_code': int(hdr['sform_code']),
        'affine': [[float(x) for x in row] for row in img.affine],
        'axcodes': list(nib.aff2axcodes(img.affine)),
        'scl_slope_raw': num(raw['scl_slope']),
        'scl_inter_raw': num(raw['scl_inter']),
        'scl_slope': float(slope),
        'scl_inter': float(inter),
        'intent_code': int(hdr['intent_code']),
        'descrip': bytes(raw['descrip']).split(b'\0')[0].decode('latin-1').rstrip(),
        'cal_min': float(raw['cal_min']),
        'cal_max': float(raw['cal_max']),
    }
    if code in (128, 2304):
        arr = np.asanyarray(img.dataobj)
        chans = 'RGBA' if code == 2304 else 'RGB'
        entry['values'] = checksums(arr['R'].astype(np.float64), entry['dims'])
        entry['channel_sums'] = {c: int(arr[c].astype(np.int64).sum()) for c in chans}
    else:
        entry['values'] = checksums(img.get_fdata(), entry['dims'])
    return entry


def synthetic_affines():
    """Affines with known aff2axcodes / voxel sizes / inverse: permutations, flips, obliques,
    shears, a zero column; plus the qform nibabel writes for each (set_qform, strip_shears)."""
    from nibabel.eulerangles import euler2mat
    rng = np.random.RandomState(20260101)
    cases = []
    perms = [(0, 1, 2), (1, 0, 2), (2, 0, 1), (0, 2, 1), (1, 2, 0), (2, 1, 0)]
    for k, perm in enumerate(perms):
        signs = [1 if (k >> b) & 1 == 0 else -1 for b in range(3)]
        zooms = [1.5 + 0.5 * k, 2.0, 3.0 - 0.25 * k]
        m = np.zeros((4, 4))
        for i, o in enumerate(perm):
            m[o, i] = signs[i] * zooms[i]
        m[:3, 3] = rng.uniform(-100, 100, 3)
        m[3, 3] = 1
        cases.append(m)
    for k in range(6):
        rot = euler2mat(*rng.uniform(-0.6, 0.6, 3))
        z = np.diag(rng.uniform(0.8, 4.0, 3) * rng.choice([-1, 1], 3))
        m = np.eye(4)
        m[:3, :3] = rot @ z
        m[:3, 3] = rng.uniform(-100, 100, 3)
        cases.append(m)
    sh = np.eye(4)
    sh[:3, :3] = [[2, 0.3, 0.1], [0.2, -2, 0.4], [0.05, 0.1, 2.5]]
    cases.append(sh)
    deg = np.diag([2.0, 0.0, 3.0, 1.0])
    cases.append(deg)
    out = []
    for m in cases:
        entry = {
            'affine': m.tolist(),
            'axcodes': list(nib.aff2axcodes(m)),
            'voxel_sizes': nib.affines.voxel_sizes(m).tolist(),
        }
        if abs(np.linalg.det(m[:3, :3])) > 1e-6:
            entry['inverse'] = np.linalg.inv(m).tolist()
            h = nib.Nifti1Header()
            h.set_qform(m, code=2)
            entry['qform'] = h.get_qform().tolist()
            entry['quatern'] = [float(h['quatern_b']), float(h['quatern_c']), float(h['quatern_d'])]
            entry['qfac'] = float(h['pixdim'][0])
        out.append(entry)
    return out


def main():
    out = {
        'generator': 'scripts/golden/nifti_headers.py',
        'nibabel': nib.__version__,
        'numpy': np.__version__,
        'affines': synthetic_affines(),
        'files': {},
    }
    for rel in FILES:
        if not os.path.exists(os.path.join(FIX, rel)):
            print(f'missing fixture {rel}', file=sys.stderr)
            sys.exit(1)
        out['files'][rel] = describe(rel)
        print(rel, out['files'][rel]['dims'], out['files'][rel]['axcodes'], file=sys.stderr)
    dest = os.path.join(FIX, 'golden', 'nifti_headers.json')
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, 'w') as fh:
        json.dump(out, fh, indent=1)
        fh.write('\n')
    print('wrote', dest, file=sys.stderr)


if __name__ == '__main__':
    main()
