import type { NiftiHeader } from '../nifti/index.ts';
import { decodeVolume } from '../nifti/index.ts';

/**
 * The two operations of the stream pass, behind one seam so the pass itself is host-agnostic:
 * gather the analysed voxels of one raw volume into row `slot` of a B × V block, then add
 * W[:, block] · Y to the n × V patterns. `jsProjector` is the plain reference; the wasm projector
 * (kernels + worker pool) is the fast one.
 */
export interface Projector {
  /** Gather voxels `indices` of one raw volume (file byte order) into block row `slot`, minus `offset`. */
  gather(raw: Uint8Array, slot: number): void;
  /** patterns += W (n × B, row-major f32) · Y[0:B]. */
  project(wBlock: Float32Array, b: number): Promise<void>;
  /** The n × V patterns (row-major f32); may be a view that dispose() invalidates. */
  result(): Float32Array;
  dispose(): void;
}

export interface ProjectorSpec {
  header: NiftiHeader;
  /** Linear voxel indices (NIfTI order) of every analysed voxel: the union of all ROIs. */
  indices: Int32Array;
  /** Per-voxel value subtracted before projection (keeps f32 sums well conditioned). */
  offset: Float32Array;
  nRows: number;
  blockSize: number;
}

export function jsProjector(spec: ProjectorSpec): Projector {
  const V = spec.indices.length;
  const vol = new Float32Array(spec.header.voxelsPerVolume);
  const Y = new Float32Array(spec.blockSize * V);
  const out = new Float32Array(spec.nRows * V);
  return {
    gather(raw, slot) {
      decodeVolume(raw, spec.header, vol);
      const row = Y.subarray(slot * V, (slot + 1) * V);
      for (let j = 0; j < V; j++) row[j] = vol[spec.indices[j]!]! - spec.offset[j]!;
    },
    async project(w, b) {
      for (let i = 0; i < spec.nRows; i++) {
        const o = out.subarray(i * V, (i + 1) * V);
        for (let s = 0; s < b; s++) {
          const wis = w[i * b + s]!;
          if (wis === 0) continue;
          const y = Y.subarray(s * V, (s + 1) * V);
          for (let j = 0; j < V; j++) o[j]! += wis * y[j]!;
        }
      }
    },
    result: () => out,
    dispose() {},
  };
}
