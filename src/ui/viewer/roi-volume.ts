/**
 * The built-in ROIs as one label image for the brain viewer: a 1-mm MNI grid around all of them,
 * value i + 1 for the i-th ROI of `VIEWER_ROIS`, drawn with the same masks the analysis uses
 * (builtinRoiMask), written as an uncompressed NIfTI the viewer loads from memory.
 *
 * Colours: one Okabe–Ito colour per structure (left and right share it; the legend and the value
 * under the cursor name the side), distinguishable with the common colour-vision deficiencies.
 */
import { encodeNifti1 } from '../../core/nifti/index.ts';
import { builtinAtlasGrid, builtinRoiMask, listBuiltinRois, nearestSourceIndex, type BuiltinRoi } from '../../core/roi/index.ts';

const STRUCTURE_COLOURS: Record<string, string> = {
  nacc: '#E69F00',
  caudate: '#56B4E9',
  putamen: '#009E73',
  vmpfc: '#CC79A7',
  pcc: '#F0E442',
  dlpfc: '#D55E00',
};
const FALLBACK = '#999999';

export interface ViewerRoi {
  value: number;
  name: string;
  label: string;
  colour: string;
}

const structureOf = (name: string) => name.replace(/_[lr]$/, '');

export const VIEWER_ROIS: ViewerRoi[] = listBuiltinRois().map((r: BuiltinRoi, i) => ({
  value: i + 1, name: r.name, label: r.label, colour: STRUCTURE_COLOURS[structureOf(r.name)] ?? FALLBACK,
}));

/** One legend entry per structure (left/right merged). */
export function roiLegend(): { structure: string; colour: string; rois: ViewerRoi[] }[] {
  const out = new Map<string, { structure: string; colour: string; rois: ViewerRoi[] }>();
  for (const r of VIEWER_ROIS) {
    const s = structureOf(r.name);
    if (!out.has(s)) out.set(s, { structure: s, colour: r.colour, rois: [] });
    out.get(s)!.rois.push(r);
  }
  return [...out.values()];
}

/** Bounding box (mm) of every built-in ROI: the atlas grid and the spheres. */
function roiBox(): { lo: number[]; hi: number[] } {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const add = (p: number[], pad = 0) => p.forEach((v, a) => { lo[a] = Math.min(lo[a]!, v - pad); hi[a] = Math.max(hi[a]!, v + pad); });
  const g = builtinAtlasGrid('cit168');
  for (const corner of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const ijk = [corner & 1 ? g.dims[0] - 1 : 0, corner & 2 ? g.dims[1] - 1 : 0, corner & 4 ? g.dims[2] - 1 : 0];
    add([0, 1, 2].map((r) => g.affine[r]![0]! * ijk[0]! + g.affine[r]![1]! * ijk[1]! + g.affine[r]![2]! * ijk[2]! + g.affine[r]![3]!));
  }
  for (const r of listBuiltinRois()) if (r.kind === 'sphere') add(r.centre_mm, r.radius_mm + 1);
  return { lo: lo.map(Math.floor), hi: hi.map(Math.ceil) };
}

let cached: Uint8Array | null = null;

/** The label image as NIfTI-1 bytes (uint8, 1 mm, RAS). */
export function roiLabelNifti(): Uint8Array {
  if (cached) return cached;
  const { lo, hi } = roiBox();
  const dims = [0, 1, 2].map((a) => hi[a]! - lo[a]! + 1) as [number, number, number];
  const affine = [[1, 0, 0, lo[0]!], [0, 1, 0, lo[1]!], [0, 0, 1, lo[2]!], [0, 0, 0, 1]];
  const labels = new Uint8Array(dims[0] * dims[1] * dims[2]);
  const grid = { dims, affine };
  // Atlas ROIs: one nearest-neighbour lookup into the atlas for all of them (the rule of
  // builtinRoiMask: the voxel's atlas label is the ROI's value); spheres: their masks.
  const byAtlasValue = new Map<string, Map<number, number>>();
  for (const r of listBuiltinRois()) {
    if (r.kind !== 'atlas') continue;
    if (!byAtlasValue.has(r.atlas)) byAtlasValue.set(r.atlas, new Map());
    byAtlasValue.get(r.atlas)!.set(r.value, VIEWER_ROIS.find((v) => v.name === r.name)!.value);
  }
  for (const [atlas, values] of byAtlasValue) {
    const g = builtinAtlasGrid(atlas);
    const idx = nearestSourceIndex(g, grid);
    for (let o = 0; o < idx.length; o++) {
      const v = idx[o]! >= 0 ? values.get(g.labels[idx[o]!]!) : undefined;
      if (v && !labels[o]) labels[o] = v;
    }
  }
  for (const r of VIEWER_ROIS) {
    const roi = listBuiltinRois().find((x) => x.name === r.name)!;
    if (roi.kind !== 'sphere') continue;
    const m = builtinRoiMask(r.name, grid);
    for (let i = 0; i < m.length; i++) if (m[i] && !labels[i]) labels[i] = r.value;
  }
  cached = encodeNifti1({ dims, affine, datatype: 'uint8', data: labels, description: 'ddmvpa built-in ROIs' });
  return cached;
}
