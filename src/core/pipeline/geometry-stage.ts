/**
 * The geometry stage (graph.ts): the representational geometry of one (subject, ROI) from the
 * ROI's trial patterns over the subject's runs (src/core/geometry roiGeometry), as the
 * results.json GeometryRow: the trial RDM (correlation distance; crossnobis between the choice
 * conditions beside it when there are ≥ 2 runs), RSA against the configured model RDMs with a
 * label permutation test, PCA, MDS and the within/between ratio over choice.
 *
 * Also the subject's per-trial behaviour table (SubjectResult.trials) that the rows index into.
 */
import { DdError } from '../errors.ts';
import { contentKey } from '../cache/canonical.ts';
import type { TrialVariables } from '../behavior/trial-variables.ts';
import { roiGeometry, type ModelRdmKind } from '../geometry/index.ts';
import type { Config } from './config.ts';
import { STAGE_VERSIONS } from './graph.ts';
import type { BehaviorOutput, ExtractEntry } from './stages.ts';

/** Per-trial behaviour of a subject: all trials of all runs, in run then onset order. */
export interface SubjectTrials {
  /** 1-based position of the run among the subject's runs. */
  run: number[];
  onset: number[];
  /** Delay of the larger-later option (days). */
  delay: number[];
  ss_amount: number[];
  ll_amount: number[];
  /** 1 = larger-later, 0 = smaller-sooner, null = missed. */
  choice: (0 | 1 | null)[];
  sv_diff: (number | null)[];
}

export interface RsaRow {
  model: string;
  rho: number | null;
  p_value: number | null;
  q_value: number | null;
  n_permutations: number;
}

export interface GeometryRow {
  roi: string;
  n_trials: number;
  n_voxels: number;
  rdm_method: 'correlation' | 'crossnobis';
  /** Row i of the RDM / scatter = trial index trial_index[i] into SubjectResult.trials. */
  trial_index: number[];
  /** Condensed upper triangle (row-major, i < j) of the n_trials × n_trials RDM, 4 significant digits. */
  rdm: (number | null)[];
  rsa: RsaRow[];
  pca: { explained_variance_ratio: number[]; participation_ratio: number; scores: [number, number][] };
  mds: { coords: [number, number][] };
  ratio: { label: string; within: number | null; between: number | null; ratio: number | null; p_value: number | null; n_permutations: number } | null;
  /**
   * With ≥ 2 runs: the cross-validated squared Euclidean distance per voxel between the choice
   * conditions (crossnobis, identity noise), condensed like `rdm`; null otherwise.
   */
  crossnobis: { label: string; conditions: number[]; rdm: (number | null)[] } | null;
}

export interface GeometryEntry {
  row: GeometryRow | null;
  error: { code: string; message: string; file: string | null } | null;
}

/** The trial variable behind a model RDM, and its RDM kind. */
export function geometryModel(model: string): { variable: keyof TrialVariables; kind: ModelRdmKind } {
  if (model === 'choice') return { variable: 'choice', kind: 'categorical' };
  return { variable: (model === 'delay' ? 'later_delay' : model) as keyof TrialVariables, kind: 'absdiff' };
}

/** The per-trial table, and where each (run, events row) lands in it. */
export function subjectTrials(behavior: BehaviorOutput): { trials: SubjectTrials; position: (run: number, eventsRow: number) => number | undefined } {
  const trials: SubjectTrials = { run: [], onset: [], delay: [], ss_amount: [], ll_amount: [], choice: [], sv_diff: [] };
  const positions = new Map<string, number>();
  behavior.runs.forEach((r, ri) => {
    const sorted = [...r.trials].sort((a, b) => a.onset - b.onset || a.index - b.index);
    for (const t of sorted) {
      positions.set(`${ri}:${t.index}`, trials.run.length);
      trials.run.push(ri + 1);
      trials.onset.push(t.onset);
      trials.delay.push(t.later_delay);
      trials.ss_amount.push(t.small_amount);
      trials.ll_amount.push(t.large_amount);
      trials.choice.push(t.choice);
      trials.sv_diff.push(t.sv_diff);
    }
  });
  return { trials, position: (run, row) => positions.get(`${run}:${row}`) };
}

export function geometryParams(config: Config) {
  return { models: config.geometry.models, permutations: config.geometry.permutations, seed: config.seed };
}

export function geometryKey(extractKeys: string[], behavior: string, params: ReturnType<typeof geometryParams>): string {
  return contentKey('geometry', STAGE_VERSIONS.geometry, { extract: extractKeys, behavior, ...params });
}

const sig4 = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null);
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const pairs = (a: ArrayLike<number>, dims: number, n: number): [number, number][] =>
  Array.from({ length: dims > 0 ? n : 0 }, (_, i) => [sig4(a[i * dims]!) ?? 0, dims > 1 ? sig4(a[i * dims + 1]!) ?? 0 : 0]);

function condensed(D: ArrayLike<number>, n: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push(sig4(D[i * n + j]!));
  return out;
}

/** Trials × voxels of one ROI over the runs (every pattern row), and each row's run and trial. */
export function roiTrialPatterns(entries: ExtractEntry[], subject: string): { X: Float32Array; n: number; p: number; run: Int32Array; rows: { run: number; eventsRow: number }[] } {
  const p = entries[0]!.indices.length;
  for (const e of entries) {
    if (e.indices.length !== p || e.indices.some((v, i) => v !== entries[0]!.indices[i])) {
      throw new DdError('DATASET_GRID_MISMATCH', `sub-${subject}, ROI ${e.roi}: the runs do not share the same voxels (different BOLD grids?). Use BOLD files in one space and resolution for all runs.`);
    }
  }
  const n = entries.reduce((a, e) => a + e.rows.length, 0);
  const X = new Float32Array(n * p);
  const run = new Int32Array(n);
  const rows: { run: number; eventsRow: number }[] = [];
  let o = 0;
  entries.forEach((e, r) => {
    X.set(e.patterns, o * p);
    e.rows.forEach((row) => { run[o++] = r; rows.push({ run: r, eventsRow: row }); });
  });
  return { X, n, p, run, rows };
}

/** Every geometry measure of one ROI of a subject; a deterministic failure becomes the entry's error. */
export function computeGeometry(entries: ExtractEntry[], behavior: BehaviorOutput, config: Config, subject: string): GeometryEntry {
  try {
    return { row: geometryRow(entries, behavior, config, subject), error: null };
  } catch (e) {
    if (!(e instanceof DdError)) throw e;
    return { row: null, error: { code: e.code, message: `sub-${subject}, ROI ${entries[0]?.roi}: ${e.message}`, file: e.file ?? null } };
  }
}

function geometryRow(entries: ExtractEntry[], behavior: BehaviorOutput, config: Config, subject: string): GeometryRow {
  const { X, n, p, run, rows } = roiTrialPatterns(entries, subject);
  const { position } = subjectTrials(behavior);
  const vars = behavior.runs.map((r) => new Map(r.trials.map((t) => [t.index, t])));
  const trialOf = rows.map((r) => vars[r.run]!.get(r.eventsRow));
  const trialIndex = rows.map((r) => {
    const i = position(r.run, r.eventsRow);
    if (i === undefined) throw new DdError('PIPELINE_INTERNAL', `sub-${subject}: pattern row of events row ${r.eventsRow} (run ${r.run + 1}) has no trial.`);
    return i;
  });
  const valueOf = (variable: keyof TrialVariables) => trialOf.map((t) => {
    const v = t?.[variable];
    return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
  });
  // A model whose variable is defined for fewer than 3 trials (e.g. sv_diff of a degenerate fit) has no RSA.
  const variables: Record<string, { values: number[]; kind: ModelRdmKind }> = {};
  for (const m of config.geometry.models) {
    const { variable, kind } = geometryModel(m);
    const values = valueOf(variable);
    if (values.filter(Number.isFinite).length >= 3) variables[m] = { values, kind };
  }
  const choice = valueOf('choice');
  const conditions = choice.every(Number.isFinite) ? choice : null;
  const N = config.geometry.permutations;
  const g = roiGeometry(X, n, p, { variables, conditions, runs: entries.length >= 2 ? run : null, permutations: N, seed: config.seed });
  const ratio = g.distanceRatio;
  const cn = g.crossnobis;
  return {
    roi: entries[0]!.roi, n_trials: n, n_voxels: p, rdm_method: 'correlation', trial_index: trialIndex, rdm: condensed(g.rdm, n),
    rsa: Object.keys(variables).map((model) => ({ model, rho: finite(g.rsa[model]!.rho), p_value: g.rsa[model]!.pValue, q_value: null, n_permutations: N })),
    pca: { explained_variance_ratio: g.pca.explainedVarianceRatio.map((x) => sig4(x) ?? 0), participation_ratio: finite(g.pca.participationRatio) ?? 0, scores: pairs(g.pca.scores, g.pca.nScores, n) },
    mds: { coords: pairs(g.mds.coords, g.mds.dims, n) },
    ratio: ratio ? { label: 'choice', within: finite(ratio.within), between: finite(ratio.between), ratio: finite(ratio.ratio), p_value: ratio.pValue, n_permutations: ratio.nPermutations } : null,
    crossnobis: cn ? { label: 'choice', conditions: cn.conditions, rdm: condensed(cn.rdm, cn.conditions.length) } : null,
  };
}
