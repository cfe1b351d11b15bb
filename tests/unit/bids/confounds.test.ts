import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import {
  CONFOUND_PRESETS, backwardDiff, confoundRegressors, parseConfounds, parseMotionText, type ConfoundPreset,
} from '../../../src/core/bids/confounds.ts';

interface Golden {
  n_volumes: number;
  tsv: Record<'minimal' | 'full', string>;
  cases: { tsv: 'minimal' | 'full'; preset: ConfoundPreset; spikeFd: number | null; expected: { names: string[]; columns: number[][] } }[];
}
const golden: Golden = JSON.parse(readFileSync(new URL('../../fixtures/golden/behavior_confounds.json', import.meta.url), 'utf8'));

function catchDd(fn: () => unknown): DdError {
  try { fn(); } catch (e) { if (e instanceof DdError) return e; throw e; }
  throw new Error('expected a DdError');
}

describe('parseConfounds', () => {
  it('first-row n/a in derivative and FD columns → 0 without a warning', () => {
    const t = parseConfounds(golden.tsv.full, 'sub-01_task-discountFix_desc-confounds_timeseries.tsv');
    expect(t.length).toBe(golden.n_volumes);
    expect(t.warnings).toEqual([]);
    expect(t.values.framewise_displacement![0]).toBe(0);
    expect(t.values.trans_x_derivative1![0]).toBe(0);
    expect(t.values.rot_z_derivative1_power2![0]).toBe(0);
    expect(t.columns).toContain('trans_x_power2');
  });

  it('other n/a → 0 with one warning that counts them', () => {
    const lines = golden.tsv.minimal.trim().split('\n');
    lines[3] = lines[3]!.replace(/^[^\t]+\t[^\t]+/, 'n/a\tn/a'); // global_signal and csf of row 3
    const t = parseConfounds(lines.join('\n'), 'c.tsv');
    expect(t.values.csf![2]).toBe(0);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]!.code).toBe('CONFOUNDS_NA_SET_TO_ZERO');
    expect(t.warnings[0]!.message).toMatch(/^c\.tsv: 2 n\/a/);
  });

  it('non-numeric cell → CONFOUNDS_NOT_NUMERIC with line; empty → CONFOUNDS_EMPTY', () => {
    const lines = golden.tsv.minimal.trim().split('\n');
    lines[4] = lines[4]!.replace(/^[^\t]+/, 'abc');
    const e = catchDd(() => parseConfounds(lines.join('\n'), 'c.tsv'));
    expect(e.code).toBe('CONFOUNDS_NOT_NUMERIC');
    expect(e.message).toContain('c.tsv, line 5');
    expect(catchDd(() => parseConfounds('', 'c.tsv')).code).toBe('CONFOUNDS_EMPTY');
    expect(catchDd(() => parseConfounds('trans_x\ttrans_y\n', 'c.tsv')).code).toBe('CONFOUNDS_EMPTY');
  });

  it('pre-1.2 fMRIPrep CamelCase names are renamed', () => {
    const t = parseConfounds('X\tY\tZ\tRotX\tRotY\tRotZ\tWhiteMatter\tCSF\tFramewiseDisplacement\n1\t2\t3\t4\t5\t6\t7\t8\tn/a\n', 'old.tsv');
    expect(t.warnings).toEqual([]);
    const r = confoundRegressors(t, 'motion6+wm+csf');
    expect(r.names).toEqual(['trans_x', 'trans_y', 'trans_z', 'rot_x', 'rot_y', 'rot_z', 'white_matter', 'csf']);
    expect(r.columns.map((c) => c[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('confoundRegressors matches the pandas golden', () => {
  for (const c of golden.cases) {
    it(`${c.tsv} / ${c.preset} / spikes ${c.spikeFd ?? 'off'}`, () => {
      const table = parseConfounds(golden.tsv[c.tsv], `${c.tsv}_desc-confounds_timeseries.tsv`);
      const r = confoundRegressors(table, c.preset, { spikeFd: c.spikeFd });
      expect(r.names).toEqual(c.expected.names);
      expect(r.columns).toHaveLength(c.expected.columns.length);
      r.columns.forEach((col, j) => {
        expect(col).toHaveLength(golden.n_volumes);
        col.forEach((v, i) => expect(v).toBeCloseTo(c.expected.columns[j]![i]!, 12));
      });
    });
  }

  it('covers every preset, and motion24 has 24 columns with the planted spikes after them', () => {
    expect(new Set(golden.cases.map((c) => c.preset))).toEqual(new Set(CONFOUND_PRESETS));
    const t = parseConfounds(golden.tsv.minimal, 'm.tsv');
    const r = confoundRegressors(t, 'motion24+wm+csf', { spikeFd: 0.5 });
    expect(r.names).toHaveLength(24 + 2 + 2);
    expect(r.names.slice(-2)).toEqual(['spike_003', 'spike_007']);
    expect(Array.from(r.columns[26]!)).toEqual(Array.from({ length: 12 }, (_, i) => (i === 3 ? 1 : 0)));
  });
});

describe('motion24 sources', () => {
  const lines = golden.tsv.full.trim().split('\n');
  const header = lines[0]!.split('\t');
  it("uses fMRIPrep's own _power2 / _derivative1 columns when present", () => {
    // Replace trans_x_power2 by 7 and rot_y_derivative1 by 0.25 everywhere: the presets must use them.
    const jp = header.indexOf('trans_x_power2');
    const jd = header.indexOf('rot_y_derivative1');
    const edited = [lines[0], ...lines.slice(1).map((l) => l.split('\t').map((c, j) => (j === jp ? '7' : j === jd ? '0.25' : c)).join('\t'))].join('\n');
    const r = confoundRegressors(parseConfounds(edited, 'e.tsv'), 'motion24');
    const col = (n: string) => Array.from(r.columns[r.names.indexOf(n)]!);
    expect(col('trans_x_power2').every((v) => v === 7)).toBe(true);
    expect(col('rot_y_derivative1').every((v) => v === 0.25)).toBe(true);
    // ... while a column the file lacks is still computed.
    const min = confoundRegressors(parseConfounds(golden.tsv.minimal, 'm.tsv'), 'motion24');
    const tx = min.columns[0]!;
    expect(Array.from(min.columns[min.names.indexOf('trans_x_power2')]!)).toEqual(Array.from(tx, (v) => v * v));
  });

  it('backward difference has first row 0', () => {
    expect(Array.from(backwardDiff(new Float64Array([1, 4, 2, 2])))).toEqual([0, 3, -2, 0]);
  });
});

describe('missing columns → CONFOUNDS_MISSING_COLUMN naming the preset, the column and the fix', () => {
  const motionOnly = 'trans_x\ttrans_y\ttrans_z\trot_x\trot_y\trot_z\n0\t0\t0\t0\t0\t0\n1\t1\t1\t1\t1\t1\n';
  it('wm/csf missing', () => {
    const t = parseConfounds(motionOnly, 'sub-01_desc-confounds_timeseries.tsv');
    expect(confoundRegressors(t, 'motion24').names).toHaveLength(24);
    const e = catchDd(() => confoundRegressors(t, 'motion6+wm+csf'));
    expect(e.code).toBe('CONFOUNDS_MISSING_COLUMN');
    expect(e.file).toBe('sub-01_desc-confounds_timeseries.tsv');
    expect(e.message).toContain("'motion6+wm+csf'");
    expect(e.message).toContain("'white_matter'");
    expect(e.message).toContain("'none'");
    expect(e.message).toContain('sub-01_desc-confounds_timeseries.tsv');
  });
  it('motion missing, FD missing for spikes; none needs nothing', () => {
    const t = parseConfounds('csf\twhite_matter\n1\t2\n', 'c.tsv');
    const e = catchDd(() => confoundRegressors(t, 'motion6'));
    expect(e.code).toBe('CONFOUNDS_MISSING_COLUMN');
    expect(e.message).toContain("'trans_x'");
    expect(catchDd(() => confoundRegressors(t, 'none', { spikeFd: 0.5 })).message).toContain('framewise_displacement');
    expect(confoundRegressors(t, 'none')).toEqual({ names: [], columns: [] });
    expect(catchDd(() => confoundRegressors(t, 'motion12' as ConfoundPreset)).code).toBe('CONFOUNDS_BAD_PRESET');
  });
});

describe('parseMotionText (Haxby bold_moest.txt, MCFLIRT order)', () => {
  const text = [
    '-0.00416487  0.00393948  -0.00636441  0.110484  -0.0745983  0.0110025  ',
    '-0.00439367  0.00295214  -0.0066341  0.111983  -0.059798  -0.00882515  ',
    '-0.00380347  0.00258562  -0.00488624  0.10824  -0.0515172  -0.0207151  ',
    '',
  ].join('\n');
  it('maps rotations then translations, and computes Power FD', () => {
    const t = parseMotionText(text, 'bold_moest.txt');
    expect(t.length).toBe(3);
    expect(t.values.rot_x![0]).toBe(-0.00416487);
    expect(t.values.trans_x![0]).toBe(0.110484);
    expect(t.values.trans_z![2]).toBe(-0.0207151);
    const fd1 = Math.abs(0.111983 - 0.110484) + Math.abs(-0.059798 + 0.0745983) + Math.abs(-0.00882515 - 0.0110025) +
      50 * (Math.abs(-0.00439367 + 0.00416487) + Math.abs(0.00295214 - 0.00393948) + Math.abs(-0.0066341 + 0.00636441));
    expect(t.values.framewise_displacement![0]).toBe(0);
    expect(t.values.framewise_displacement![1]).toBeCloseTo(fd1, 12);
    const r = confoundRegressors(t, 'motion24');
    expect(r.names).toHaveLength(24);
    expect(r.columns[6]![1]).toBeCloseTo(0.111983 - 0.110484, 12); // trans_x_derivative1
    expect(catchDd(() => confoundRegressors(t, 'motion6+wm+csf')).code).toBe('CONFOUNDS_MISSING_COLUMN');
  });
  it('SPM order and bad motion files', () => {
    const spm = parseMotionText(text, 'rp_bold.txt', { order: 'spm' });
    expect(spm.values.trans_x![0]).toBe(-0.00416487);
    expect(catchDd(() => parseMotionText('1 2 3\n', 'm.txt')).code).toBe('MOTION_BAD_ROW');
    expect(catchDd(() => parseMotionText('1 2 3 4 5 x\n', 'm.txt')).code).toBe('MOTION_NOT_NUMERIC');
    expect(catchDd(() => parseMotionText('\n\n', 'm.txt')).code).toBe('MOTION_EMPTY');
  });
});
