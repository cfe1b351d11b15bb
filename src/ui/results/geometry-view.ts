/**
 * What the geometry plots need from a GeometryRow (schema-contract.md): the trials' labels in RDM
 * row order, the display order (choice, then subjective-value difference), and the full matrix
 * from the condensed upper triangle.
 */
import type { GeometryRow, SubjectTrials } from '../viewer/types.ts';

export interface RowLabels {
  /** Per RDM row: 0 smaller-sooner, 1 larger-later, null missing. */
  choice: (0 | 1 | null)[];
  svDiff: (number | null)[];
}

export function rowLabels(g: GeometryRow, trials: SubjectTrials | null | undefined): RowLabels {
  const n = g.n_trials;
  const at = <T>(a: T[] | undefined, i: number): T | null => (a && g.trial_index[i] !== undefined ? (a[g.trial_index[i]!] ?? null) : null);
  return {
    choice: Array.from({ length: n }, (_, i) => at(trials?.choice, i)),
    svDiff: Array.from({ length: n }, (_, i) => at(trials?.sv_diff, i)),
  };
}

/** Row order for display: smaller-sooner, then larger-later, then missing; within each by sv_diff. */
export function displayOrder(labels: RowLabels): number[] {
  const key = (c: 0 | 1 | null) => (c === null ? 2 : c);
  const sv = (v: number | null) => (v === null ? Infinity : v);
  return labels.choice.map((_, i) => i).sort((a, b) => key(labels.choice[a]!) - key(labels.choice[b]!) || sv(labels.svDiff[a]!) - sv(labels.svDiff[b]!) || a - b);
}

/** Value (i, j) of the condensed upper triangle of an n × n symmetric matrix with zero diagonal. */
export function condensedAt(rdm: (number | null)[], n: number, i: number, j: number): number | null {
  if (i === j) return 0;
  const [a, b] = i < j ? [i, j] : [j, i];
  return rdm[a * n - (a * (a + 1)) / 2 + (b - a - 1)]!;
}

/** Finite min and max of the off-diagonal values. */
export function rdmRange(rdm: (number | null)[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of rdm) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return lo <= hi ? [lo, hi] : [0, 1];
}
