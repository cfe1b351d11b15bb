/**
 * A brain mask from the mean EPI volume, as nilearn's `masking.compute_epi_mask` computes it
 * (T. Nichols' heuristic: threshold at the widest gap in the sorted intensities between the
 * lower and upper cutoff fractions), step for step:
 *
 * 1. (when opening > 0) smooth the mean with a Gaussian of FWHM 1 voxel along x, then y, then z
 *    (nilearn `_compute_mean(..., smooth=1)` → `smooth_array(affine=eye)` →
 *    `scipy.ndimage.gaussian_filter1d`, truncate 4, mode "reflect"); NaNs → 0 for the filter and
 *    back to NaN after, then every non-finite value → 0 (`ensure_finite`);
 * 2. sort all values (without zeros if `excludeZeros`); lower = ⌊0.2·n⌋, upper = min(⌊0.85·n⌋, n−1);
 *    the first largest difference between consecutive sorted values in [lower, upper] gives the
 *    threshold as the midpoint of that gap; mask = mean ≥ threshold;
 * 3. `_post_process_mask`: binary erosion × opening, largest 6-connected component, binary
 *    dilation × 2·opening, binary erosion × opening (scipy.ndimage, 6-neighbour cross, voxels
 *    outside the grid count as 0).
 *
 * Pure function over a 3D volume (x fastest); the caller computes the mean over time.
 */
import { DdError } from '../errors.ts';

export interface EpiMaskOptions {
  /** Fraction of the sorted histogram where the gap search starts (nilearn default 0.2). */
  lowerCutoff?: number;
  /** Fraction where it ends (nilearn default 0.85). */
  upperCutoff?: number;
  /** Keep only the largest connected component (default true). */
  connected?: boolean;
  /** Opening iterations; 0 disables smoothing and morphology (default 2). */
  opening?: number;
  /** Leave zeros out of the threshold search (default false). */
  excludeZeros?: boolean;
  /** Replace non-finite values by 0 before thresholding (default true). */
  ensureFinite?: boolean;
  /** File name for error messages. */
  name?: string;
}

export interface EpiMaskInput {
  dims: [number, number, number];
  data: ArrayLike<number>;
}

/** The mean over volumes (f64), for a 4D run held as one array per volume. */
export function meanOfVolumes(volumes: ArrayLike<number>[]): Float64Array {
  if (volumes.length === 0) throw new DdError('EPI_MASK_NO_DATA', 'mean of 0 volumes: pass at least one volume.');
  const n = volumes[0].length;
  const out = new Float64Array(n);
  for (const v of volumes) {
    if (v.length !== n) throw new DdError('EPI_MASK_NO_DATA', 'volumes of different sizes: pass volumes of one run.');
    for (let i = 0; i < n; i++) out[i] += v[i];
  }
  for (let i = 0; i < n; i++) out[i] /= volumes.length;
  return out;
}

/** scipy.ndimage "reflect" boundary (d c b a | a b c d | d c b a). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const p = 2 * n;
  let m = i % p;
  if (m < 0) m += p;
  return m < n ? m : p - 1 - m;
}

/** In-place 1D Gaussian filter along one axis, as scipy.ndimage.gaussian_filter1d (order 0, truncate 4). */
export function gaussianFilter1d(arr: Float64Array, dims: [number, number, number], axis: 0 | 1 | 2, sigma: number): void {
  const radius = Math.trunc(4 * sigma + 0.5);
  const w: number[] = [];
  let sum = 0;
  for (let x = -radius; x <= radius; x++) {
    const v = Math.exp((-0.5 / (sigma * sigma)) * x * x);
    w.push(v);
    sum += v;
  }
  for (let t = 0; t < w.length; t++) w[t] /= sum;
  const [nx, ny, nz] = dims;
  const len = dims[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const line = new Float64Array(len);
  const outer = (nx * ny * nz) / len;
  for (let l = 0; l < outer; l++) {
    // start index of line l along `axis`
    let start: number;
    if (axis === 0) start = l * nx;
    else if (axis === 1) start = (l % nx) + nx * ny * Math.floor(l / nx);
    else start = l;
    for (let t = 0; t < len; t++) line[t] = arr[start + t * stride];
    for (let t = 0; t < len; t++) {
      let acc = 0;
      for (let q = -radius; q <= radius; q++) acc += w[q + radius] * line[reflectIndex(t + q, len)];
      arr[start + t * stride] = acc;
    }
  }
}

/** One binary erosion (erode = true) or dilation with the 6-neighbour cross; outside = 0. */
function morph(mask: Uint8Array, dims: [number, number, number], erode: boolean): Uint8Array {
  const [nx, ny, nz] = dims;
  const out = new Uint8Array(mask.length);
  const sxy = nx * ny;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const o = i + nx * j + sxy * k;
        if (erode) {
          out[o] =
            mask[o] &&
            i > 0 && mask[o - 1] && i < nx - 1 && mask[o + 1] &&
            j > 0 && mask[o - nx] && j < ny - 1 && mask[o + nx] &&
            k > 0 && mask[o - sxy] && k < nz - 1 && mask[o + sxy]
              ? 1
              : 0;
        } else {
          out[o] =
            mask[o] ||
            (i > 0 && mask[o - 1]) || (i < nx - 1 && mask[o + 1]) ||
            (j > 0 && mask[o - nx]) || (j < ny - 1 && mask[o + nx]) ||
            (k > 0 && mask[o - sxy]) || (k < nz - 1 && mask[o + sxy])
              ? 1
              : 0;
        }
      }
    }
  }
  return out;
}

export function binaryErosion(mask: Uint8Array, dims: [number, number, number], iterations = 1): Uint8Array {
  let m = mask;
  for (let t = 0; t < iterations; t++) m = morph(m, dims, true);
  return m;
}

export function binaryDilation(mask: Uint8Array, dims: [number, number, number], iterations = 1): Uint8Array {
  let m = mask;
  for (let t = 0; t < iterations; t++) m = morph(m, dims, false);
  return m;
}

/**
 * The largest 6-connected component (nilearn `largest_connected_component`). Ties go to the
 * component scipy.ndimage.label numbers first, i.e. the one reached first in C order of the
 * (x, y, z) array (x slowest, z fastest).
 */
export function largestConnectedComponent(mask: Uint8Array, dims: [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const label = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestSize = -1;
  let bestKey = Infinity;
  let next = 0;
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || label[s]) continue;
    next++;
    let top = 0;
    stack[top++] = s;
    label[s] = next;
    let size = 0;
    let key = Infinity;
    while (top > 0) {
      const o = stack[--top];
      size++;
      const i = o % nx;
      const j = Math.floor(o / nx) % ny;
      const k = Math.floor(o / sxy);
      const c = (i * ny + j) * nz + k;
      if (c < key) key = c;
      const nb = [
        i > 0 ? o - 1 : -1, i < nx - 1 ? o + 1 : -1,
        j > 0 ? o - nx : -1, j < ny - 1 ? o + nx : -1,
        k > 0 ? o - sxy : -1, k < nz - 1 ? o + sxy : -1,
      ];
      for (const q of nb) {
        if (q >= 0 && mask[q] && !label[q]) {
          label[q] = next;
          stack[top++] = q;
        }
      }
    }
    if (size > bestSize || (size === bestSize && key < bestKey)) {
      best = next;
      bestSize = size;
      bestKey = key;
    }
  }
  const out = new Uint8Array(mask.length);
  if (best === 0) return out;
  for (let o = 0; o < mask.length; o++) if (label[o] === best) out[o] = 1;
  return out;
}

/** Threshold chosen by the histogram-gap rule (exported for tests and reports). */
export function epiThreshold(values: ArrayLike<number>, lowerCutoff = 0.2, upperCutoff = 0.85, excludeZeros = false, name = 'mean EPI'): number {
  let sorted = Float64Array.from(values).sort();
  if (excludeZeros) sorted = sorted.filter((v) => v !== 0);
  const n = sorted.length;
  const lower = Math.floor(lowerCutoff * n);
  const upper = Math.min(Math.floor(upperCutoff * n), n - 1);
  if (!(upper > lower) || lower < 0) {
    throw new DdError(
      'EPI_MASK_FAILED',
      `${name}: cannot compute an EPI mask from ${n} values with cutoffs ${lowerCutoff}–${upperCutoff}; pass a larger volume or a brain mask instead.`,
      { file: name },
    );
  }
  let ia = 0;
  let best = -Infinity;
  for (let t = 0; t < upper - lower; t++) {
    const d = sorted[lower + t + 1] - sorted[lower + t];
    if (d > best) {
      best = d;
      ia = t;
    }
  }
  // Departure from nilearn, for degenerate input only: with no gap at all (a constant image)
  // nilearn thresholds at that constant and returns a box; we refuse instead.
  const scale = Math.max(Math.abs(sorted[0]), Math.abs(sorted[n - 1]), Number.MIN_VALUE);
  if (!(best > 1e-9 * scale)) {
    throw new DdError(
      'EPI_MASK_FAILED',
      `${name}: the intensities between the ${lowerCutoff} and ${upperCutoff} quantiles are all equal, so there is no brain/background gap; pass raw EPI volumes or a brain mask.`,
      { file: name },
    );
  }
  return 0.5 * (sorted[ia + lower] + sorted[ia + lower + 1]);
}

/** nilearn-compatible EPI brain mask of a mean volume (see the module comment). */
export function computeEpiMask(meanVolume: EpiMaskInput, opts: EpiMaskOptions = {}): Uint8Array {
  const lowerCutoff = opts.lowerCutoff ?? 0.2;
  const upperCutoff = opts.upperCutoff ?? 0.85;
  const connected = opts.connected ?? true;
  const opening = Math.trunc(opts.opening ?? 2);
  const ensureFinite = opts.ensureFinite ?? true;
  const name = opts.name ?? 'mean EPI';
  const dims = meanVolume.dims;
  const n = dims[0] * dims[1] * dims[2];
  if (meanVolume.data.length !== n) {
    throw new DdError('EPI_MASK_NO_DATA', `${name}: ${meanVolume.data.length} values for a ${dims.join('×')} grid; pass one 3D mean volume.`, { file: name });
  }
  const arr = Float64Array.from(meanVolume.data);
  if (opening) {
    const nan = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(arr[i])) nan[i] = 1;
      if (!Number.isFinite(arr[i])) arr[i] = 0;
    }
    const sigma = 1 / Math.sqrt(8 * Math.log(2));
    gaussianFilter1d(arr, dims, 0, sigma);
    gaussianFilter1d(arr, dims, 1, sigma);
    gaussianFilter1d(arr, dims, 2, sigma);
    for (let i = 0; i < n; i++) if (nan[i]) arr[i] = NaN;
  }
  if (ensureFinite) for (let i = 0; i < n; i++) if (!Number.isFinite(arr[i])) arr[i] = 0;
  const threshold = epiThreshold(arr, lowerCutoff, upperCutoff, opts.excludeZeros ?? false, name);
  let mask: Uint8Array = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (arr[i] >= threshold) mask[i] = 1;
  if (opening) mask = binaryErosion(mask, dims, opening);
  let any = false;
  for (let i = 0; i < n && !any; i++) if (mask[i]) any = true;
  if (connected && any) mask = largestConnectedComponent(mask, dims);
  if (opening) {
    mask = binaryDilation(mask, dims, 2 * opening);
    mask = binaryErosion(mask, dims, opening);
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += mask[i];
  if (count === 0) {
    throw new DdError(
      'EPI_MASK_EMPTY',
      `${name}: the EPI mask is empty. Are these raw (not detrended, not demeaned) EPI volumes? Raise lowerCutoff, use opening 0, or pass a brain mask.`,
      { file: name },
    );
  }
  return mask;
}
