/**
 * The built-in delay-discounting ROI set (data: builtin-rois.json, made by scripts/build-rois.py).
 *
 * - Striatum from the CIT168 atlas (Pauli, Nili & Tyszka 2018 Sci Data 5:180063, CC BY 4.0):
 *   nacc_l/r, caudate_l/r, putamen_l/r; a voxel belongs to a region when the region is the most
 *   likely one there and its probability is ≥ 128/255 (see the JSON `threshold`). Stored as a
 *   cropped 1-mm MNI label grid, run-length encoded.
 * - Cortex as spheres around published MNI coordinates: vmpfc, pcc, dlpfc_l, dlpfc_r (each with
 *   its reference beside it in the JSON).
 *
 * `builtinRoiMask(name, grid)` puts any of them on any BOLD grid in MNI space by nearest
 * neighbour through both affines (for each target voxel centre, the label-grid voxel nearest to
 * it in mm), so LAS and RAS grids give the same anatomy.
 */
import { DdError } from '../errors.ts';
import type { Grid } from './grid.ts';
import { nearestSourceIndex, sphereMask } from './resample.ts';
import data from './builtin-rois.json' with { type: 'json' };

export interface BuiltinAtlasRoi {
  name: string;
  label: string;
  hemisphere: 'L' | 'R' | 'bilateral';
  kind: 'atlas';
  atlas: string;
  /** Label value in the atlas (CIT168 index). */
  value: number;
  atlas_label: string;
  n_voxels_1mm: number;
  centroid_mm: number[];
  source: string;
  credit: string;
}

export interface BuiltinSphereRoi {
  name: string;
  label: string;
  hemisphere: 'L' | 'R' | 'bilateral';
  kind: 'sphere';
  centre_mm: [number, number, number];
  radius_mm: number;
  source: string;
  coordinate_as_reported: string;
  space_reported: string;
  converted_from_talairach: boolean;
  verified: boolean;
  verification_note?: string;
  aal_label_at_centre?: string;
}

export type BuiltinRoi = BuiltinAtlasRoi | BuiltinSphereRoi;

interface AtlasGridJson {
  dims: number[];
  affine: number[][];
  data: string;
}

const ROIS = data.rois as unknown as BuiltinRoi[];

/** Short names usable on the CLI, in the order of the JSON. */
export const BUILTIN_ROI_NAMES: readonly string[] = ROIS.map((r) => r.name);

/** All built-in ROIs with their label, hemisphere, source and credit. */
export function listBuiltinRois(): readonly BuiltinRoi[] {
  return ROIS;
}

export function isBuiltinRoi(name: string): boolean {
  return BUILTIN_ROI_NAMES.includes(name);
}

export function getBuiltinRoi(name: string): BuiltinRoi {
  const r = ROIS.find((x) => x.name === name);
  if (!r) {
    throw new DdError('ROI_UNKNOWN', `unknown built-in ROI "${name}"; the built-in ROIs are: ${BUILTIN_ROI_NAMES.join(', ')} (or give NAME=mask.nii.gz, NAME=atlas.nii.gz:LABEL, NAME=sphere:X,Y,Z,R_MM).`);
  }
  return r;
}

/** Credits to print with results that used built-in ROIs. */
export function builtinRoiCredits(names: string[]): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const r = getBuiltinRoi(n);
    out.add(r.kind === 'atlas' ? r.credit : r.source);
  }
  return [...out];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 → bytes (no DOM `atob`, no Buffer: runs in any host). */
export function decodeBase64(s: string): Uint8Array {
  const lut = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) lut[B64.charCodeAt(i)] = i;
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < clean.length; i++) {
    acc = (acc << 6) | lut[clean.charCodeAt(i)];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Run-length decode: pairs (value byte, LEB128 run length) → exactly `n` bytes. */
export function decodeRle(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let p = 0;
  let o = 0;
  while (p < bytes.length) {
    const v = bytes[p++];
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (o + len > n) break;
    if (v) out.fill(v, o, o + len);
    o += len;
  }
  if (o !== n) {
    throw new DdError('ROI_BUILTIN_CORRUPT', `src/core/roi/builtin-rois.json: the label grid decodes to ${o} voxels, expected ${n}; rebuild it with scripts/build-rois.py.`, { file: 'src/core/roi/builtin-rois.json' });
  }
  return out;
}

export interface LabelGrid extends Grid {
  labels: Uint8Array;
}

const atlasCache = new Map<string, LabelGrid>();

/** The decoded 1-mm label grid of a built-in atlas (cached). */
export function builtinAtlasGrid(atlas = 'cit168'): LabelGrid {
  const hit = atlasCache.get(atlas);
  if (hit) return hit;
  const a = (data.atlases as Record<string, { grid: AtlasGridJson }>)[atlas];
  if (!a) throw new DdError('ROI_UNKNOWN', `no built-in atlas "${atlas}"; the built-in atlases are: ${Object.keys(data.atlases).join(', ')}.`);
  const dims = a.grid.dims as [number, number, number];
  const labels = decodeRle(decodeBase64(a.grid.data), dims[0] * dims[1] * dims[2]);
  const g: LabelGrid = { dims, affine: a.grid.affine.map((r) => r.slice()), labels };
  atlasCache.set(atlas, g);
  return g;
}

/** Mask (1/0 per voxel of `target`) of built-in ROI `name` on any grid in MNI space. */
export function builtinRoiMask(name: string, target: Grid): Uint8Array {
  const roi = getBuiltinRoi(name);
  if (roi.kind === 'sphere') return sphereMask(target, roi.centre_mm, roi.radius_mm);
  const g = builtinAtlasGrid(roi.atlas);
  const idx = nearestSourceIndex(g, target);
  const out = new Uint8Array(idx.length);
  for (let o = 0; o < idx.length; o++) {
    const s = idx[o];
    if (s >= 0 && g.labels[s] === roi.value) out[o] = 1;
  }
  return out;
}
