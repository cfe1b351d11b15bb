/**
 * The decoding stage behind one function type, so the runtime does not depend on how a
 * (subject, ROI, target) is decoded: the engine's driver (src/core/mvpa decode, see
 * ./mvpa-decode.ts) in production, small stand-ins in tests.
 */
import type { MetricName } from '../mvpa/metrics.ts';
import type { ModelName } from '../mvpa/model.ts';
import type { Scaling } from '../mvpa/scaling.ts';
import type { DecodeResult } from '../mvpa/decode.ts';

export interface DecodeTask {
  subject: string;
  roi: string;
  target: string;
  /** Row-major n × p trial patterns (f32). */
  X: Float32Array;
  n: number;
  p: number;
  /** 0/1 labels (classification) or values (regression). */
  y: Float64Array;
  kind: 'classification' | 'regression';
  /** Run code per sample (0..R−1), null for one run. */
  groups: Int32Array | null;
  /** Trial onsets (s) within their run. */
  onsets: Float64Array;
  model: ModelName;
  /** C (svc, logreg), alpha (ridge), class weights (classifiers): only the ones the model uses. */
  modelOptions: { C?: number; alpha?: number; classWeight?: 'balanced' | null };
  /** Resolved CV scheme (never `auto`). */
  cv: string;
  scaling: Scaling;
  metric: MetricName;
  permutations: number;
  seed: number;
}

/** The part of the decode driver's result the pipeline keeps (and caches). */
export type DecodeOutcome = Pick<DecodeResult,
  'metric' | 'score' | 'foldScores' | 'pValue' | 'nPermutations' | 'nullScores' | 'nSamples' | 'nFeatures' | 'model' | 'cv' | 'nNotConverged'>;

export interface DecodeContext {
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

export type DecodeStageFn = (task: DecodeTask, ctx: DecodeContext) => DecodeOutcome | Promise<DecodeOutcome>;
