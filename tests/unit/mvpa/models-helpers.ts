/** Shared loaders for the dual-model tests (golden fixtures from scripts/golden/models_reference.py). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { memorySource } from '../../../src/core/io/byte-source.ts';
import { readNiftiImage } from '../../../src/core/nifti/index.ts';
import type { ModelOptions } from '../../../src/core/mvpa/model.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function readGolden<T>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}golden/${name}`, 'utf8')) as T;
}

export interface SvcRef { pred: number[]; decision: number[]; decision_train: number[]; intercept: number; n_iter: number; n_support: number; dual: number[] }
export interface LogregRef {
  pred: number[]; decision: number[]; n_iter: number; intercept: number; coef?: number[];
  exact: { decision: number[]; intercept: number; coef?: number[]; newton_iter: number };
}
export interface RidgeRef { intercept: number; pred: number[]; coef?: number[] }

export interface SmallCase {
  name: string; C: number; alpha: number; class_weight: 'balanced' | null; data_from?: string;
  X?: number[][]; y?: number[]; Xtest?: number[][]; y_reg?: number[];
  svc: SvcRef; logreg: LogregRef; ridge: RidgeRef;
}

export interface HaxbyFold {
  test_run: number; n_train: number;
  svc: SvcRef; logreg: LogregRef; ridge?: RidgeRef & { coef: number[] };
  ridge_time?: { coef: number[]; intercept: number; pred: number[] };
  accuracy: { svc: number; logreg: number; linear_svc: number };
}
export interface HaxbyGolden {
  sklearn: string; n_voxels: number; mask_indices: number[]; tr: number;
  face_house: { n_samples: number; mean_accuracy: { svc: number; logreg: number; linear_svc: number }; folds: HaxbyFold[] };
  balanced: { n_samples: number; samples: number[]; mean_accuracy: { svc: number; logreg: number; linear_svc: number }; folds: HaxbyFold[] };
}

/** Small case data (resolving data_from), its K (train × train) and Ktest (test × train) in f64. */
export function smallCaseData(c: SmallCase, all: SmallCase[]): {
  X: number[][]; y: Float64Array; Xtest: number[][]; yReg: Float64Array | null; K: Float64Array; Ktest: Float64Array; opts: ModelOptions;
} {
  const src = c.data_from ? all.find((d) => d.name === c.data_from)! : c;
  const X = src.X!, Xtest = src.Xtest!;
  return {
    X, Xtest,
    y: Float64Array.from(src.y!),
    yReg: src.y_reg ? Float64Array.from(src.y_reg) : null,
    K: cross(X, X),
    Ktest: cross(Xtest, X),
    opts: { C: c.C, alpha: c.alpha, classWeight: c.class_weight },
  };
}

/** A Bᵀ-style cross Gram: out[i, j] = a_i · b_j. */
export function cross(A: number[][], B: number[][]): Float64Array {
  const out = new Float64Array(A.length * B.length);
  for (let i = 0; i < A.length; i++) {
    for (let j = 0; j < B.length; j++) {
      let s = 0;
      for (let k = 0; k < A[i]!.length; k++) s += A[i]![k]! * B[j]![k]!;
      out[i * B.length + j] = s;
    }
  }
  return out;
}

export const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};
export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
/** max |a − b| / max(max |b|, floor). */
export const relDiff = (a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-12): number => maxDiff(a, b) / Math.max(maxAbs(b), floor);

export function rowsOf(X: Float64Array, p: number, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length * p);
  rows.forEach((r, a) => out.set(X.subarray(r * p, (r + 1) * p), a * p));
  return out;
}

export interface HaxbyData {
  /** 1452 volumes × 530 voxels (NIfTI x-fastest mask order), z-scored within run over all 121 volumes. */
  X: Float64Array;
  p: number;
  labels: number[];
  runs: number[];
  maskIndices: number[];
}

let haxby: Promise<HaxbyData> | null = null;
/** Haxby sub001 slice data built exactly as the golden script does (f64 z-scores, ddof 0). */
export function loadHaxby(): Promise<HaxbyData> {
  haxby ??= (async () => {
    const load = async (f: string) => readNiftiImage(memorySource(f, new Uint8Array(readFileSync(`${FIXTURES}haxby/${f}`))));
    const [bold, mask] = await Promise.all([load('bold.nii.gz'), load('mask.nii.gz')]);
    const V = mask.data.length, T = bold.header.nVolumes;
    const maskIndices: number[] = [];
    for (let v = 0; v < V; v++) if (mask.data[v] !== 0) maskIndices.push(v);
    const att = readFileSync(`${FIXTURES}haxby/attributes.txt`, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    const labels = att.map((a) => a[0]!), runs = att.map((a) => a[1]!);
    const p = maskIndices.length;
    const X = new Float64Array(T * p);
    for (let t = 0; t < T; t++) for (let j = 0; j < p; j++) X[t * p + j] = bold.data[t * V + maskIndices[j]!]!;
    for (const g of new Set(runs)) {
      const rows = runs.flatMap((r, t) => (r === g ? [t] : []));
      for (let j = 0; j < p; j++) {
        let m = 0;
        for (const t of rows) m += X[t * p + j]!;
        m /= rows.length;
        let ss = 0;
        for (const t of rows) ss += (X[t * p + j]! - m) ** 2;
        const sd = Math.sqrt(ss / rows.length);
        for (const t of rows) X[t * p + j] = (X[t * p + j]! - m) / sd;
      }
    }
    return { X, p, labels, runs, maskIndices };
  })();
  return haxby;
}
