import { describe, expect, it } from 'vitest';
import { buildDataset, readTrialTable } from '../../../src/core/mvpa/dataset.ts';

const TSV = [
  'trial\tonset\tduration\tsv_diff\tchoice\tlabel\trun\tflags',
  '0\t3.0\t4\t1.5\t1\tlarger_later\t2\tn/a',
  '1\t8.0\t4\t-2.0\t0\tsmaller_sooner\t2\tn/a',
  '2\t13.0\t4\t0.5\tn/a\tn/a\t10\tmissed',
  '3\t3.5\t4\t4.0\t1\tlarger_later\t10\tn/a',
  '4\t9.0\t4\t-1.0\t0\tsmaller_sooner\t10\tn/a',
].join('\n');
const table = readTrialTable(TSV, 'sub-01/trials.tsv');
const feats = (rows = 5, p = 3) => ({ data: Float32Array.from({ length: rows * p }, (_, i) => i % 7), shape: [rows, p], file: 'sub-01/vmpfc.npy' });
const err = (f: () => unknown) => { try { f(); } catch (e) { return e as { code: string; message: string; file?: string }; } throw new Error('no error'); };

describe('buildDataset', () => {
  it('drops n/a targets (counted), codes labels 0/1, runs in sorted order, onsets', () => {
    const d = buildDataset(feats(), table, { target: 'choice' });
    expect(d.n).toBe(4);
    expect(d.nDropped).toBe(1);
    expect([...d.rows]).toEqual([0, 1, 3, 4]);
    expect([...d.y]).toEqual([1, 0, 1, 0]);
    expect(d.kind).toBe('classification');
    expect(d.classes).toEqual(['0', '1']);
    expect(d.groupColumn).toBe('run');
    expect(d.groupNames).toEqual(['2', '10']);
    expect([...d.groups!]).toEqual([0, 0, 1, 1]);
    expect([...d.onsets!]).toEqual([3, 8, 3.5, 9]);
    expect(d.X).toBeInstanceOf(Float32Array);
    expect([...d.X.subarray(6, 9)]).toEqual([2, 3, 4]); // row 3 of the patterns
  });
  it('text labels: alphabetical order gives 0 and 1', () => {
    const d = buildDataset(feats(), table, { target: 'label' });
    expect(d.classes).toEqual(['larger_later', 'smaller_sooner']);
    expect([...d.y]).toEqual([0, 1, 0, 1]);
  });
  it('a numeric target with more than two values is regression; ridge can force regression on 0/1', () => {
    const d = buildDataset(feats(), table, { target: 'sv_diff' });
    expect(d.kind).toBe('regression');
    expect(d.n).toBe(5);
    expect([...d.y]).toEqual([1.5, -2, 0.5, 4, -1]);
    expect(buildDataset(feats(), table, { target: 'choice', kind: 'regression' }).kind).toBe('regression');
  });
  it('groups: default run when present, null for one run, or a named column', () => {
    expect(buildDataset(feats(), table, { target: 'choice', groups: null }).groups).toBeNull();
    const t2 = readTrialTable('onset\tchoice\n1\t0\n2\t1\n', 'x.tsv');
    expect(buildDataset(feats(2), t2, { target: 'choice' }).groups).toBeNull();
    expect(buildDataset(feats(2), t2, { target: 'choice' }).groupColumn).toBeNull();
  });

  it('DECODE_NO_COLUMN lists the columns', () => {
    const e = err(() => buildDataset(feats(), table, { target: 'value' }));
    expect(e.code).toBe('DECODE_NO_COLUMN');
    expect(e.message).toContain('sub-01/trials.tsv');
    expect(e.message).toContain('trial, onset, duration, sv_diff, choice, label, run, flags');
    expect(err(() => buildDataset(feats(), table, { target: 'choice', groups: 'session' })).code).toBe('DECODE_NO_COLUMN');
  });
  it('DECODE_LENGTH_MISMATCH names both files', () => {
    const e = err(() => buildDataset(feats(6), table, { target: 'choice' }));
    expect(e.code).toBe('DECODE_LENGTH_MISMATCH');
    expect(e.message).toContain('sub-01/vmpfc.npy');
    expect(e.message).toContain('sub-01/trials.tsv');
  });
  it('DECODE_CONSTANT_TARGET', () => {
    const t = readTrialTable('choice\n1\n1\nn/a\n1\n', 'c.tsv');
    const e = err(() => buildDataset(feats(4), t, { target: 'choice' }));
    expect(e.code).toBe('DECODE_CONSTANT_TARGET');
    expect(e.file).toBe('c.tsv');
  });
  it('DECODE_NAN: NaN target cell, NaN feature', () => {
    expect(err(() => buildDataset(feats(3), readTrialTable('y\n1\nNaN\n2\n', 'n.tsv'), { target: 'y' })).code).toBe('DECODE_NAN');
    const f = feats();
    f.data[4] = NaN;
    const e = err(() => buildDataset(f, table, { target: 'choice' }));
    expect(e.code).toBe('DECODE_NAN');
    expect(e.file).toBe('sub-01/vmpfc.npy');
    // A NaN in a dropped row does not matter.
    const g = feats();
    g.data[2 * 3] = NaN;
    expect(buildDataset(g, table, { target: 'choice' }).n).toBe(4);
  });
  it('DECODE_NOT_BINARY for a classifier on many classes', () => {
    expect(err(() => buildDataset(feats(), table, { target: 'sv_diff', kind: 'classification' })).code).toBe('DECODE_NOT_BINARY');
    expect(err(() => buildDataset(feats(3), readTrialTable('y\na\nb\nc\n', 't.tsv'), { target: 'y' })).code).toBe('DECODE_NOT_BINARY');
  });
  it('DECODE_NO_SAMPLES, DECODE_BAD_SHAPE, DECODE_TABLE_EMPTY', () => {
    expect(err(() => buildDataset(feats(2), readTrialTable('y\nn/a\nn/a\n', 't.tsv'), { target: 'y' })).code).toBe('DECODE_NO_SAMPLES');
    expect(err(() => buildDataset({ data: new Float32Array(4), shape: [4], file: 'a.npy' }, table, { target: 'choice' })).code).toBe('DECODE_BAD_SHAPE');
    expect(err(() => readTrialTable('a\tb\n', 'e.tsv')).code).toBe('DECODE_TABLE_EMPTY');
    expect(err(() => readTrialTable('', 'e.tsv')).code).toBe('DECODE_TABLE_EMPTY');
  });
});
