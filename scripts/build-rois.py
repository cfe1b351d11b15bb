#!/usr/bin/python3
"""Build src/core/roi/builtin-rois.json, the built-in delay-discounting ROI set of ddmvpa.

Striatal ROIs (6) come from the CIT168 subcortical atlas (Pauli, Nili & Tyszka 2018, Sci Data
5:180063, CC BY 4.0) in NiiVue's RGBA32 "PAQD" encoding: R = index of the most likely region,
G = second most likely, B = probability of R x 255, A = probability of G x 255. Label indices
are read from CIT168.json (never hard-coded without a check).

Threshold (default, --min-b 128): a voxel belongs to region L when R == L and B >= 128, i.e. L is
the most likely region there AND its probability is >= 128/255 = 0.502 ("more likely inside than
outside"). R == L alone would also keep voxels where every region is improbable (B goes down to
1/255 = 0.4 %: 861 voxels for L NAcc instead of 476), which dilutes a small ROI such as the
accumbens with white matter and CSF.

The kept labels are stored as one cropped 1-mm label grid (bounding box of the kept voxels) with
its own affine, run-length encoded: pairs (value byte, run length as unsigned LEB128 varint),
voxels in NIfTI order (x fastest), the byte string base64-encoded.

Cortical ROIs are spheres around published MNI coordinates (see SPHERES below; the coordinate as
reported, the space, and whether it was converted).

Run from the repository root:
  /usr/bin/python3 scripts/build-rois.py [--atlas PATH] [--min-b 128] [--out PATH]
"""
import argparse
import base64
import hashlib
import json
import os

import nibabel as nib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_ATLAS = os.path.join(ROOT, 'tests/fixtures/atlases/CIT168.nii.gz')
DEFAULT_AAL = os.path.join(ROOT, 'tests/fixtures/atlases/aal.nii.gz')
DEFAULT_OUT = os.path.join(ROOT, 'src/core/roi/builtin-rois.json')

CIT_CREDIT = 'CIT168 atlas, Pauli, Nili & Tyszka 2018 Sci Data 5:180063, CC BY 4.0'
CIT_SOURCE = ('niivue/niivue-demo-images CIT168/CIT168.nii.gz (commit f6f98294c1fa89a3a32e8a44eab92368374150a0), '
              'NiiVue PAQD conversion of the CIT168toMNI152-2009c probabilistic atlas (https://osf.io/jkzwp/)')

# name, atlas label text in CIT168.json, label, hemisphere
STRIATAL = [
    ('nacc_l', 'L Nucleus Accumbens', 'Left nucleus accumbens', 'L'),
    ('nacc_r', 'R Nucleus Accumbens', 'Right nucleus accumbens', 'R'),
    ('caudate_l', 'L Caudate', 'Left caudate nucleus', 'L'),
    ('caudate_r', 'R Caudate', 'Right caudate nucleus', 'R'),
    ('putamen_l', 'L Putamen', 'Left putamen', 'L'),
    ('putamen_r', 'R Putamen', 'Right putamen', 'R'),
]

# Sphere centres. IMPORTANT: these coordinates were recalled, not read from the papers (their full
# text was not available when this file was built); each is marked "verified": false until someone
# checks it against the cited table/figure (then set "verified": true and say where it was checked).
# The AAL label at each centre is recorded as an anatomical sanity check.
BARTRA = ('Bartra O, McGuire JT, Kable JW (2013) The valuation system: a coordinate-based meta-analysis '
          'of BOLD fMRI experiments examining neural correlates of subjective value. NeuroImage 76:412-427. '
          'doi:10.1016/j.neuroimage.2013.02.063')
FIGNER = ('Figner B, Knoch D, Johnson EJ, Krosch AR, Lisanby SH, Fehr E, Weber EU (2010) Lateral prefrontal '
          'cortex and self-control in intertemporal choice. Nat Neurosci 13:538-539. doi:10.1038/nn.2516')
SPHERES = [
    {
        'name': 'vmpfc', 'label': 'Ventromedial prefrontal cortex (subjective value)', 'hemisphere': 'bilateral',
        'centre_mm': [2, 46, -8], 'radius_mm': 10,
        'reference': BARTRA,
        'coordinate_as_reported': 'MNI (2, 46, -8): vmPFC peak of the positive subjective-value effects',
        'space_reported': 'MNI', 'converted_from_talairach': False,
    },
    {
        'name': 'pcc', 'label': 'Posterior cingulate cortex (subjective value)', 'hemisphere': 'bilateral',
        'centre_mm': [-2, -32, 38], 'radius_mm': 10,
        'reference': BARTRA,
        'coordinate_as_reported': 'MNI (-2, -32, 38): PCC peak of the positive subjective-value effects',
        'space_reported': 'MNI', 'converted_from_talairach': False,
    },
    {
        'name': 'dlpfc_l', 'label': 'Left dorsolateral prefrontal cortex (self-control in intertemporal choice)',
        'hemisphere': 'L', 'centre_mm': [-39, 37, 22], 'radius_mm': 10,
        'reference': FIGNER,
        'coordinate_as_reported': 'MNI (-39, 37, 22): left LPFC rTMS target',
        'space_reported': 'MNI', 'converted_from_talairach': False,
    },
    {
        'name': 'dlpfc_r', 'label': 'Right dorsolateral prefrontal cortex (self-control in intertemporal choice)',
        'hemisphere': 'R', 'centre_mm': [39, 37, 22], 'radius_mm': 10,
        'reference': FIGNER,
        'coordinate_as_reported': 'MNI (39, 37, 22): right LPFC rTMS target',
        'space_reported': 'MNI', 'converted_from_talairach': False,
    },
]


def leb128(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def rle_encode(flat):
    flat = np.asarray(flat, dtype=np.uint8)
    change = np.flatnonzero(np.diff(flat)) + 1
    starts = np.r_[0, change]
    lens = np.diff(np.r_[starts, len(flat)])
    out = bytearray()
    for s, n in zip(starts, lens):
        out.append(int(flat[s]))
        out += leb128(int(n))
    return base64.b64encode(bytes(out)).decode('ascii'), len(starts)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--atlas', default=DEFAULT_ATLAS)
    ap.add_argument('--labels-json', default=None, help='CIT168.json (default: beside the atlas)')
    ap.add_argument('--aal', default=DEFAULT_AAL, help='AAL atlas, only to record the AAL label at each sphere centre')
    ap.add_argument('--min-b', type=int, default=128, help='minimum B (probability x 255) of the most likely region')
    ap.add_argument('--out', default=DEFAULT_OUT)
    args = ap.parse_args()

    labels_json = args.labels_json or os.path.join(os.path.dirname(args.atlas), 'CIT168.json')
    names = json.load(open(labels_json))['labels']
    img = nib.load(args.atlas)
    d = np.asanyarray(img.dataobj)
    assert d.dtype.names == ('R', 'G', 'B', 'A'), 'expected an RGBA32 PAQD atlas'
    R, B = d['R'].astype(np.int32), d['B'].astype(np.int32)
    affine = img.affine

    keep_values = []
    rois = []
    for name, atlas_text, label, hemi in STRIATAL:
        value = names.index(atlas_text)  # raises if the label text is not in CIT168.json
        keep_values.append(value)
        m_any = R == value
        m = m_any & (B >= args.min_b)
        ijk = np.argwhere(m)
        xyz = nib.affines.apply_affine(affine, ijk)
        centroid = xyz.mean(axis=0)
        assert (centroid[0] < 0) == (hemi == 'L'), f'{name}: centroid x {centroid[0]} on the wrong side'
        rois.append({
            'name': name, 'label': label, 'hemisphere': hemi, 'kind': 'atlas', 'atlas': 'cit168',
            'value': value, 'atlas_label': atlas_text,
            'n_voxels_1mm': int(m.sum()), 'n_voxels_1mm_any_probability': int(m_any.sum()),
            'centroid_mm': [round(float(c), 2) for c in centroid],
            'source': 'CIT168 label %d "%s", R == %d and B >= %d' % (value, atlas_text, value, args.min_b),
            'credit': CIT_CREDIT,
        })

    lab = np.where(np.isin(R, keep_values) & (B >= args.min_b), R, 0).astype(np.uint8)
    ijk = np.argwhere(lab > 0)
    lo, hi = ijk.min(axis=0), ijk.max(axis=0) + 1
    crop = lab[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
    crop_affine = affine.copy()
    crop_affine[:3, 3] = nib.affines.apply_affine(affine, lo)
    data_b64, n_runs = rle_encode(np.ravel(crop, order='F'))

    aal_names, aal = {}, None
    if os.path.exists(args.aal):
        aal_img = nib.load(args.aal)
        aal = (np.asanyarray(aal_img.dataobj), np.linalg.inv(aal_img.affine))
        txt = os.path.splitext(os.path.splitext(args.aal)[0])[0] + '.nii.txt'
        for line in open(txt):
            p = line.split()
            if len(p) >= 2:
                aal_names[int(p[0])] = p[1]
    for s in SPHERES:
        entry = dict(s)
        entry['kind'] = 'sphere'
        entry['source'] = entry.pop('reference')
        entry['verified'] = False
        entry['verification_note'] = ('the coordinate and the space it is reported in were recalled, not read from '
                                      'the paper, when this file was built (the full text was not available); check '
                                      'them against the paper before relying on this ROI, then set verified to true '
                                      'and say where it was checked')
        if aal is not None:
            v = np.floor(aal[1][:3, :3] @ np.asarray(s['centre_mm'], float) + aal[1][:3, 3] + 0.5).astype(int)
            val = int(aal[0][tuple(v)])
            entry['aal_label_at_centre'] = aal_names.get(val, 'outside AAL labels' if val == 0 else str(val))
        rois.append(entry)

    sha = hashlib.sha256(open(args.atlas, 'rb').read()).hexdigest()
    doc = {
        'schema': 'ddmvpa-builtin-rois/1',
        'generator': 'scripts/build-rois.py --min-b %d' % args.min_b,
        'space': ('MNI152NLin2009c (CIT168toMNI152-2009c; fMRIPrep MNI152NLin2009cAsym outputs use this '
                  'template family). Sphere centres are MNI coordinates as published.'),
        'atlases': {
            'cit168': {
                'source': CIT_SOURCE,
                'credit': CIT_CREDIT,
                'licence': 'CC BY 4.0',
                'file_sha256': sha,
                'encoding': 'NiiVue PAQD RGBA32: R = most likely region, B = its probability x 255',
                'threshold': {
                    'rule': 'R == label and B >= %d' % args.min_b,
                    'min_probability': round(args.min_b / 255, 4),
                    'why': ('keep voxels where the region is the most likely one and more likely than not; '
                            'R == label alone keeps voxels down to p = 1/255'),
                },
                'values': {str(v): names[v] for v in keep_values},
                'grid': {
                    'dims': [int(n) for n in crop.shape],
                    'affine': [[float(x) for x in row] for row in crop_affine],
                    'crop_offset_voxels': [int(x) for x in lo],
                    'storage': 'RLE of uint8 labels in NIfTI order (x fastest): pairs (value byte, run length LEB128 varint), base64',
                    'n_runs': int(n_runs),
                    'data': data_b64,
                },
            },
        },
        'rois': rois,
    }
    with open(args.out, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print('wrote', args.out, os.path.getsize(args.out), 'bytes;', len(rois), 'ROIs; crop', crop.shape, 'runs', n_runs)
    for r in rois:
        print(' ', r['name'], r.get('n_voxels_1mm', ''), r.get('centroid_mm', r.get('centre_mm')), r.get('aal_label_at_centre', ''))


if __name__ == '__main__':
    main()
