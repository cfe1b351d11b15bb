/**
 * The geometry and searchlight stages of the pipeline on the 2-subject small demo (seed 5):
 * geometry rows equal src/core/geometry on the same patterns; the searchlight map (from the same
 * stream pass as the ROIs) peaks near the planted choice sphere; its NIfTI files and the group t
 * map; cache misses per stage when their parameters change; the results.json v2 shape.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../../src/core/pipeline/config.ts';
import { comparableResults, RESULTS_SCHEMA_VERSION, type Results } from '../../../src/core/pipeline/results.ts';
import { runPipeline } from '../../../src/core/pipeline/runner.ts';
import { demoPaths } from '../../../src/core/demo/dataset.ts';
import { PLANTED } from '../../../src/core/demo/spec.ts';
import { extractRun } from '../../../src/core/extract/extract-run.ts';
import { jsProjector } from '../../../src/core/extract/projector.ts';
import { roiGeometry } from '../../../src/core/geometry/index.ts';
import { memorySource } from '../../../src/core/io/byte-source.ts';
import { readNiftiImage } from '../../../src/core/nifti/index.ts';
import { voxelMm } from '../../../src/core/pipeline/map-files.ts';
import { memCache, memDataset, memHost, standInDecode } from './helpers.ts';

const BASE = { rois: ['vmpfc', 'pcc'], decoding: { targets: ['choice'], permutations: 0 }, geometry: { permutations: 30 } };

function config(over: Record<string, unknown> = {}): Config {
  const raw = structuredClone(BASE) as Record<string, any>;
  for (const [path, v] of Object.entries(over)) {
    const parts = path.split('.');
    let node = raw;
    for (const p of parts.slice(0, -1)) node = node[p] ??= {};
    node[parts[parts.length - 1]!] = v;
  }
  return parseConfig(raw);
}

const misses = (r: Results) => Object.fromEntries(Object.entries(r.provenance.cache.by_stage).map(([s, v]) => [s, v.misses]));
// The searchlight tests decode with two folds (the searchlight reads the ROI decoding's CV).
// 10 mm on the 5 mm demo grid (33-voxel spheres): 6 mm gives 7-voxel spheres whose SVMs
// converge slowly (minutes per subject), which this test does not need.
const SL = { 'searchlight.enabled': true, 'searchlight.radius_mm': 10, 'decoding.cv': 'kfold:2' };
const sig4 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : null);
const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

describe('geometry stage', () => {
  it('equals roiGeometry on the patterns of the stream pass (sub-01, vmpfc), with BH over ROI × model', async () => {
    const files = await memDataset();
    const r = await runPipeline({ config: config({ 'data.subjects': ['01'] }), host: memHost(files, null), decodeStage: standInDecode(), version: 'test' });
    expect(r.errors).toEqual([]);
    expect(r.schema_version).toBe(RESULTS_SCHEMA_VERSION);
    expect(RESULTS_SCHEMA_VERSION).toBe(2);
    const s = r.subjects[0]!;
    const row = s.geometry!.find((g) => g.roi === 'vmpfc')!;

    // The same run extracted by hand, geometry computed directly.
    const p = demoPaths('01');
    const text = (path: string) => ({ file: path, text: new TextDecoder().decode(files.get(path)!.bytes) });
    const ex = await extractRun({
      bold: memorySource(p.bold, files.get(p.bold)!.bytes), events: text(p.events), confounds: text(p.confounds), boldJson: text('task-discountFix_bold.json'),
      preset: 'motion6+wm+csf', spikeFd: null, estimator: 'lss', highPassS: 128, sliceTimeRef: 0.5, rois: ['vmpfc'],
      loadImage: async () => { throw new Error('no image'); }, makeProjector: jsProjector,
    });
    const X = ex.patterns.get('vmpfc')!.slice();
    ex.release();
    const n = ex.trials.length, pv = X.length / n;
    const v = (k: 'choice' | 'sv_diff' | 'later_delay') => ex.trials.map((t) => (t[k] === null ? NaN : t[k]!));
    const g = roiGeometry(X, n, pv, {
      variables: { choice: { values: v('choice'), kind: 'categorical' }, sv_diff: { values: v('sv_diff'), kind: 'absdiff' }, delay: { values: v('later_delay'), kind: 'absdiff' } },
      conditions: v('choice'), runs: null, permutations: 30, seed: 0,
    });
    expect([row.n_trials, row.n_voxels, row.rdm_method]).toEqual([n, pv, 'correlation']);
    const tri: (number | null)[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) tri.push(sig4(g.rdm[i * n + j]!));
    expect(row.rdm).toEqual(tri);
    expect(row.rsa.map((x) => [x.model, x.rho, x.p_value, x.n_permutations])).toEqual(
      ['choice', 'sv_diff', 'delay'].map((m) => [m, g.rsa[m]!.rho, g.rsa[m]!.pValue, 30]),
    );
    expect(row.pca.participation_ratio).toBe(g.pca.participationRatio);
    expect(row.pca.explained_variance_ratio).toEqual(g.pca.explainedVarianceRatio.map((x) => sig4(x)));
    expect(row.pca.scores).toEqual(Array.from({ length: n }, (_, i) => [sig4(g.pca.scores[2 * i]!), sig4(g.pca.scores[2 * i + 1]!)]));
    expect(row.mds.coords).toEqual(Array.from({ length: n }, (_, i) => [sig4(g.mds.coords[2 * i]!), sig4(g.mds.coords[2 * i + 1]!)]));
    expect(row.ratio).toEqual({ label: 'choice', within: g.distanceRatio!.within, between: g.distanceRatio!.between, ratio: g.distanceRatio!.ratio, p_value: g.distanceRatio!.pValue, n_permutations: 30 });
    expect(row.crossnobis).toBeNull();

    // Rows index the subject's trial table: same choices, onsets in order.
    const t = s.trials!;
    expect(row.trial_index).toHaveLength(n);
    expect(row.trial_index.map((i) => t.choice[i])).toEqual(ex.trials.map((x) => x.choice));
    expect(row.trial_index.map((i) => t.onset[i])).toEqual(ex.trials.map((x) => x.onset));
    for (const k of ['run', 'onset', 'delay', 'ss_amount', 'll_amount', 'choice', 'sv_diff'] as const) expect(t[k]).toHaveLength(t.run.length);
    expect(t.onset.every((o, i) => i === 0 || t.run[i - 1]! < t.run[i]! || t.onset[i - 1]! <= o)).toBe(true);

    // q over the subject's ROI × model p values (BH), as the stats module computes it.
    const { fdrBh } = await import('../../../src/core/stats/fdr.ts');
    const all = s.geometry!.flatMap((x) => x.rsa);
    expect(all).toHaveLength(6);
    expect(all.map((x) => x.q_value)).toEqual(Array.from(fdrBh(all.map((x) => x.p_value!)).q));
    // The planted choice effect lives in vmpfc: its choice model fits, and choices separate.
    expect(row.rsa[0]!.rho).toBeGreaterThan(0);
    expect(row.ratio!.ratio).toBeGreaterThan(1);
  }, 300_000);
});

describe('searchlight stage', () => {
  it('maps choice from the same stream pass, peaks near the planted sphere, writes the NIfTI files and the group t map', async () => {
    const files = await memDataset();
    const cache = memCache();
    let passes = 0;
    const host = memHost(files, cache);
    const make = host.makeProjector;
    host.makeProjector = (spec) => { passes++; return make(spec); };
    const out = new Map<string, Uint8Array>();
    // Two folds and one permutation keep the ~14 000 spheres per subject quick.
    const cfg = config({ ...SL, 'searchlight.permutations': 1 });
    const r = await runPipeline({ config: cfg, host, decodeStage: standInDecode(), version: 'test', onFile: (p, b) => { out.set(p, b); } });
    expect(r.errors).toEqual([]);
    // One stream pass per subject (one run each) for vmpfc, pcc and the brain mask.
    expect(passes).toBe(2);
    expect(misses(r)).toMatchObject({ extract: 6, searchlight: 2, geometry: 4 });
    const sl = r.searchlight!;
    expect(sl).toMatchObject({ radius_mm: 10, model: 'svc', metric: 'balanced_accuracy', chance: 0.5, cv: 'kfold:2', n_permutations: 1 });
    expect(sl.maps.map((m) => [m.subject, m.target, m.file, m.p_file])).toEqual([
      ['01', 'choice', 'searchlight/sub-01_target-choice_score.nii.gz', 'searchlight/sub-01_target-choice_p.nii.gz'],
      ['02', 'choice', 'searchlight/sub-02_target-choice_score.nii.gz', 'searchlight/sub-02_target-choice_p.nii.gz'],
    ]);
    const choice = PLANTED.find((p) => p.effect === 'choice')!;
    for (const m of sl.maps) {
      // within the sphere, give or take a voxel (5 mm)
      expect(dist(m.peak!.mm, choice.centreMm), `sub-${m.subject} peak ${m.peak!.mm}`).toBeLessThanOrEqual(choice.radiusMm + 5);
      expect(m.peak!.score).toBeGreaterThan(0.75);
      expect(m.mean).toBeGreaterThan(0.45);
      expect(m.mean).toBeLessThan(0.6);
    }
    expect(sl.group).toHaveLength(1);
    expect(sl.group[0]).toMatchObject({ target: 'choice', file: 'searchlight/group_target-choice_t.nii.gz', n: 2, df: 1 });
    expect([...out.keys()].sort()).toEqual([...sl.maps.flatMap((m) => [m.file, m.p_file!]), sl.group[0]!.file].sort());

    // The score map on the BOLD grid: float32, NaN outside the mask, the peak where results.json says.
    const img = await readNiftiImage(memorySource('m.nii.gz', out.get(sl.maps[0]!.file)!));
    expect(img.header.dims.slice(0, 3)).toEqual([44, 48, 32]);
    expect(img.header.datatypeCode).toBe(16);
    let best = -1, nFinite = 0;
    for (let i = 0; i < img.data.length; i++) {
      if (!Number.isFinite(img.data[i]!)) continue;
      nFinite++;
      if (best < 0 || img.data[i]! > img.data[best]!) best = i;
    }
    expect(nFinite).toBe(sl.maps[0]!.n_voxels);
    expect(Number.isNaN(img.data[0]!)).toBe(true);
    expect(img.data[best]).toBe(Math.fround(sl.maps[0]!.peak!.score));
    const grid = { dims: [44, 48, 32] as [number, number, number], affine: img.header.affine };
    expect(voxelMm(grid, best)).toEqual(sl.maps[0]!.peak!.mm);
    const p = await readNiftiImage(memorySource('p.nii.gz', out.get(sl.maps[0]!.p_file!)!));
    expect([0.5, 1]).toContain(p.data[best]);

    // Served from the cache: same results and the same files; no pattern is read.
    passes = 0;
    const out2 = new Map<string, Uint8Array>();
    const again = await runPipeline({ config: cfg, host, decodeStage: standInDecode(), version: 'test', onFile: (f, b) => { out2.set(f, b); } });
    expect(passes).toBe(0);
    expect(misses(again)).toMatchObject({ extract: 0, searchlight: 0, geometry: 0, decode: 0 });
    expect(comparableResults(again)).toEqual(comparableResults(r));
    expect(out2).toEqual(out);

    // The searchlight's parameters recompute the searchlight only (the brain patterns are cached).
    for (const [over, exp] of [
      [{ 'searchlight.permutations': 0 }, { searchlight: 2, extract: 0, decode: 0, geometry: 0 }],
      [{ 'geometry.permutations': 5 }, { searchlight: 0, extract: 0, decode: 0, geometry: 4 }],
    ] as const) {
      passes = 0;
      const x = await runPipeline({ config: config({ ...SL, 'searchlight.permutations': 1, ...over }), host, decodeStage: standInDecode(), version: 'test' });
      expect(misses(x), JSON.stringify(over)).toMatchObject(exp);
      expect(passes).toBe(0);
    }
  }, 600_000);

  it('switching the searchlight on later reads the brain columns in one more pass; results equal an uncached run', async () => {
    const files = await memDataset();
    const cache = memCache();
    const one = { 'data.subjects': ['01'], 'geometry.enabled': false, 'decoding.cv': 'kfold:2' };
    await runPipeline({ config: config(one), host: memHost(files, cache), decodeStage: standInDecode(), version: 'test' });
    const cfg = config({ ...one, ...SL });
    const host = memHost(files, cache);
    let passes = 0;
    const make = host.makeProjector;
    host.makeProjector = (spec) => { passes++; return make(spec); };
    const r = await runPipeline({ config: cfg, host, decodeStage: standInDecode(), version: 'test' });
    expect(passes).toBe(1);
    expect(misses(r)).toMatchObject({ extract: 1, searchlight: 1, decode: 0, geometry: 0 });
    expect(r.errors).toEqual([]);
    // One subject: a map, no group t map.
    expect(r.searchlight!.maps).toHaveLength(1);
    expect(r.searchlight!.group).toEqual([]);
    expect(r.subjects.every((s) => s.geometry!.length === 0)).toBe(true);
    const fresh = await runPipeline({ config: cfg, host: memHost(files, null), decodeStage: standInDecode(), version: 'test' });
    expect(comparableResults(fresh)).toEqual(comparableResults(r));
  }, 600_000);

  it('a host without searchlight kernels reports the error per subject and target', async () => {
    const files = await memDataset();
    const host = memHost(files, memCache());
    delete host.searchlight;
    const r = await runPipeline({ config: config({ 'searchlight.enabled': true, 'geometry.enabled': false, rois: ['vmpfc'] }), host, decodeStage: standInDecode(), version: 'test' });
    expect(r.errors.map((e) => [e.subject, e.stage, e.target, e.code])).toEqual([['01', 'searchlight', 'choice', 'SEARCHLIGHT_UNAVAILABLE'], ['02', 'searchlight', 'choice', 'SEARCHLIGHT_UNAVAILABLE']]);
    expect(r.searchlight!.maps).toEqual([]);
    expect(r.subjects[0]!.decoding).toHaveLength(1);
  });
});
