/**
 * HRF-convolved event regressors.
 *
 * Conventions (ddmvpa; tests/fixtures/golden/design_*.json is built with the same rules by
 * an independent NumPy implementation, scripts/golden/design_reference.py):
 *
 * - Time 0 is the start of the acquisition of volume 0; the scan ends at T·TR.
 * - Frame times (when volume k is sampled): t_k = (k + sliceTimeRef) · TR, sliceTimeRef in
 *   [0, 1], default 0.5 (the middle of the TR, what slice-timing correction to the middle slice
 *   gives). This is exactly nilearn's FirstLevelModel: frame_times = linspace(slice_time_ref·TR,
 *   (n − 1 + slice_time_ref)·TR, n) (nilearn's default slice_time_ref is 0, ours 0.5).
 * - High-resolution grid: dt = TR / 16, grid point j at time (j − P)·dt with P = number of HRF
 *   samples (so the grid starts one kernel length, ≥ 32 s, before the scan and is aligned to
 *   t = 0). When 16·sliceTimeRef is an integer (0.5 → 8) every frame time is a grid point;
 *   otherwise the convolved regressor is linearly interpolated between the two neighbouring
 *   grid points (as nilearn's interp1d does). nilearn's own grid differs: it starts 24 s before
 *   frame_times[0], has rint-rounded length, so spacing only approximately TR/oversampling.
 * - Boxcar of an event (onset, duration, amplitude): amplitude on the grid points j with
 *   onset ≤ g_j < onset + duration (nilearn's searchsorted rule; ties within 1e−6·dt count as
 *   equal); a duration so short that no grid point falls inside (e.g. 0) gives one grid point,
 *   the first at or after the onset (nilearn: "offset at t + 1"). Overlapping events add.
 * - Convolution: causal, reg[j] = Σ_m h[m]·box[j − m] (numpy.convolve(box, h)[:len(box)]).
 * - Truncation: the grid covers [−P·dt, last frame time], so a negative onset is modelled
 *   (its HRF runs into the scan); the part of an event earlier than −P·dt cannot influence any
 *   frame (the kernel is P samples long) and is dropped; the part after the last frame time is
 *   dropped (it cannot influence any frame either). An event that starts at or after the scan
 *   end (T·TR) is not modelled at all (the projection builder warns); one that starts inside
 *   the scan but after the last frame time has an all-zero regressor (also not modelled).
 */
import { DdError } from '../errors.ts';
import { HRF_OVERSAMPLING, spmHrf } from './hrf.ts';

/** Tolerance (in grid steps) for an event boundary that falls on a grid point. */
export const GRID_TIE_TOL = 1e-6;

export interface EventBox {
  onset: number;
  duration: number;
  /** Default 1. */
  amplitude?: number;
}

export interface RegressorGrid {
  tr: number;
  nVolumes: number;
  sliceTimeRef: number;
  oversampling: number;
  /** tr / oversampling */
  dt: number;
  /** HRF kernel on the grid (sum 1). */
  hrf: Float64Array;
  /** Cumulative sums of the kernel: hrfCum[q] = Σ_{m ≤ q} hrf[m]. */
  hrfCum: Float64Array;
  /** Grid index of t = 0 (= hrf.length). */
  nPad: number;
  /** Number of grid points (covers every frame time and its upper neighbour). */
  nGrid: number;
  /** Fractional grid index of each frame time. */
  frameIndex: Float64Array;
}

export interface GridOptions {
  sliceTimeRef?: number;
  oversampling?: number;
  /** Kernel sampled at tr / oversampling; default the SPM canonical HRF. */
  hrf?: Float64Array;
}

/** t_k = (k + sliceTimeRef) · TR. */
export function frameTimes(tr: number, nVolumes: number, sliceTimeRef = 0.5): Float64Array {
  const out = new Float64Array(nVolumes);
  for (let k = 0; k < nVolumes; k++) out[k] = (k + sliceTimeRef) * tr;
  return out;
}

/** End of the scan, T · TR (end of the acquisition of the last volume). */
export function scanEnd(tr: number, nVolumes: number): number {
  return nVolumes * tr;
}

export function makeRegressorGrid(tr: number, nVolumes: number, opts: GridOptions = {}): RegressorGrid {
  const sliceTimeRef = opts.sliceTimeRef ?? 0.5;
  const oversampling = opts.oversampling ?? HRF_OVERSAMPLING;
  if (!(tr > 0) || !Number.isFinite(tr)) throw new DdError('DESIGN_BAD_INPUT', `TR must be a positive number of seconds, got ${tr}.`);
  if (!Number.isInteger(nVolumes) || nVolumes < 1)
    throw new DdError('DESIGN_BAD_INPUT', `The number of volumes must be a positive integer, got ${nVolumes}.`);
  if (!(sliceTimeRef >= 0 && sliceTimeRef <= 1))
    throw new DdError('DESIGN_BAD_INPUT', `sliceTimeRef must lie in [0, 1] (a fraction of the TR), got ${sliceTimeRef}.`);
  if (!Number.isInteger(oversampling) || oversampling < 1)
    throw new DdError('DESIGN_BAD_INPUT', `oversampling must be a positive integer, got ${oversampling}.`);
  const hrf = opts.hrf ?? spmHrf(tr, oversampling);
  const hrfCum = new Float64Array(hrf.length);
  let s = 0;
  for (let i = 0; i < hrf.length; i++) {
    s += hrf[i];
    hrfCum[i] = s;
  }
  const nPad = hrf.length;
  const frameIndex = new Float64Array(nVolumes);
  for (let k = 0; k < nVolumes; k++) frameIndex[k] = nPad + oversampling * (k + sliceTimeRef);
  const nGrid = Math.floor(frameIndex[nVolumes - 1]) + 2;
  return { tr, nVolumes, sliceTimeRef, oversampling, dt: tr / oversampling, hrf, hrfCum, nPad, nGrid, frameIndex };
}

/**
 * Grid range [start, stop) of an event's boxcar before clipping to the grid (see the module
 * comment); start < stop always.
 */
export function boxcarRange(grid: RegressorGrid, onset: number, duration: number): { start: number; stop: number } {
  const start = Math.ceil(onset / grid.dt + grid.nPad - GRID_TIE_TOL);
  let stop = Math.ceil((onset + duration) / grid.dt + grid.nPad - GRID_TIE_TOL);
  if (stop <= start) stop = start + 1;
  return { start, stop };
}

function cumAt(cum: Float64Array, q: number): number {
  if (q < 0) return 0;
  return cum[q < cum.length ? q : cum.length - 1];
}

/**
 * Sum of the HRF-convolved boxcars of `events`, sampled at the frame times (length T).
 * Costs O(T) per event (differences of the cumulative kernel), not a full convolution.
 */
export function eventRegressor(grid: RegressorGrid, events: readonly EventBox[]): Float64Array {
  const T = grid.nVolumes;
  const out = new Float64Array(T);
  for (const ev of events) {
    if (!Number.isFinite(ev.onset) || !Number.isFinite(ev.duration) || ev.duration < 0)
      throw new DdError('DESIGN_BAD_EVENT', `Event onset/duration must be finite with duration ≥ 0, got onset ${ev.onset}, duration ${ev.duration}.`);
    const amp = ev.amplitude ?? 1;
    const r = boxcarRange(grid, ev.onset, ev.duration);
    const start = Math.max(r.start, 0);
    const stop = Math.min(r.stop, grid.nGrid);
    if (stop <= start) continue;
    const conv = (j: number) => cumAt(grid.hrfCum, j - start) - cumAt(grid.hrfCum, j - stop);
    for (let k = 0; k < T; k++) {
      const u = grid.frameIndex[k];
      const j0 = Math.floor(u);
      const frac = u - j0;
      let v = conv(j0);
      if (frac !== 0) v += frac * (conv(j0 + 1) - v);
      out[k] += amp * v;
    }
  }
  return out;
}
