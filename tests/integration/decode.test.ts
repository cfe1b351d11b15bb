/**
 * `ddmvpa behavior` and `ddmvpa decode` as a user runs them (CLI.md), on the small demo dataset
 * after `ddmvpa extract`: the planted choice effect decodes in vmpfc and not in the pcc control;
 * the JSON contracts; every bad input of issue 3 exits 2 with `error CODE: …` naming the file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/core/io/npy.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-decode-'));
const demo = join(tmp, 'demo');
const ex = join(tmp, 'ex');
const prep = join(demo, 'derivatives/fmriprep/sub-01/func/sub-01_task-discountFix');
const trials = join(ex, 'trials.tsv');
const BUNDLED = 'src/core/data/ds004636';

function ddmvpa(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/ddmvpa.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same, without blocking (two decodes run on the two cores). */
function ddmvpaAsync(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['bin/ddmvpa.mjs', ...args]);
    let stdout = '', stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectBadInput(r: { code: number | null; stdout: string; stderr: string }, code: string, file: string) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: `, 'm'));
  expect(r.stderr).toContain(file);
}

beforeAll(() => {
  // The default demo seed: the planted effects as they ship.
  let r = ddmvpa('demo', '--out', demo, '--size', 'small', '--subjects', '1');
  expect(r.code, r.stderr).toBe(0);
  r = ddmvpa('extract', '--bold', `${prep}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`, '--events', join(demo, 'sub-01/func/sub-01_task-discountFix_events.tsv'),
    '--confounds', `${prep}_desc-confounds_timeseries.tsv`, '--roi', 'vmpfc', 'pcc', 'nacc_l', '--out', ex);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('ddmvpa decode on the demo (planted choice effect in vmpfc, pcc a control)', () => {
  it('choice decodes above chance in vmpfc (p < 0.05, 1000 permutations) and not in pcc (p > 0.05)', async () => {
    const [vmpfc, pcc] = await Promise.all(['vmpfc', 'pcc'].map((roi) =>
      ddmvpaAsync('decode', '--x', join(ex, `${roi}.npy`), '--y', trials, '--target', 'choice', '--permutations', '1000', '--json')));
    for (const r of [vmpfc!, pcc!]) expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(vmpfc!.stdout), c = JSON.parse(pcc!.stdout);
    // The contract (CLI.md): these keys, the defaults of one run.
    for (const j of [v, c]) {
      expect(Object.keys(j)).toEqual(expect.arrayContaining(['metric', 'score', 'fold_scores', 'p_value', 'n_permutations', 'n_samples', 'n_features', 'model', 'cv', 'seconds']));
      expect(j).toMatchObject({ metric: 'balanced_accuracy', model: 'svc', cv: 'blocked:5:12', n_permutations: 1000 });
      expect(j.fold_scores).toHaveLength(5);
      expect(j.score).toBeCloseTo(j.fold_scores.reduce((a: number, b: number) => a + b, 0) / 5, 12);
    }
    expect(v.score).toBeGreaterThan(0.5);
    expect(v.p_value).toBeLessThan(0.05);
    expect(c.p_value).toBeGreaterThan(0.05);
  }, 120_000);

  it('--permutations 0 skips the test (p_value null); a seed gives the same p-value twice', () => {
    const r = ddmvpa('decode', '--x', join(ex, 'vmpfc.npy'), '--y', trials, '--target', 'choice', '--permutations', '0', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.p_value).toBeNull();
    expect(j.n_permutations).toBe(0);
    const a = JSON.parse(ddmvpa('decode', '--x', join(ex, 'vmpfc.npy'), '--y', trials, '--target', 'choice', '--model', 'logreg', '--permutations', '30', '--seed', '7', '--json').stdout);
    const b = JSON.parse(ddmvpa('decode', '--x', join(ex, 'vmpfc.npy'), '--y', trials, '--target', 'choice', '--model', 'logreg', '--permutations', '30', '--seed', '7', '--json').stdout);
    expect(a.p_value).toBe(b.p_value);
    expect(a.score).toBe(b.score);
  });

  it('a continuous target defaults to ridge + r2; options --cv, --metric, --groups', () => {
    let j = JSON.parse(ddmvpa('decode', '--x', join(ex, 'nacc_l.npy'), '--y', trials, '--target', 'sv_diff', '--permutations', '0', '--json').stdout);
    expect(j).toMatchObject({ model: 'ridge', metric: 'r2', cv: 'blocked:5:12', n_samples: j.n_samples });
    j = JSON.parse(ddmvpa('decode', '--x', join(ex, 'nacc_l.npy'), '--y', trials, '--target', 'sv_diff', '--metric', 'pearson_r', '--cv', 'kfold:4', '--permutations', '0', '--json').stdout);
    expect(j).toMatchObject({ model: 'ridge', metric: 'pearson_r', cv: 'kfold:4' });
    expect(j.fold_scores).toHaveLength(4);
    // Two "runs" from a column of the table: loro by default.
    const lines = readFileSync(trials, 'utf8').trim().split('\n');
    const withRun = [`${lines[0]}\tsession`, ...lines.slice(1).map((l, i) => `${l}\t${i < 60 ? 'a' : 'b'}`)].join('\n');
    const f = join(tmp, 'two-runs.tsv');
    writeFileSync(f, withRun);
    j = JSON.parse(ddmvpa('decode', '--x', join(ex, 'vmpfc.npy'), '--y', f, '--target', 'choice', '--groups', 'session', '--metric', 'roc_auc', '--permutations', '0', '--json').stdout);
    expect(j).toMatchObject({ cv: 'loro', metric: 'roc_auc', groups: 'session', n_groups: 2 });
    expect(j.fold_scores).toHaveLength(2);
  });

  it('prints a one-line summary without --json', () => {
    const r = ddmvpa('decode', '--x', join(ex, 'vmpfc.npy'), '--y', trials, '--target', 'choice', '--permutations', '0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^choice from .*vmpfc\.npy: balanced_accuracy 0\.\d{4} \(svc, blocked:5:12, 5 folds/);
  });
});

describe('ddmvpa decode: bad input exits 2 with a coded error naming the file', () => {
  const x = () => join(ex, 'vmpfc.npy');
  const table = () => readFileSync(trials, 'utf8').trim().split('\n');
  const cols = () => table()[0]!.split('\t');
  function writeTable(name: string, edit: (cells: string[], i: number, header: string[]) => string[] | null, header?: (h: string[]) => string[]) {
    const lines = table();
    const h = lines[0]!.split('\t');
    const rows = lines.slice(1).map((l, i) => edit(l.split('\t'), i, h)).filter((r): r is string[] => r !== null);
    const f = join(tmp, name);
    writeFileSync(f, [(header ? header(h) : h).join('\t'), ...rows.map((r) => r.join('\t'))].join('\n') + '\n');
    return f;
  }

  it('DECODE_CONSTANT_TARGET', () => {
    const ci = cols().indexOf('choice');
    const f = writeTable('constant.tsv', (c) => { c[ci] = '1'; return c; });
    expectBadInput(ddmvpa('decode', '--x', x(), '--y', f, '--target', 'choice'), 'DECODE_CONSTANT_TARGET', f);
  });
  it('DECODE_ONE_CLASS_FOLD (each run holds one class, so loro trains on one class)', () => {
    const ci = cols().indexOf('choice');
    const f = writeTable('one-class.tsv', (c, i) => { c[ci] = i < 60 ? '1' : '0'; return [...c, i < 60 ? '1' : '2']; }, (h) => [...h, 'run']);
    const r = ddmvpa('decode', '--x', x(), '--y', f, '--target', 'choice', '--json');
    expectBadInput(r, 'DECODE_ONE_CLASS_FOLD', f);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'DECODE_ONE_CLASS_FOLD', file: f });
  });
  it('DECODE_TOO_FEW_SAMPLES (fewer samples than folds)', () => {
    const ci = cols().indexOf('choice');
    const f = writeTable('four.tsv', (c, i) => { if (i >= 4) c[ci] = 'n/a'; else c[ci] = String(i % 2); return c; });
    expectBadInput(ddmvpa('decode', '--x', x(), '--y', f, '--target', 'choice', '--cv', 'blocked:5:0'), 'DECODE_TOO_FEW_SAMPLES', f);
  });
  it('DECODE_NAN in the features and in the target', () => {
    const npy = join(tmp, 'nan.npy');
    const data = new Float32Array(120 * 3).map((_, i) => Math.sin(i));
    data[40] = NaN;
    writeFileSync(npy, encodeNpy({ dtype: 'float32', shape: [120, 3], data }));
    expectBadInput(ddmvpa('decode', '--x', npy, '--y', trials, '--target', 'choice'), 'DECODE_NAN', npy);
    const si = cols().indexOf('sv_diff');
    const f = writeTable('nan-target.tsv', (c, i) => { if (i === 7) c[si] = 'NaN'; return c; });
    expectBadInput(ddmvpa('decode', '--x', x(), '--y', f, '--target', 'sv_diff'), 'DECODE_NAN', f);
  });
  it('DECODE_LENGTH_MISMATCH', () => {
    const f = writeTable('short.tsv', (c, i) => (i < 100 ? c : null));
    const r = ddmvpa('decode', '--x', x(), '--y', f, '--target', 'choice');
    expectBadInput(r, 'DECODE_LENGTH_MISMATCH', f);
    expect(r.stderr).toContain(x());
  });
  it('DECODE_NO_COLUMN lists the columns', () => {
    const r = ddmvpa('decode', '--x', x(), '--y', trials, '--target', 'value');
    expectBadInput(r, 'DECODE_NO_COLUMN', trials);
    expect(r.stderr).toContain('sv_diff');
    expectBadInput(ddmvpa('decode', '--x', x(), '--y', trials, '--target', 'choice', '--groups', 'run'), 'DECODE_NO_COLUMN', trials);
  });
  it('DECODE_NO_ONSET: blocked CV with a gap needs the onset column', () => {
    const oi = cols().indexOf('onset');
    const f = writeTable('no-onset.tsv', (c) => c.filter((_, j) => j !== oi), (h) => h.filter((_, j) => j !== oi));
    expectBadInput(ddmvpa('decode', '--x', x(), '--y', f, '--target', 'choice', '--permutations', '0'), 'DECODE_NO_ONSET', f);
    expect(ddmvpa('decode', '--x', x(), '--y', f, '--target', 'choice', '--cv', 'blocked:5:0', '--permutations', '0').code).toBe(0);
  });
  it('bad arguments and files: ARGS_BAD_CV, ARGS_BAD_VALUE, FILE_NOT_FOUND, NPY_BAD_MAGIC', () => {
    expect(ddmvpa('decode', '--x', x(), '--y', trials, '--target', 'choice', '--cv', 'kfold:1').stderr).toMatch(/^error ARGS_BAD_CV: /m);
    expect(ddmvpa('decode', '--x', x(), '--y', trials, '--target', 'choice', '--model', 'lda').stderr).toMatch(/^error ARGS_BAD_VALUE: /m);
    expect(ddmvpa('decode', '--x', x(), '--y', trials, '--target', 'choice', '--metric', 'r2').stderr).toMatch(/^error ARGS_BAD_VALUE: /m);
    expectBadInput(ddmvpa('decode', '--x', join(tmp, 'missing.npy'), '--y', trials, '--target', 'choice'), 'FILE_NOT_FOUND', 'missing.npy');
    expectBadInput(ddmvpa('decode', '--x', trials, '--y', trials, '--target', 'choice'), 'NPY_BAD_MAGIC', trials);
    expect(ddmvpa('decode', '--y', trials, '--target', 'choice').code).toBe(2);
  });
});

describe('ddmvpa behavior', () => {
  const files = ['sub-s061_ses-2_task-discountFix_run-1_events.tsv', 'sub-s465_ses-2_task-discountFix_run-1_events.tsv'].map((f) => join(BUNDLED, f));
  const summary = readFileSync('tests/fixtures/behavior/discountFix_subject_summary.tsv', 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const ref = (id: string) => Object.fromEntries(summary[0]!.map((h, i) => [h, summary.find((r) => r[0] === id)![i]!]));

  it('prints one JSON object per file with the fields of CLI.md', () => {
    const r = ddmvpa('behavior', ...files, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toHaveLength(2);
    for (const o of j) {
      expect(Object.keys(o).sort()).toEqual(['aic', 'beta', 'bic', 'file', 'flags', 'k', 'log_beta', 'log_k', 'n_ll', 'n_ss', 'n_trials', 'n_valid', 'nll', 'pseudo_r2', 'subject'].sort());
    }
    const s061 = ref('sub-s061');
    expect(j[0]).toMatchObject({ file: files[0], subject: 'sub-s061', n_trials: 120, n_valid: 120, n_ll: Number(s061.n_larger_later), n_ss: Number(s061.n_smaller_sooner), flags: [] });
    expect(j[0].log_k).toBeCloseTo(Number(s061.ref_log_k_mle), 1);
    expect(j[0].nll).toBeCloseTo(Number(s061.ref_nll), 2);
    expect(j[0].k).toBeCloseTo(Math.exp(j[0].log_k), 12);
    // A degenerate subject: null parameters and a flag, not an error.
    expect(j[1]).toMatchObject({ subject: 'sub-s465', k: null, log_k: null, beta: null, nll: null, pseudo_r2: null, aic: null, bic: null });
    expect(j[1].flags).toContain('degenerate_all_one_choice');
  });
  it('prints a table without --json', () => {
    const r = ddmvpa('behavior', ...files);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^subject\tn_valid/);
    expect(r.stdout).toContain('sub-s465');
  });
  it('bad input: no file, a missing file, events without a required column', () => {
    expect(ddmvpa('behavior').stderr).toMatch(/^error ARGS_MISSING: /m);
    expectBadInput(ddmvpa('behavior', join(tmp, 'none_events.tsv')), 'FILE_NOT_FOUND', 'none_events.tsv');
    const f = join(tmp, 'sub-x_task-discountFix_events.tsv');
    writeFileSync(f, 'onset\tduration\tchoice\n1\t4\tlarger_later\n');
    expectBadInput(ddmvpa('behavior', f, '--json'), 'EVENTS_MISSING_COLUMN', f);
  });
});
