/**
 * `ddmvpa run` as users run it (node bin/ddmvpa.mjs), on a 2-subject small demo dataset:
 * results.json identical with --jobs 1 and 2 and with and without the cache; moving/touching
 * the data re-hashes but recomputes nothing; a corrupt subject lands in errors[]; kill -9 mid-run
 * and the same command again recomputes nothing that had finished.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-run-'));
const demo = join(tmp, 'demo');
const ROIS = ['--roi', 'vmpfc', 'nacc_l', 'pcc'];

function ddmvpa(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/ddmvpa.mjs', ...args], { encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runInto(name: string, ...extra: string[]) {
  const out = join(tmp, name);
  const r = ddmvpa('run', '--bids', demo, '--out', out, ...ROIS, '--permutations', '20', '--geometry-permutations', '20', '--json', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return { out, summary: JSON.parse(r.stdout), results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')), stderr: r.stderr };
}

/** results.json without what may differ between equivalent runs. */
function comparable(r: any) {
  const c = structuredClone(r);
  delete c.provenance.timings;
  delete c.provenance.cache;
  return c;
}

beforeAll(() => {
  const r = ddmvpa('demo', '--out', demo, '--size', 'small', '--subjects', '2', '--seed', '4');
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('ddmvpa run', () => {
  it('writes results.json per CLI.md and the tables beside it', () => {
    const cache = join(tmp, 'cache-a');
    const a = runInto('a', '--jobs', '1', '--cache-dir', cache);
    const r = a.results;
    expect(r.schema_version).toBe(2);
    expect(r.subjects.map((s: any) => s.id)).toEqual(['01', '02']);
    for (const s of r.subjects) {
      expect(s.behavior).toMatchObject({ n_trials: expect.any(Number), k: expect.any(Number), log_k: expect.any(Number), beta: expect.any(Number), flags: expect.any(Array) });
      expect(s.decoding).toHaveLength(6);
      for (const d of s.decoding) {
        expect(Object.keys(d)).toEqual(expect.arrayContaining(['roi', 'target', 'model', 'cv', 'metric', 'score', 'p_value', 'q_value']));
        expect(d.cv).toBe('blocked:5:12');
        expect(d.model).toBe(d.target === 'choice' ? 'svc' : 'ridge');
      }
      expect(s.errors).toEqual([]);
    }
    expect(r.errors).toEqual([]);
    expect(r.group).toHaveLength(6);
    for (const g of r.group) expect(Object.keys(g)).toEqual(expect.arrayContaining(['roi', 'target', 'metric', 'mean', 't', 'p_value', 'q_value', 'n']));
    const p = r.provenance;
    expect(p).toMatchObject({ version: expect.any(String), seed: 0, config: { decoding: { permutations: 20 } } });
    expect(p.inputs.length).toBe(9);
    expect(p.timings.stages).toHaveProperty('extract');
    expect(p.cache.by_stage).toEqual({
      hash: { hits: 1, misses: 9 }, behavior: { hits: 0, misses: 2 }, extract: { hits: 0, misses: 6 }, decode: { hits: 0, misses: 12 }, group: { hits: 0, misses: 1 },
      geometry: { hits: 0, misses: 6 }, searchlight: { hits: 0, misses: 0 },
    });
    for (const s of r.subjects) {
      expect(s.geometry.map((g: any) => g.roi)).toEqual(['vmpfc', 'nacc_l', 'pcc']);
      expect(s.trials.choice.length).toBe(s.behavior.n_trials);
    }
    expect(r.searchlight).toBeUndefined();
    for (const f of ['behavior.tsv', 'decoding.tsv', 'group.tsv', 'errors.tsv', 'geometry.tsv', 'config.json']) expect(existsSync(join(a.out, f)), f).toBe(true);
    expect(readFileSync(join(a.out, 'geometry.tsv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 3 * 3);
    expect(readFileSync(join(a.out, 'decoding.tsv'), 'utf8').trim().split('\n')).toHaveLength(13);
    // The written config reproduces the run.
    expect(JSON.parse(readFileSync(join(a.out, 'config.json'), 'utf8'))).toEqual(p.config);
  }, 300_000);

  it('writes the searchlight maps under OUT/searchlight; identical with --jobs 1 and 2 and without the cache', async () => {
    // 10 mm: on the 5 mm demo grid a 6 mm sphere has 7 voxels, whose SVMs converge slowly (minutes).
    const sl = ['--searchlight', '--searchlight-radius', '10', '--searchlight-target', 'choice', '--cv', 'kfold:2', '--no-geometry'];
    const a = runInto('sl1', '--jobs', '1', '--cache-dir', join(tmp, 'cache-sl'), ...sl);
    const b = runInto('sl2', '--jobs', '2', '--no-cache', ...sl);
    expect(a.results.errors).toEqual([]);
    expect(comparable(b.results)).toEqual(comparable(a.results));
    const s = a.results.searchlight;
    expect(s).toMatchObject({ radius_mm: 10, model: 'svc', metric: 'balanced_accuracy', cv: 'kfold:2', n_permutations: 0 });
    expect(s.maps.map((m: any) => m.file)).toEqual(['searchlight/sub-01_target-choice_score.nii.gz', 'searchlight/sub-02_target-choice_score.nii.gz']);
    expect(s.group).toMatchObject([{ target: 'choice', file: 'searchlight/group_target-choice_t.nii.gz', n: 2, df: 1 }]);
    for (const f of [...s.maps.map((m: any) => m.file), s.group[0].file]) {
      expect(existsSync(join(a.out, f)), f).toBe(true);
      expect(existsSync(join(b.out, f)), f).toBe(true);
    }
    expect(a.summary.maps).toHaveLength(3);
    const { readNiftiImage } = await import('../../src/core/nifti/index.ts');
    const { fileSource } = await import('../../src/platform/node/file-source.ts');
    const img = await readNiftiImage(await fileSource(join(a.out, s.maps[0].file)));
    let best = -Infinity;
    for (const v of img.data) if (Number.isFinite(v) && v > best) best = v;
    expect(best).toBe(Math.fround(s.maps[0].peak.score));
  }, 600_000);

  it('gives identical results with --jobs 1 and 2, with and without the cache', () => {
    const cache = join(tmp, 'cache-b');
    const a = runInto('b1', '--jobs', '1', '--cache-dir', cache);
    const b = runInto('b2', '--jobs', '2', '--no-cache');
    const c = runInto('b3', '--jobs', '2', '--cache-dir', cache);
    expect(b.results.provenance.cache.enabled).toBe(false);
    expect(c.results.provenance.cache.misses).toBe(0);
    expect(c.summary.jobs).toBe(2);
    expect(comparable(b.results)).toEqual(comparable(a.results));
    expect(comparable(c.results)).toEqual(comparable(a.results));
    // Moved and touched (cp gives new mtimes): re-hashed, nothing recomputed.
    const moved = join(tmp, 'demo-moved');
    cpSync(demo, moved, { recursive: true });
    const out = join(tmp, 'b4');
    const r = ddmvpa('run', '--bids', moved, '--out', out, ...ROIS, '--permutations', '20', '--geometry-permutations', '20', '--cache-dir', cache, '--jobs', '1');
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(m.provenance.cache.by_stage).toEqual({
      hash: { hits: 1, misses: 9 }, behavior: { hits: 2, misses: 0 }, extract: { hits: 0, misses: 0 }, decode: { hits: 12, misses: 0 }, group: { hits: 1, misses: 0 },
      geometry: { hits: 6, misses: 0 }, searchlight: { hits: 0, misses: 0 },
    });
    const x = comparable(m), y = comparable(a.results);
    delete x.provenance.bids; delete y.provenance.bids;
    expect(x).toEqual(y);
  }, 300_000);

  it('keeps to a memory budget smaller than one subject: tasks run one at a time, same results', () => {
    const a = runInto('budget-ref', '--jobs', '1', '--no-cache', '--permutations', '5');
    const b = runInto('budget', '--jobs', '2', '--cache-dir', join(tmp, 'cache-budget'), '--memory-budget', '50', '--permutations', '5');
    expect(b.stderr).toMatch(/warning: sub-01 needs ~\d+ MB, more than the budget of 50 MB; running its tasks alone/);
    expect(b.stderr.match(/warning: sub-01 needs/g)).toHaveLength(1);
    expect(comparable(b.results)).toEqual(comparable(a.results));
  }, 300_000);

  it('reports a subject with a corrupt BOLD or without events in errors[]; the other completes', () => {
    const bad = join(tmp, 'demo-bad');
    cpSync(demo, bad, { recursive: true });
    const bold = 'derivatives/fmriprep/sub-02/func/sub-02_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz';
    truncateSync(join(bad, bold), Math.floor(statSync(join(bad, bold)).size / 2));
    const out = join(tmp, 'c1');
    let r = ddmvpa('run', '--bids', bad, '--out', out, ...ROIS, '--permutations', '5', '--no-cache', '--jobs', '2');
    expect(r.code, r.stderr).toBe(0);
    let res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.subjects[0].decoding).toHaveLength(6);
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatchObject({ subject: '02', stage: 'extract', file: bold });
    expect(res.errors[0].code).toMatch(/^NIFTI_/);
    expect(r.stderr).toMatch(/error NIFTI_\w+ \(sub-02\)/);

    rmSync(join(bad, 'sub-02/func/sub-02_task-discountFix_events.tsv'));
    r = ddmvpa('run', '--bids', bad, '--out', out, ...ROIS, '--permutations', '5', '--no-cache', '--jobs', '1');
    expect(r.code, r.stderr).toBe(0);
    res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.errors.map((e: any) => [e.subject, e.code])).toEqual([['02', 'BIDS_NO_EVENTS']]);
    expect(res.subjects[0].decoding).toHaveLength(6);
  }, 300_000);

  it('after kill -9 mid-run, the same command finishes and recomputes nothing that had finished', async () => {
    const cache = join(tmp, 'cache-kill');
    const out = join(tmp, 'kill');
    const args = ['bin/ddmvpa.mjs', 'run', '--bids', demo, '--out', out, ...ROIS, '--permutations', '150', '--cache-dir', cache, '--jobs', '1'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const killed = await new Promise<boolean>((resolve) => {
      child.stderr!.on('data', (d) => {
        err += d;
        if (/sub-01 done:/.test(err) && child.exitCode === null) { child.kill('SIGKILL'); resolve(true); }
      });
      child.on('exit', () => resolve(false));
    });
    expect(killed, err).toBe(true);
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(out, 'results.json'))).toBe(false);

    const again = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 300_000 });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/sub-01 done: 6 decoding\(s\), 0 error\(s\), cache \d+ hit\(s\) 0 computed/);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    // At most sub-02's stages (1 behaviour, 3 ROIs, 6 decodings) were left to compute.
    const m = res.provenance.cache.by_stage;
    expect([m.behavior.misses, m.extract.misses, m.decode.misses].every((x: number, i: number) => x <= [1, 3, 6][i]!)).toBe(true);
    const ref = ddmvpa('run', '--bids', demo, '--out', join(tmp, 'kill-ref'), ...ROIS, '--permutations', '150', '--no-cache', '--jobs', '2');
    expect(ref.code, ref.stderr).toBe(0);
    expect(comparable(res)).toEqual(comparable(JSON.parse(readFileSync(join(tmp, 'kill-ref', 'results.json'), 'utf8'))));
  }, 300_000);

  it('rejects bad arguments and config files with a coded error naming the field', () => {
    const out = join(tmp, 'bad-args');
    let r = ddmvpa('run', '--bids', demo, '--out', out, '--no-cache', '--cache-dir', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error ARGS_CONFLICT: /m);
    r = ddmvpa('run', '--bids', demo, '--out', out, '--permutaions', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error ARGS_UNKNOWN_FLAG: --permutaions/m);
    r = ddmvpa('run', '--bids', demo, '--out', out, '--estimator', 'ols', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'CONFIG_BAD_VALUE', message: expect.stringContaining('patterns.estimator') });
    const cfg = join(tmp, 'bad-config.json');
    writeFileSync(cfg, JSON.stringify({ decoding: { permutation: 10 } }));
    r = ddmvpa('run', '--bids', demo, '--out', out, '--config', cfg);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error CONFIG_UNKNOWN_FIELD: .*bad-config\.json: config decoding\.permutation/m);
  }, 120_000);
});
