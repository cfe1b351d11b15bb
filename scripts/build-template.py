#!/usr/bin/env python3
"""Anatomical background of the app's brain viewer: the CIT168 distribution's skull-stripped
MNI152NLin2009c T1 (1 mm, /work/shared/data/atlases/cit168_niivue/) averaged over 2×2×2 blocks to
2 mm, uint8, written to public/templates/ (loaded lazily by the viewer, not part of first load).

    /usr/bin/python3 scripts/build-template.py [SOURCE.nii.gz]
"""
import hashlib
import sys

import nibabel as nib
import numpy as np

SRC = sys.argv[1] if len(sys.argv) > 1 else '/work/shared/data/atlases/cit168_niivue/CIT168toMNI152-2009c_T1w_brain.nii.gz'
OUT = 'public/templates/mni152nlin2009c_t1w_brain_2mm.nii.gz'

img = nib.load(SRC)
a = np.asarray(img.dataobj, dtype=np.float64)
aff = img.affine
assert np.allclose(aff[:3, :3], np.eye(3)), 'expects a 1-mm RAS template'
n = [d // 2 for d in a.shape]
a = a[: 2 * n[0], : 2 * n[1], : 2 * n[2]].reshape(n[0], 2, n[1], 2, n[2], 2).mean(axis=(1, 3, 5))
new = np.diag([2.0, 2.0, 2.0, 1.0])
new[:3, 3] = aff[:3, 3] + 0.5  # centre of the first 2×2×2 block
out = nib.Nifti1Image(np.clip(np.rint(a), 0, 255).astype(np.uint8), new)
out.header.set_xyzt_units('mm')
out.header['descrip'] = b'CIT168toMNI152-2009c T1w brain, 2mm mean'
out.set_sform(new, code=4)  # MNI
out.set_qform(new, code=4)
nib.save(out, OUT)
print(OUT, out.shape, 'source sha256', hashlib.sha256(open(SRC, 'rb').read()).hexdigest())
