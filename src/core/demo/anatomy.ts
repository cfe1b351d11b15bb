import { applyAffine } from '../roi/grid.ts';
import { BRAIN_CENTRE_MM, BRAIN_SEMI_AXES_MM, type DemoGrid, type PlantedSphere } from './spec.ts';

export interface Anatomy {
  /** 1 inside the synthetic brain (NIfTI voxel order, x fastest). */
  mask: Uint8Array;
  /** Mean EPI intensity per voxel: ~700–1100 in brain, dim background outside. */
  baseline: Float32Array;
  /** Linear indices of brain voxels, ascending. */
  brainIndices: Int32Array;
}

/**
 * An ellipsoidal brain with smooth intensity variation (grey/white-like contrast). Deterministic:
 * the same grid gives the same anatomy, so every subject shares one mask (as in MNI space).
 */
export function makeAnatomy(grid: DemoGrid): Anatomy {
  const [nx, ny, nz] = grid.dims;
  const n = nx * ny * nz;
  const mask = new Uint8Array(n);
  const baseline = new Float32Array(n);
  const idx: number[] = [];
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) {
        const [x, y, z] = applyAffine(grid.affine, i, j, k);
        const dx = (x - BRAIN_CENTRE_MM[0]) / BRAIN_SEMI_AXES_MM[0];
        const dy = (y - BRAIN_CENTRE_MM[1]) / BRAIN_SEMI_AXES_MM[1];
        const dz = (z - BRAIN_CENTRE_MM[2]) / BRAIN_SEMI_AXES_MM[2];
        const r2 = dx * dx + dy * dy + dz * dz;
        if (r2 <= 1) {
          mask[v] = 1;
          idx.push(v);
          // Cortex-like bright rim, darker core, gentle texture: enough structure to look like an EPI.
          const rim = Math.exp(-(((1 - Math.sqrt(r2)) * 8) ** 2));
          const texture = Math.sin(x / 7) * Math.sin(y / 9) * Math.cos(z / 8);
          baseline[v] = 800 + 250 * rim + 60 * texture - 80 * (1 - r2);
        } else {
          baseline[v] = 30 * Math.exp(-(r2 - 1) * 4);
        }
      }
    }
  }
  return { mask, baseline, brainIndices: Int32Array.from(idx) };
}

/** Brain voxels (as positions into anatomy.brainIndices) inside a planted sphere. */
export function sphereMembers(grid: DemoGrid, anatomy: Anatomy, sphere: PlantedSphere): Int32Array {
  const [nx, ny] = grid.dims;
  const out: number[] = [];
  const r2 = sphere.radiusMm ** 2;
  anatomy.brainIndices.forEach((v, pos) => {
    const i = v % nx, j = Math.floor(v / nx) % ny, k = Math.floor(v / (nx * ny));
    const [x, y, z] = applyAffine(grid.affine, i, j, k);
    const d2 = (x - sphere.centreMm[0]) ** 2 + (y - sphere.centreMm[1]) ** 2 + (z - sphere.centreMm[2]) ** 2;
    if (d2 <= r2) out.push(pos);
  });
  return Int32Array.from(out);
}
