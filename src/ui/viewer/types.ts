/**
 * The results.json v2 fields the maps and geometry views read (schema-contract.md), as the
 * pipeline-maps branch writes them (src/core/pipeline/results.ts, geometry-stage.ts: numbers that
 * could not be computed are null). Once that branch is merged these can become re-exports of its
 * types. All optional: version-1 files have none of them.
 */
import type { Results, SubjectResult } from '../../core/pipeline/results.ts';

export interface SubjectTrials {
  run: number[];
  onset: number[];
  delay: number[];
  ss_amount: number[];
  ll_amount: number[];
  /** 1 = larger-later. */
  choice: (0 | 1 | null)[];
  sv_diff: (number | null)[];
}

export interface GeometryRow {
  roi: string;
  n_trials: number;
  n_voxels: number;
  rdm_method: 'correlation' | 'crossnobis';
  /** Row i of the RDM / scatter = trial index trial_index[i] into SubjectTrials arrays. */
  trial_index: number[];
  /** Condensed upper triangle (row-major, i < j); null where undefined (a constant pattern). */
  rdm: (number | null)[];
  rsa: { model: string; rho: number | null; p_value: number | null; q_value: number | null; n_permutations: number }[];
  pca: { explained_variance_ratio: number[]; participation_ratio: number; scores: [number, number][] };
  mds: { coords: [number, number][] };
  ratio: { label: string; within: number | null; between: number | null; ratio: number | null; p_value: number | null; n_permutations: number } | null;
  /** With ≥ 2 runs: crossnobis distances between the choice conditions (not drawn yet). */
  crossnobis?: { label: string; conditions: number[]; rdm: (number | null)[] } | null;
}

export interface SearchlightMap {
  subject: string;
  target: string;
  file: string;
  p_file: string | null;
  n_voxels: number;
  peak: { score: number; mm: [number, number, number] } | null;
  mean: number | null;
  /** This map's own model, metric and chance (targets may differ in kind); else the section's. */
  model?: string;
  metric?: string;
  chance?: number;
  cv?: string;
  n_samples?: number;
}

export interface SearchlightGroupMap {
  target: string;
  file: string;
  n: number;
  df: number;
  peak: { t: number; mm: [number, number, number] } | null;
}

export interface SearchlightResults {
  radius_mm: number;
  model: string;
  cv: string;
  metric: string;
  chance: number;
  n_permutations: number;
  maps: SearchlightMap[];
  group: SearchlightGroupMap[];
}

export type SubjectResultV2 = Omit<SubjectResult, 'trials' | 'geometry'> & { trials?: SubjectTrials | null; geometry?: GeometryRow[] };
export type ResultsV2 = Omit<Results, 'subjects' | 'searchlight'> & { subjects: SubjectResultV2[]; searchlight?: SearchlightResults };
