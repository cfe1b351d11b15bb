/**
 * The CLI contract (docs: CLI.md) for inspect / extract / demo, run as a user would (node
 * bin/ddmvpa.mjs), with every bad input of issue 2: each gets exit 2 and
 * `error <CODE>: <message naming the file>` on stderr (and {"error": …} with --json).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/core/io/npy.ts';
import { encodeNifti1 } from '../../src/core/nifti/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-cli-'));
const demo = join(tmp, 'demo');
const prep = join(demo, 'derivatives/fmriprep/sub-01/func/sub-01_task-discountFix');
const bold = `${prep}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`;
const events = join(demo, 'sub-01/func/sub-01_task-discountFix_events.tsv');
const confounds = `${prep}_desc-confounds_timeseries.tsv`;

function ddmvpa(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/ddmvpa.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectBadInput(r: ReturnType<typeof ddmvpa>, code: string, file: string) {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`^error ${code}: `, 'm'));
  expect(r.stderr).toContain(file);
}

beforeAll(() => {
  const r = ddmvpa('demo', '--out', demo, '--size', 'small', '--subjects', '1', '--seed', '3');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('ddmvpa demo', () => {
  it('writes a BIDS + fMRIPrep-style dataset with truth.json', () => {
    const truth = JSON.parse(readFileSync(join(demo, 'truth.json'), 'utf8'));
    expect(truth.planted.map((p: { target: string }) => p.target)).toEqual(['choice', 'sv_diff', 'sv_diff']);
    expect(truth.subjects[0].events_source).toMatch(/^sub-s\d+$/);
    for (const f of [bold, events, confounds, `${prep}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz`]) expect(existsSync(f), f).toBe(true);
  });
});

describe('ddmvpa inspect', () => {
  it('prints the header facts as one JSON document', () => {
    const r = ddmvpa('inspect', bold, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ nifti_version: 1, datatype: 'int16', tr_s: 2, orientation: 'RAS', gzip: true, byte_order: 'little', voxel_mm: [5, 5, 5] });
    expect(j.dims.slice(0, 3)).toEqual([44, 48, 32]);
  });

  it('rejects a 0-byte file', () => {
    const f = join(tmp, 'empty.nii.gz');
    writeFileSync(f, '');
    expectBadInput(ddmvpa('inspect', f), 'NIFTI_EMPTY', f);
  });

  it('rejects a file that is not NIfTI (wrong magic), also in --json', () => {
    const f = join(tmp, 'notes.nii');
    writeFileSync(f, 'x'.repeat(400));
    const r = ddmvpa('inspect', f, '--json');
    expectBadInput(r, 'NIFTI_BAD_MAGIC', f);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'NIFTI_BAD_MAGIC', file: expect.stringContaining('notes.nii') });
  });

  it('--verify rejects a truncated gzip', () => {
    const f = join(tmp, 'truncated.nii.gz');
    const b = readFileSync(bold);
    writeFileSync(f, b.subarray(0, Math.floor(b.length / 2)));
    expect(ddmvpa('inspect', f).code).toBe(0); // the header alone is fine
    expectBadInput(ddmvpa('inspect', f, '--verify'), 'NIFTI_TRUNCATED', f);
  });

  it('rejects header dimensions larger than the data', () => {
    const f = join(tmp, 'short.nii');
    const img = encodeNifti1({ dims: [4, 4, 4, 10], affine: [[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]], datatype: 'int16', data: new Int16Array(4 * 4 * 4 * 10) });
    writeFileSync(f, img.subarray(0, img.length - 200));
    expectBadInput(ddmvpa('inspect', f), 'NIFTI_TRUNCATED', f);
  });

  it('accepts a plain .nii under a .nii.gz name', () => {
    const f = join(tmp, 'plain-named-gz.nii.gz');
    writeFileSync(f, gunzipSync(readFileSync(bold)));
    const r = ddmvpa('inspect', f, '--json', '--verify');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).gzip).toBe(false);
  });
});

describe('ddmvpa extract', () => {
  it('writes <roi>.npy (trials × voxels, float32) and trials.tsv in one pass', () => {
    const out = join(tmp, 'ex');
    const r = ddmvpa('extract', '--bold', bold, '--events', events, '--confounds', confounds, '--roi', 'vmpfc', 'nacc_l', 'sphere1=sphere:0,-52,26,8', 'brain', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const tsv = readFileSync(join(out, 'trials.tsv'), 'utf8').trim().split('\n');
    expect(tsv.length - 1).toBe(j.n_trials);
    for (const roi of j.rois) {
      const arr = decodeNpy(readFileSync(join(out, roi.file)), roi.file);
      expect(arr.dtype).toBe('float32');
      expect(arr.shape).toEqual([j.n_trials, roi.n_voxels]);
      expect(roi.n_voxels).toBeGreaterThan(0);
    }
    // The whole brain mask is computed from the data here (no --mask): close to the demo's mask.
    expect(j.rois.find((x: { name: string }) => x.name === 'brain').n_voxels).toBeGreaterThan(10000);
  });

  it('rejects a mask that does not overlap the BOLD grid', () => {
    const f = join(tmp, 'far-mask.nii.gz');
    const m = encodeNifti1({ dims: [5, 5, 5], affine: [[2, 0, 0, 500], [0, 2, 0, 500], [0, 0, 2, 500], [0, 0, 0, 1]], datatype: 'uint8', data: new Uint8Array(125).fill(1) });
    writeFileSync(f, m);
    expectBadInput(ddmvpa('extract', '--bold', bold, '--events', events, '--confounds', confounds, '--roi', `far=${f}`, '--out', join(tmp, 'ex2')), 'ROI_EMPTY', f);
  });

  it('rejects events missing a required column', () => {
    const f = join(tmp, 'no-choice_events.tsv');
    const lines = readFileSync(events, 'utf8').split('\n');
    const cols = lines[0]!.split('\t');
    const drop = cols.indexOf('large_amount');
    writeFileSync(f, lines.map((l) => l.split('\t').filter((_, i) => i !== drop).join('\t')).join('\n'));
    expectBadInput(ddmvpa('extract', '--bold', bold, '--events', f, '--roi', 'vmpfc', '--out', join(tmp, 'ex3')), 'EVENTS_MISSING_COLUMN', f);
  });

  it('rejects non-numeric amounts', () => {
    const f = join(tmp, 'text-amount_events.tsv');
    const lines = readFileSync(events, 'utf8').split('\n');
    const col = lines[0]!.split('\t').indexOf('large_amount');
    const row = lines[3]!.split('\t');
    row[col] = 'forty';
    lines[3] = row.join('\t');
    writeFileSync(f, lines.join('\n'));
    expectBadInput(ddmvpa('extract', '--bold', bold, '--events', f, '--roi', 'vmpfc', '--out', join(tmp, 'ex4')), 'EVENTS_NOT_NUMERIC', f);
  });

  it('flags negative onsets and events after the scan instead of failing, and warns on a TR mismatch', () => {
    const f = join(tmp, 'edge_events.tsv');
    const lines = readFileSync(events, 'utf8').trimEnd().split('\n');
    const cols = lines[0]!.split('\t');
    const on = cols.indexOf('onset');
    const first = lines[1]!.split('\t');
    first[on] = '-1.5';
    lines[1] = first.join('\t');
    const last = lines[lines.length - 1]!.split('\t');
    last[on] = '5000';
    lines[lines.length - 1] = last.join('\t');
    writeFileSync(f, lines.join('\n') + '\n');
    const sidecar = join(tmp, 'bold.json');
    writeFileSync(sidecar, JSON.stringify({ RepetitionTime: 2.5 }));
    const out = join(tmp, 'ex5');
    const r = ddmvpa('extract', '--bold', bold, '--events', f, '--confounds', confounds, '--bold-json', sidecar, '--roi', 'vmpfc', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning TR_MISMATCH: .*bold\.json/);
    const tsv = readFileSync(join(out, 'trials.tsv'), 'utf8');
    expect(tsv).toMatch(/negative_onset/);
    const j = JSON.parse(readFileSync(join(out, 'extract.json'), 'utf8'));
    expect(j.behavior.flags).toEqual(expect.arrayContaining(['negative_onset', 'events_after_scan']));
  });
});
