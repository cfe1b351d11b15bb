/**
 * The decoding dataset of one ROI: samples (trials) × features (voxels) with the trial attributes
 * that decoding needs — target, run (group) and onset — read from a trial table such as the
 * `trials.tsv` that `ddmvpa extract` writes (one row per row of the pattern matrix).
 *
 *  - Rows whose target is `n/a` or empty are dropped and counted (missed trials: no choice).
 *  - The target is a classification target when it has exactly two distinct values (text labels
 *    or numbers: the smaller / alphabetically first becomes 0, the other 1, as LabelEncoder) and a
 *    regression target when it is numeric with more than two values; a caller can force either.
 *  - Runs: the `groups` column (default `run` when the table has one, else one run).
 *  - Onsets: the `onset` column when present (blocked CV with a gap needs it).
 *
 * Errors (DdError, naming the file and the fix): DECODE_NO_COLUMN, DECODE_LENGTH_MISMATCH,
 * DECODE_NAN, DECODE_CONSTANT_TARGET, DECODE_NOT_BINARY, DECODE_BAD_GROUP, DECODE_BAD_ONSET,
 * DECODE_NO_SAMPLES, DECODE_BAD_SHAPE, DECODE_TABLE_EMPTY, DECODE_TABLE_BAD_ROW.
 */
import { readRawTable, parseNumberCell, type RawTable } from '../bids/table.ts';
import { DdError } from '../errors.ts';
import type { ModelKind } from './model.ts';
import { encodeGroups } from './splitters.ts';

export interface TrialTable extends RawTable {
  file: string;
}

/** Reads a tab-separated trial table with a header row. */
export function readTrialTable(text: string, file: string): TrialTable {
  const t = readRawTable(text, file, { empty: 'DECODE_TABLE_EMPTY', badRow: 'DECODE_TABLE_BAD_ROW' }, 'trial table');
  if (t.rows.length === 0) {
    throw new DdError('DECODE_TABLE_EMPTY', `${file}: the trial table has a header but no rows. Use the trials.tsv written by \`ddmvpa extract\` (one row per pattern).`, { file });
  }
  return { ...t, file };
}

/** Cells that mean "no value": the row is dropped from decoding. */
export function isNaCell(s: string): boolean {
  return s === '' || s === 'n/a' || s === 'N/A' || s === 'NA';
}

export interface Features {
  /** Row-major samples × features. */
  data: Float32Array | Float64Array;
  shape: number[];
  file: string;
}

export interface DecodeDataset {
  /** Row-major n × p features of the kept rows (same precision as the input). */
  X: Float32Array | Float64Array;
  n: number;
  p: number;
  /** 0/1 labels (classification) or values (regression). */
  y: Float64Array;
  kind: ModelKind;
  /** Classification: the labels coded 0 and 1. */
  classes: [string, string] | null;
  /** Dense run codes (sorted run order), null for a single run. */
  groups: Int32Array | null;
  groupNames: string[];
  groupColumn: string | null;
  onsets: Float64Array | null;
  /** Index in the table / pattern matrix of each kept row. */
  rows: Int32Array;
  /** Rows dropped because the target was n/a or empty. */
  nDropped: number;
  target: string;
  xFile: string;
  yFile: string;
}

export interface DatasetOptions {
  target: string;
  /** Run column; undefined = `run` when present, null = one run. */
  groups?: string | null;
  /** Force the target kind (e.g. ridge on a 0/1 target is regression); default from the values. */
  kind?: ModelKind | 'auto';
}

function noColumn(table: TrialTable, col: string, what: string, fix: string): DdError {
  return new DdError(
    'DECODE_NO_COLUMN',
    `${table.file}: no column '${col}' (${what}). The table has columns: ${table.columns.join(', ')}. ${fix}`,
    { file: table.file },
  );
}

export function buildDataset(features: Features, table: TrialTable, opts: DatasetOptions): DecodeDataset {
  const xFile = features.file, yFile = table.file;
  if (features.shape.length !== 2) {
    throw new DdError('DECODE_BAD_SHAPE', `${xFile}: the patterns must be a 2-D array (trials × features), this one has shape (${features.shape.join(', ')}). Save one ROI's trials × voxels matrix.`, { file: xFile });
  }
  const [nAll, p] = features.shape as [number, number];
  if (p < 1) throw new DdError('DECODE_BAD_SHAPE', `${xFile}: the patterns have no features (shape ${nAll} × 0). Use an ROI with at least one voxel.`, { file: xFile });
  if (nAll !== table.rows.length) {
    throw new DdError(
      'DECODE_LENGTH_MISMATCH',
      `${xFile} has ${nAll} rows (trials) but ${yFile} has ${table.rows.length}. Use the trial table written with these patterns (the trials.tsv beside the .npy).`,
      { file: yFile },
    );
  }
  const tIdx = table.columns.indexOf(opts.target);
  if (tIdx < 0) throw noColumn(table, opts.target, 'the --target', 'Pick one of them with --target (e.g. choice or sv_diff).');
  let gName: string | null;
  if (opts.groups === undefined) gName = table.columns.includes('run') ? 'run' : null;
  else gName = opts.groups;
  const gIdx = gName === null ? -1 : table.columns.indexOf(gName);
  if (gName !== null && gIdx < 0) throw noColumn(table, gName, 'the --groups run column', 'Name the run column with --groups, or leave it out for one run.');
  const oIdx = table.columns.indexOf('onset');

  // Rows with a target.
  const keep: number[] = [];
  for (let r = 0; r < nAll; r++) if (!isNaCell(table.rows[r]![tIdx]!)) keep.push(r);
  const n = keep.length;
  const nDropped = nAll - n;
  if (n === 0) {
    throw new DdError('DECODE_NO_SAMPLES', `${yFile}: every row has target '${opts.target}' n/a; nothing to decode. Pick a target with values (e.g. choice, sv_diff).`, { file: yFile });
  }

  // Target values.
  const cells = keep.map((r) => table.rows[r]![tIdx]!);
  const nums = cells.map(parseNumberCell);
  for (let i = 0; i < n; i++) {
    if (/^[+-]?(nan|inf(inity)?)$/i.test(cells[i]!)) {
      throw new DdError('DECODE_NAN', `${yFile}, line ${table.lines[keep[i]!]}: target '${opts.target}' is ${cells[i]}. Write n/a for a missing value (the row is then dropped) or fix the value.`, { file: yFile });
    }
  }
  const numeric = nums.every(Number.isFinite);
  const distinct = numeric ? [...new Set(nums)].sort((a, b) => a - b) : [...new Set(cells)].sort();
  if (distinct.length < 2) {
    throw new DdError(
      'DECODE_CONSTANT_TARGET',
      `${yFile}: target '${opts.target}' has one value (${distinct[0]}) in all ${n} rows with a value${nDropped ? ` (${nDropped} n/a rows dropped)` : ''}; there is nothing to decode. ` +
        `Pick another target, or check the behaviour of this subject (e.g. all choices larger-later).`,
      { file: yFile },
    );
  }
  let kind: ModelKind;
  if (opts.kind && opts.kind !== 'auto') kind = opts.kind;
  else kind = !numeric || distinct.length === 2 ? 'classification' : 'regression';
  const y = new Float64Array(n);
  let classes: [string, string] | null = null;
  if (kind === 'classification') {
    if (distinct.length !== 2) {
      throw new DdError(
        'DECODE_NOT_BINARY',
        `${yFile}: target '${opts.target}' has ${distinct.length} distinct values (${distinct.slice(0, 6).join(', ')}${distinct.length > 6 ? ', …' : ''}); the classifiers decode two classes. ` +
          `Use --model ridge for a continuous target, or a two-class column such as choice.`,
        { file: yFile },
      );
    }
    classes = [String(distinct[0]), String(distinct[1])];
    for (let i = 0; i < n; i++) y[i] = (numeric ? nums[i] : cells[i]) === distinct[1] ? 1 : 0;
  } else {
    if (!numeric) {
      const bad = nums.findIndex((v) => !Number.isFinite(v));
      throw new DdError('DECODE_NAN', `${yFile}, line ${table.lines[keep[bad]!]}: target '${opts.target}' is '${cells[bad]}', not a number; a regression target must be numeric. Fix the cell, write n/a to drop the row, or use a classifier for labels.`, { file: yFile });
    }
    for (let i = 0; i < n; i++) y[i] = nums[i]!;
  }

  // Runs.
  let groups: Int32Array | null = null;
  let groupNames: string[] = [];
  if (gIdx >= 0) {
    const labels = keep.map((r) => table.rows[r]![gIdx]!);
    const badRow = labels.findIndex(isNaCell);
    if (badRow >= 0) {
      throw new DdError('DECODE_BAD_GROUP', `${yFile}, line ${table.lines[keep[badRow]!]}: run column '${gName}' is empty; every decoded row needs its run. Fill it in or drop the row.`, { file: yFile });
    }
    const enc = encodeGroups(labels);
    groupNames = enc.names;
    groups = enc.names.length >= 2 ? enc.codes : null;
  }

  // Onsets.
  let onsets: Float64Array | null = null;
  if (oIdx >= 0) {
    onsets = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = parseNumberCell(table.rows[keep[i]!]![oIdx]!);
      if (!Number.isFinite(v)) {
        throw new DdError('DECODE_BAD_ONSET', `${yFile}, line ${table.lines[keep[i]!]}: onset '${table.rows[keep[i]!]![oIdx]}' is not a number of seconds. Fix the onset column.`, { file: yFile });
      }
      onsets[i] = v;
    }
  }

  // Features of the kept rows; none may be NaN or infinite.
  const src = features.data;
  const X = src instanceof Float32Array ? new Float32Array(n * p) : new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    const o = keep[i]! * p;
    for (let j = 0; j < p; j++) {
      const v = src[o + j]!;
      if (!Number.isFinite(v)) {
        throw new DdError(
          'DECODE_NAN',
          `${xFile}: row ${keep[i]} (trial), feature ${j} is ${v}. Decoding needs finite patterns: re-extract the ROI (a voxel outside the brain mask or a constant voxel gives NaN), or remove the feature.`,
          { file: xFile },
        );
      }
      X[i * p + j] = v;
    }
  }
  return {
    X, n, p, y, kind, classes, groups, groupNames, groupColumn: gIdx >= 0 ? gName : null, onsets,
    rows: Int32Array.from(keep), nDropped, target: opts.target, xFile, yFile,
  };
}
