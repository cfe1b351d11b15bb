import { Rng } from '../random.ts';
import type { Anatomy } from './anatomy.ts';
import type { DemoEffects, DemoGrid } from './spec.ts';

/** One trial as the simulation needs it (from the real events file and the fitted behaviour). */
export interface SimTrial {
  onset: number;
  duration: number;
  /** 1 = larger-later, 0 = smaller-sooner, null = missed. */
  choice: 1 | 0 | null;
  /** sv_ll − sv_ss under the subject's fitted discount rate (null when missed or unfit). */
  svDiff: number | null;
}

export interface SimInput {
  grid: DemoGrid;
  anatomy: Anatomy;
  trials: SimTrial[];
  nVolumes: number;
  /** HRF-convolved unit regressor of each trial, sampled at the volumes (T values each). */
  regressors: Float64Array[];
  /** Brain positions (into anatomy.brainIndices) carrying each effect. */
  choiceVoxels: Int32Array;
  valueVoxels: Int32Array;
  effects: DemoEffects;
  seed: number;
}

export interface SimConfounds {
  /** fMRIPrep-style columns, T values each (NaN where fMRIPrep writes n/a). */
  columns: Record<string, Float64Array>;
}

const MOTION = ['trans_x', 'trans_y', 'trans_z', 'rot_x', 'rot_y', 'rot_z'];

/** Head motion (random walks), white matter / CSF / global signals and framewise displacement. */
export function simulateConfounds(nVolumes: number, rng: Rng): SimConfounds {
  const T = nVolumes;
  const columns: Record<string, Float64Array> = {};
  const fd = new Float64Array(T);
  for (const name of MOTION) {
    const x = new Float64Array(T);
    const step = name.startsWith('trans') ? 0.02 : 0.0004; // mm, radians per volume
    for (let t = 1; t < T; t++) x[t] = 0.98 * x[t - 1]! + step * rng.normal();
    columns[name] = x;
    for (let t = 1; t < T; t++) fd[t]! += Math.abs(x[t]! - x[t - 1]!) * (name.startsWith('rot') ? 50 : 1);
  }
  for (const name of ['white_matter', 'csf', 'global_signal']) {
    const x = new Float64Array(T);
    for (let t = 1; t < T; t++) x[t] = 0.9 * x[t - 1]! + rng.normal();
    columns[name] = x;
  }
  fd[0] = NaN;
  columns.framewise_displacement = fd;
  for (const name of MOTION) {
    const x = columns[name]!;
    const d = new Float64Array(T);
    d[0] = NaN;
    for (let t = 1; t < T; t++) d[t] = x[t]! - x[t - 1]!;
    columns[`${name}_derivative1`] = d;
    columns[`${name}_power2`] = x.map((v) => v * v);
    columns[`${name}_derivative1_power2`] = d.map((v) => v * v);
  }
  return { columns };
}

/**
 * The voxel time series of one run, produced volume by volume as int16 (the data type of real
 * fMRIPrep outputs), so a 1.2 GB run never exists in memory at once.
 *
 * Model, per brain voxel v and volume t:
 *   y = b_v · (1 + 0.01 · Σ_i h_i(t) · A[i, v] + drift(t) + 0.004 · wm(t)) + AR(1) noise (SD b_v / tSNR)
 *   A[i, v] = task response (0.5–1 %) + trial jitter + choice pattern · (±1) + value pattern · z(sv_diff_i)
 * where h_i is trial i's HRF-convolved regressor; missed trials carry only the task response.
 */
export function* simulateVolumes(input: SimInput, confounds: SimConfounds): Generator<Int16Array> {
  const { anatomy, trials, nVolumes: T, regressors, effects } = input;
  const rng = new Rng(input.seed, 1);
  const brain = anatomy.brainIndices;
  const nb = brain.length;
  const nTrials = trials.length;

  // Trial × voxel response amplitudes (% signal change).
  const amp = new Float32Array(nTrials * nb);
  const task = new Float32Array(nb);
  for (let p = 0; p < nb; p++) task[p] = 0.5 + 0.5 * rng.next();
  const choicePattern = new Float32Array(input.choiceVoxels.length).map(() => rng.normal());
  const valuePattern = new Float32Array(input.valueVoxels.length).map(() => rng.normal());
  const sv = trials.map((t) => t.svDiff).filter((x): x is number => x !== null);
  const svMean = sv.reduce((a, b) => a + b, 0) / Math.max(1, sv.length);
  const svSd = Math.sqrt(sv.reduce((a, b) => a + (b - svMean) ** 2, 0) / Math.max(1, sv.length - 1)) || 1;
  for (let i = 0; i < nTrials; i++) {
    const row = amp.subarray(i * nb, (i + 1) * nb);
    const tr = trials[i]!;
    for (let p = 0; p < nb; p++) row[p] = task[p]! + effects.trialJitterPercent * rng.normal();
    if (tr.choice === null) continue;
    const sign = tr.choice === 1 ? 1 : -1;
    input.choiceVoxels.forEach((p, j) => (row[p]! += effects.choicePercent * sign * choicePattern[j]!));
    if (tr.svDiff !== null) {
      const z = (tr.svDiff - svMean) / svSd;
      input.valueVoxels.forEach((p, j) => (row[p]! += effects.valuePercent * z * valuePattern[j]!));
    }
  }

  const n = anatomy.baseline.length;
  const noiseSd = new Float32Array(nb);
  for (let p = 0; p < nb; p++) noiseSd[p] = anatomy.baseline[brain[p]!]! / effects.tsnr;
  const phi = 0.3;
  const innov = Math.sqrt(1 - phi * phi);
  const ar = new Float32Array(nb);
  for (let p = 0; p < nb; p++) ar[p] = noiseSd[p]! * rng.normal();
  // Background noise is drawn from a fixed table at a random offset per volume: cheap, and nothing
  // outside the brain is ever analysed.
  const table = new Float32Array(1 << 16).map(() => rng.normal());
  const wm = confounds.columns.white_matter!;
  const signal = new Float32Array(nb);
  const vol = new Int16Array(n);

  for (let t = 0; t < T; t++) {
    const drift = 0.01 * (t / T - 0.5) + 0.004 * Math.cos((2 * Math.PI * t) / T);
    const common = 1 + drift + 0.004 * wm[t]!;
    signal.fill(0);
    for (let i = 0; i < nTrials; i++) {
      const h = regressors[i]![t]!;
      if (Math.abs(h) < 1e-5) continue;
      const row = amp.subarray(i * nb, (i + 1) * nb);
      for (let p = 0; p < nb; p++) signal[p]! += h * row[p]!;
    }
    const off = rng.int(table.length);
    for (let v = 0; v < n; v++) {
      const b = anatomy.baseline[v]!;
      vol[v] = b > 0 ? Math.round(b + 3 * table[(v + off) & 0xffff]!) : 0;
    }
    for (let p = 0; p < nb; p++) {
      ar[p] = phi * ar[p]! + innov * noiseSd[p]! * rng.normal();
      const v = brain[p]!;
      const b = anatomy.baseline[v]!;
      vol[v] = Math.round(b * (common + 0.01 * signal[p]!) + ar[p]!);
    }
    yield vol;
  }
}
