/**
 * fMRIPrep confounds (`*_desc-confounds_timeseries.tsv`, older `*_desc-confounds_regressors.tsv`
 * and pre-1.2 `*_bold_confounds.tsv`) and plain motion files (FSL MCFLIRT `.par`, PyMVPA
 * `bold_moest.txt`, SPM `rp_*.txt`) → named columns, and the confound presets of SCIENCE.md.
 */
import { DdError, type DdWarning } from '../errors.ts';
import { isMissingCell, parseNumberCell, readRawTable } from './table.ts';

export interface ConfoundTable {
  columns: string[];
  values: Record<string, Float64Array>;
  /** Number of volumes (rows). */
  length: number;
  /** n/a cells set to 0 outside the expected first row of derivative / FD columns, and other notes. */
  warnings: DdWarning[];
  /** Source file (for messages). */
  file: string;
}

export type ConfoundPreset = 'none' | 'motion6' | 'motion24' | 'motion6+wm+csf' | 'motion24+wm+csf';
export const CONFOUND_PRESETS: readonly ConfoundPreset[] = ['none', 'motion6', 'motion24', 'motion6+wm+csf', 'motion24+wm+csf'];

export const MOTION6 = ['trans_x', 'trans_y', 'trans_z', 'rot_x', 'rot_y', 'rot_z'] as const;

/** Pre-1.2 fMRIPrep / CamelCase names → current names. */
const ALIASES: Record<string, string> = {
  X: 'trans_x', Y: 'trans_y', Z: 'trans_z', RotX: 'rot_x', RotY: 'rot_y', RotZ: 'rot_z',
  WhiteMatter: 'white_matter', CSF: 'csf', GlobalSignal: 'global_signal',
  FramewiseDisplacement: 'framewise_displacement', stdDVARS: 'std_dvars', 'non-stdDVARS': 'dvars',
};

/** Columns whose first value is undefined by construction (a difference with the previous volume). */
function isFirstRowNaColumn(name: string): boolean {
  return /derivative1/.test(name) || name === 'framewise_displacement' || name === 'dvars' || name === 'std_dvars' ||
    name === 'rmsd' || /dvars/i.test(name);
}

/**
 * Parses a confounds TSV. First-row n/a in derivative / FD / DVARS columns → 0 silently (that is
 * how fMRIPrep writes them); any other n/a → 0, counted in one CONFOUNDS_NA_SET_TO_ZERO warning.
 * Throws CONFOUNDS_EMPTY, CONFOUNDS_BAD_ROW, CONFOUNDS_NOT_NUMERIC.
 */
export function parseConfounds(text: string, file: string): ConfoundTable {
  const t = readRawTable(text, file, { empty: 'CONFOUNDS_EMPTY', badRow: 'CONFOUNDS_BAD_ROW' }, 'confounds');
  if (t.rows.length === 0) {
    throw new DdError('CONFOUNDS_EMPTY', `${file}: the confounds file has a header but no rows. Use the confounds file fMRIPrep wrote for this run, or choose confound preset 'none'.`, { file });
  }
  const n = t.rows.length;
  const columns = t.columns.map((c) => ALIASES[c] ?? c);
  const values: Record<string, Float64Array> = {};
  let naCount = 0;
  const naColumns = new Set<string>();
  columns.forEach((name, j) => {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cell = t.rows[i]![j]!;
      if (isMissingCell(cell)) {
        col[i] = 0;
        if (!(i === 0 && isFirstRowNaColumn(name))) { naCount++; naColumns.add(name); }
        continue;
      }
      const v = parseNumberCell(cell);
      if (!Number.isFinite(v)) {
        throw new DdError(
          'CONFOUNDS_NOT_NUMERIC',
          `${file}, line ${t.lines[i]}: column '${t.columns[j]}' is '${cell}', not a number. Use the confounds TSV as fMRIPrep wrote it, or choose confound preset 'none'.`,
          { file },
        );
      }
      col[i] = v;
    }
    values[name] = col;
  });
  const warnings: DdWarning[] = [];
  if (naCount > 0) {
    const cols = [...naColumns];
    warnings.push({
      code: 'CONFOUNDS_NA_SET_TO_ZERO', file,
      message: `${file}: ${naCount} n/a value(s) set to 0 in ${cols.slice(0, 5).join(', ')}${cols.length > 5 ? ` and ${cols.length - 5} more column(s)` : ''}. Check that the confounds file belongs to this run.`,
    });
  }
  return { columns, values, length: n, warnings, file };
}

export interface MotionTextOptions {
  /**
   * Column order. 'fsl' (default; MCFLIRT .par and PyMVPA bold_moest.txt): rot_x rot_y rot_z (rad)
   * then trans_x trans_y trans_z (mm). 'spm' (rp_*.txt): translations first, then rotations.
   */
  order?: 'fsl' | 'spm';
  /** Head radius for framewise displacement (Power et al. 2012), mm; default 50. */
  headRadiusMm?: number;
}

/**
 * A whitespace-separated 6-column motion file without header → a ConfoundTable with the fMRIPrep
 * motion names and a `framewise_displacement` column (Power: Σ|Δtrans| + r·Σ|Δrot|, first row 0).
 * Throws MOTION_EMPTY, MOTION_BAD_ROW, MOTION_NOT_NUMERIC.
 */
export function parseMotionText(text: string, file: string, opts: MotionTextOptions = {}): ConfoundTable {
  const order = opts.order ?? 'fsl';
  const names = order === 'fsl'
    ? ['rot_x', 'rot_y', 'rot_z', 'trans_x', 'trans_y', 'trans_z']
    : ['trans_x', 'trans_y', 'trans_z', 'rot_x', 'rot_y', 'rot_z'];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: number[][] = [];
  src.split(/\r\n|\r|\n/).forEach((line, i) => {
    const s = line.trim();
    if (s === '' || s.startsWith('#')) return;
    const cells = s.split(/[\s,]+/);
    if (cells.length !== 6) {
      throw new DdError('MOTION_BAD_ROW', `${file}, line ${i + 1}: ${cells.length} values, expected 6 motion parameters (3 rotations, 3 translations). Use the MCFLIRT .par / SPM rp_*.txt file, or an fMRIPrep confounds TSV.`, { file });
    }
    rows.push(cells.map((c) => {
      const v = parseNumberCell(c);
      if (!Number.isFinite(v)) {
        throw new DdError('MOTION_NOT_NUMERIC', `${file}, line ${i + 1}: '${c}' is not a number. Fix the motion file or choose confound preset 'none'.`, { file });
      }
      return v;
    }));
  });
  if (rows.length === 0) {
    throw new DdError('MOTION_EMPTY', `${file}: the motion file has no rows. Use the motion parameters of this run, or choose confound preset 'none'.`, { file });
  }
  const n = rows.length;
  const values: Record<string, Float64Array> = {};
  names.forEach((name, j) => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = rows[i]![j]!;
    values[name] = c;
  });
  const r = opts.headRadiusMm ?? 50;
  const fd = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    let s = 0;
    for (const m of MOTION6) {
      const d = Math.abs(values[m]![i]! - values[m]![i - 1]!);
      s += m.startsWith('rot') ? r * d : d;
    }
    fd[i] = s;
  }
  values.framewise_displacement = fd;
  return { columns: [...MOTION6, 'framewise_displacement'], values, length: n, warnings: [], file };
}

export interface ConfoundRegressorOptions {
  /** Framewise-displacement threshold (mm) for one-hot spike regressors; null/undefined = none. */
  spikeFd?: number | null;
}

export interface ConfoundRegressors {
  names: string[];
  columns: Float64Array[];
}

/** Backward difference with first row 0 (fMRIPrep's `_derivative1` with its n/a set to 0). */
export function backwardDiff(x: Float64Array): Float64Array {
  const d = new Float64Array(x.length);
  for (let i = 1; i < x.length; i++) d[i] = x[i]! - x[i - 1]!;
  return d;
}

function square(x: Float64Array): Float64Array {
  const s = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) s[i] = x[i]! * x[i]!;
  return s;
}

/**
 * The nuisance columns of a preset. motion6 = trans_x/y/z rot_x/y/z; motion24 = those, their
 * `_derivative1`, `_power2` and `_derivative1_power2` (fMRIPrep's own columns when present, else
 * computed: backward difference, first row 0); `+wm+csf` adds `white_matter` and `csf`.
 * Order: the 6 base, 6 derivatives, 6 squares, 6 squared derivatives, white_matter, csf, spikes.
 * Spike regressors (`spike_NNN`, 0-based volume) are one-hot for framewise_displacement > spikeFd.
 * Throws CONFOUNDS_MISSING_COLUMN naming the preset, the column, the file and the fix.
 */
export function confoundRegressors(table: ConfoundTable, preset: ConfoundPreset, opts: ConfoundRegressorOptions = {}): ConfoundRegressors {
  if (!CONFOUND_PRESETS.includes(preset)) {
    throw new DdError('CONFOUNDS_BAD_PRESET', `Unknown confound preset '${preset}'. Choose one of ${CONFOUND_PRESETS.join(', ')}.`, { file: table.file });
  }
  const names: string[] = [];
  const columns: Float64Array[] = [];
  const need = (name: string, why: string): Float64Array => {
    const c = table.values[name];
    if (!c) {
      throw new DdError(
        'CONFOUNDS_MISSING_COLUMN',
        `${table.file}: confound preset '${preset}' needs column '${name}' (${why}), which the file does not have. ` +
          `Choose confound preset 'none' or another preset whose columns the file has (e.g. 'motion6' without wm/csf), or use the fMRIPrep confounds TSV of this run.`,
        { file: table.file },
      );
    }
    return c;
  };
  if (preset !== 'none') {
    const base = MOTION6.map((m) => need(m, 'motion'));
    MOTION6.forEach((m, i) => { names.push(m); columns.push(base[i]!); });
    if (preset.startsWith('motion24')) {
      const deriv = MOTION6.map((m, i) => table.values[`${m}_derivative1`] ?? backwardDiff(base[i]!));
      MOTION6.forEach((m, i) => { names.push(`${m}_derivative1`); columns.push(deriv[i]!); });
      MOTION6.forEach((m, i) => { names.push(`${m}_power2`); columns.push(table.values[`${m}_power2`] ?? square(base[i]!)); });
      MOTION6.forEach((m, i) => { names.push(`${m}_derivative1_power2`); columns.push(table.values[`${m}_derivative1_power2`] ?? square(deriv[i]!)); });
    }
    if (preset.endsWith('+wm+csf')) {
      names.push('white_matter'); columns.push(need('white_matter', 'mean white-matter signal'));
      names.push('csf'); columns.push(need('csf', 'mean CSF signal'));
    }
  }
  if (opts.spikeFd !== undefined && opts.spikeFd !== null) {
    const fd = table.values.framewise_displacement;
    if (!fd) {
      throw new DdError(
        'CONFOUNDS_MISSING_COLUMN',
        `${table.file}: spike regressors (FD > ${opts.spikeFd} mm) need column 'framewise_displacement', which the file does not have. Turn spike regressors off, or use the fMRIPrep confounds TSV of this run.`,
        { file: table.file },
      );
    }
    for (let i = 0; i < fd.length; i++) {
      if (fd[i]! > opts.spikeFd) {
        const c = new Float64Array(table.length);
        c[i] = 1;
        names.push(`spike_${String(i).padStart(3, '0')}`);
        columns.push(c);
      }
    }
  }
  return { names, columns };
}
