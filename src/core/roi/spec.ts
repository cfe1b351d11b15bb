/**
 * The ROI SPEC of the CLI (`ddmvpa extract --roi SPEC…`, docs CLI.md) and its resolution to a
 * voxel mask on the BOLD grid:
 *
 *   nacc_l                          a built-in ROI (see builtin.ts)
 *   NAME=mask.nii.gz                every non-zero voxel of a mask image
 *   NAME=atlas.nii.gz:71+72         voxels whose label is one of the listed integers
 *   NAME=sphere:X,Y,Z,R_MM          a sphere around an MNI (world) coordinate
 *
 * Images are on any grid: they are resampled to the BOLD grid by nearest neighbour through both
 * affines. RGBA label atlases (NiiVue PAQD, e.g. CIT168) are read through their R channel (the
 * most likely label), which is what the NIfTI reader puts in `data`.
 */
import { DdError } from '../errors.ts';
import { BUILTIN_ROI_NAMES, builtinRoiMask, getBuiltinRoi, isBuiltinRoi } from './builtin.ts';
import { type Grid, type Volume3D, gridSize } from './grid.ts';
import { maskFromLabels, maskIndices, nearestSourceIndex, sphereMask } from './resample.ts';

export type RoiSpec =
  | { kind: 'builtin'; name: string; spec: string }
  | { kind: 'mask'; name: string; path: string; spec: string }
  | { kind: 'atlas'; name: string; path: string; labels: number[]; spec: string }
  | { kind: 'sphere'; name: string; centreMm: [number, number, number]; radiusMm: number; spec: string };

export interface ResolvedRoi {
  name: string;
  /** 1/0 per voxel of the BOLD grid (NIfTI order). */
  mask: Uint8Array;
  /** Linear indices of the mask voxels, ascending. */
  indices: Int32Array;
  nVoxels: number;
  /** Human-readable provenance (file, labels, coordinates, atlas credit). */
  source: string;
  spec: RoiSpec;
}

export type LoadImage = (path: string) => Promise<Volume3D>;

const EXAMPLES =
  'e.g. --roi nacc_l, --roi ofc=mask.nii.gz, --roi caudate=aal.nii.gz:71+72, --roi vmpfc=sphere:2,46,-8,10';
const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const NIFTI_RE = /\.nii(\.gz)?$/i;

function bad(spec: string, why: string): DdError {
  return new DdError('ROI_BAD_SPEC', `--roi "${spec}": ${why}; ${EXAMPLES}.`);
}

function num(spec: string, s: string, what: string): number {
  const t = s.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw bad(spec, `${what} "${s}" is not a number`);
  return v;
}

/** Parse one ROI SPEC. Throws ROI_BAD_SPEC (syntax) or ROI_UNKNOWN (unknown built-in name). */
export function parseRoiSpec(spec: string): RoiSpec {
  const s = spec.trim();
  if (s === '') throw bad(spec, 'empty ROI spec');
  const eq = s.indexOf('=');
  if (eq < 0) {
    if (NIFTI_RE.test(s) || s.includes('/') || s.includes(':') || s.includes('\\')) {
      throw bad(spec, 'a file or sphere needs a name: NAME=FILE, NAME=ATLAS:LABEL or NAME=sphere:X,Y,Z,R_MM');
    }
    if (!isBuiltinRoi(s)) getBuiltinRoi(s); // throws ROI_UNKNOWN with the list
    return { kind: 'builtin', name: s, spec: s };
  }
  const name = s.slice(0, eq).trim();
  const value = s.slice(eq + 1).trim();
  if (!NAME_RE.test(name)) {
    throw bad(spec, `the name "${name}" must start with a letter and use only letters, digits, _ . - (it becomes a file name)`);
  }
  if (value === '') throw bad(spec, `nothing after "${name}="`);
  if (/^sphere:/i.test(value)) {
    const parts = value.slice(value.indexOf(':') + 1).split(',');
    if (parts.length !== 4) throw bad(spec, `a sphere needs 4 numbers X,Y,Z,R_MM, got ${parts.length}`);
    const [x, y, z] = parts.slice(0, 3).map((p, i) => num(spec, p, ['X', 'Y', 'Z'][i]));
    const r = num(spec, parts[3], 'R_MM');
    if (!(r > 0)) throw bad(spec, `the radius must be > 0 mm, got ${r}`);
    return { kind: 'sphere', name, centreMm: [x, y, z], radiusMm: r, spec: s };
  }
  if (NIFTI_RE.test(value)) return { kind: 'mask', name, path: value, spec: s };
  const colon = value.lastIndexOf(':');
  if (colon > 0) {
    const path = value.slice(0, colon);
    const lab = value.slice(colon + 1).trim();
    if (!NIFTI_RE.test(path)) throw bad(spec, `"${path}" is not a NIfTI file (.nii or .nii.gz)`);
    if (lab === '') throw bad(spec, `no label after "${path}:"`);
    const labels = lab.split('+').map((t) => {
      const tt = t.trim();
      if (!/^-?\d+$/.test(tt)) throw bad(spec, `atlas label "${t}" is not an integer (give label values joined by +)`);
      return Number(tt);
    });
    return { kind: 'atlas', name, path, labels: [...new Set(labels)], spec: s };
  }
  throw bad(spec, `"${value}" is neither a NIfTI file (.nii/.nii.gz), ATLAS:LABEL nor sphere:X,Y,Z,R_MM`);
}

/** Parse several specs; names must be unique (they become output file names). */
export function parseRoiSpecs(specs: string[]): RoiSpec[] {
  const out = specs.map(parseRoiSpec);
  const seen = new Set<string>();
  for (const r of out) {
    if (seen.has(r.name)) {
      throw new DdError('ROI_DUPLICATE_NAME', `--roi "${r.spec}": the ROI name "${r.name}" is used twice; give each ROI its own NAME=.`);
    }
    seen.add(r.name);
  }
  return out;
}

function emptyError(spec: RoiSpec, what: string, file?: string): DdError {
  return new DdError(
    'ROI_EMPTY',
    `--roi "${spec.spec}": ${what} leaves 0 voxels on the BOLD grid. Check that ${file ? `${file} and the BOLD` : 'the ROI and the BOLD'} are in the same space (e.g. MNI152NLin2009cAsym) and that the affines (sform/qform) are right.`,
    file ? { file } : {},
  );
}

function volumeData(spec: RoiSpec & { path: string }, vol: Volume3D): ArrayLike<number> {
  const n = gridSize(vol);
  if (vol.data.length !== n) {
    throw new DdError(
      'ROI_BAD_MASK',
      `--roi "${spec.spec}": ${spec.path} holds ${vol.data.length} values for a ${vol.dims.join('×')} grid (a 4D image?); pass a 3D mask or label image.`,
      { file: spec.path },
    );
  }
  return vol.data;
}

function finish(spec: RoiSpec, mask: Uint8Array, source: string, file?: string, what = 'the ROI'): ResolvedRoi {
  const indices = maskIndices(mask);
  if (indices.length === 0) throw emptyError(spec, what, file);
  return { name: spec.name, mask, indices, nVoxels: indices.length, source, spec };
}

/**
 * Resolve a parsed spec to a mask on the BOLD grid `target`. `loadImage` reads a 3D NIfTI
 * (any grid) for the file forms; it is not called for built-ins and spheres.
 */
export async function resolveRoi(spec: RoiSpec, target: Grid, loadImage: LoadImage): Promise<ResolvedRoi> {
  switch (spec.kind) {
    case 'builtin': {
      const roi = getBuiltinRoi(spec.name);
      const src =
        roi.kind === 'atlas'
          ? `built-in ${roi.name} (${roi.label}): ${roi.source}; ${roi.credit}`
          : `built-in ${roi.name} (${roi.label}): sphere r=${roi.radius_mm} mm at MNI (${roi.centre_mm.join(', ')}); ${roi.source}` +
            (roi.verified ? '' : ' [coordinate not yet checked against the paper]');
      return finish(spec, builtinRoiMask(spec.name, target), src, undefined, `the built-in ROI ${spec.name}`);
    }
    case 'sphere': {
      const [x, y, z] = spec.centreMm;
      return finish(spec, sphereMask(target, spec.centreMm, spec.radiusMm), `sphere r=${spec.radiusMm} mm at (${x}, ${y}, ${z}) mm`, undefined, `the sphere at (${x}, ${y}, ${z}) mm`);
    }
    case 'mask': {
      const vol = await loadImage(spec.path);
      const d = volumeData(spec, vol);
      let any = 0;
      for (let i = 0; i < d.length; i++) if (d[i] !== 0 && !Number.isNaN(d[i])) any++;
      if (any === 0) {
        throw new DdError('ROI_EMPTY', `--roi "${spec.spec}": ${spec.path} has no non-zero voxel; pass a binary mask with 1 inside the ROI.`, { file: spec.path });
      }
      const idx = nearestSourceIndex(vol, target);
      const mask = new Uint8Array(idx.length);
      for (let o = 0; o < idx.length; o++) {
        const s = idx[o];
        if (s >= 0 && d[s] !== 0 && !Number.isNaN(d[s])) mask[o] = 1;
      }
      return finish(spec, mask, `${spec.path} (${any} non-zero voxels on its own grid)`, spec.path, spec.path);
    }
    case 'atlas': {
      const vol = await loadImage(spec.path);
      const d = volumeData(spec, vol);
      const present = maskFromLabels({ data: d }, spec.labels);
      const found = new Set<number>();
      for (let i = 0; i < d.length; i++) if (present[i]) found.add(Math.round(d[i]));
      const missing = spec.labels.filter((l) => !found.has(l));
      if (missing.length > 0) {
        const all = new Set<number>();
        for (let i = 0; i < d.length && all.size < 100000; i++) {
          const r = Math.round(d[i]);
          if (r !== 0 && Math.abs(d[i] - r) < 1e-4) all.add(r);
        }
        const sorted = [...all].sort((a, b) => a - b);
        const shown = sorted.length > 20 ? `${sorted.slice(0, 20).join(', ')}, … (${sorted.length} labels)` : sorted.join(', ');
        throw new DdError(
          'ROI_LABEL_MISSING',
          `--roi "${spec.spec}": label${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in ${spec.path}; labels present: ${shown || 'none'}. Check the atlas' label table.`,
          { file: spec.path },
        );
      }
      const idx = nearestSourceIndex(vol, target);
      const mask = new Uint8Array(idx.length);
      for (let o = 0; o < idx.length; o++) {
        const s = idx[o];
        if (s >= 0 && present[s]) mask[o] = 1;
      }
      return finish(spec, mask, `${spec.path} label${spec.labels.length > 1 ? 's' : ''} ${spec.labels.join('+')}`, spec.path, `${spec.path} label ${spec.labels.join('+')}`);
    }
  }
}

/** Parse and resolve in one go (names checked for uniqueness). */
export async function resolveRois(specs: string[], target: Grid, loadImage: LoadImage): Promise<ResolvedRoi[]> {
  const parsed = parseRoiSpecs(specs);
  const out: ResolvedRoi[] = [];
  for (const p of parsed) out.push(await resolveRoi(p, target, loadImage));
  return out;
}

export { BUILTIN_ROI_NAMES };
