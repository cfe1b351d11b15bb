/**
 * The pipeline runtime on a 2-subject small demo dataset in memory, with a stand-in decoding
 * stage: cache hits and misses per stage, what invalidates what, corruption recovery, failing
 * subjects, cancellation and resume, identical results with and without the cache.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../../src/core/cache/store.ts';
import { parseConfig, FIELDS, type Config } from '../../../src/core/pipeline/config.ts';
import { CACHED_STAGES, downstreamOf, stagesOfParam, type StageName } from '../../../src/core/pipeline/graph.ts';
import { comparableResults, resultTables, type Results } from '../../../src/core/pipeline/results.ts';
import { runPipeline } from '../../../src/core/pipeline/runner.ts';
import type { ProgressEvent } from '../../../src/core/pipeline/stages.ts';
import { memCache, memDataset, memHost, standInDecode, type MemFile } from './helpers.ts';
import { demoPaths } from '../../../src/core/demo/dataset.ts';

// Geometry off except in the tests that count its stage (it is the slowest stage here).
const BASE = { rois: ['vmpfc', 'nacc_l', 'pcc'], decoding: { permutations: 20 }, geometry: { enabled: false, permutations: 5 } };
const GEO = { 'geometry.enabled': true };

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

async function run(files: Map<string, MemFile>, cfg: Config, cache = memCache(), opts: { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void } = {}) {
  const calls = { n: 0 };
  const results = await runPipeline({ config: cfg, host: memHost(files, cache), decodeStage: standInDecode(calls), version: 'test', ...opts });
  return { results, calls, cache };
}

const misses = (r: Results) => Object.fromEntries(Object.entries(r.provenance.cache.by_stage).map(([s, v]) => [s, v.misses]));
const hits = (r: Results) => Object.fromEntries(Object.entries(r.provenance.cache.by_stage).map(([s, v]) => [s, v.hits]));

// Long under load (2 shared cores): many whole-pipeline runs per test.
describe('pipeline runner', { timeout: 240_000 }, () => {
  it('computes every stage once, then serves everything from the cache (identical results)', async () => {
    const files = await memDataset();
    const cache = memCache();
    const first = await run(files, config(GEO), cache);
    expect(first.results.errors).toEqual([]);
    expect(first.results.subjects.map((s) => s.id)).toEqual(['01', '02']);
    // 5 files per subject; task-discountFix_bold.json is shared (hashed once).
    expect(misses(first.results)).toEqual({ hash: 9, behavior: 2, extract: 6, decode: 12, group: 1, geometry: 6, searchlight: 0 });
    expect(hits(first.results)).toEqual({ hash: 1, behavior: 0, extract: 0, decode: 0, group: 0, geometry: 0, searchlight: 0 });
    expect(first.calls.n).toBe(12);
    for (const s of first.results.subjects) {
      expect(s.decoding.map((d) => `${d.roi}/${d.target}`)).toEqual(['vmpfc/choice', 'vmpfc/sv_diff', 'nacc_l/choice', 'nacc_l/sv_diff', 'pcc/choice', 'pcc/sv_diff']);
      expect(s.behavior!.k).toBeGreaterThan(0);
      for (const d of s.decoding) expect(d.q_value).not.toBeNull();
    }
    expect(first.results.group).toHaveLength(6);
    expect(first.results.group[0]).toMatchObject({ roi: 'vmpfc', target: 'choice', metric: 'balanced_accuracy', n: 2 });
    expect(first.results.provenance.inputs).toHaveLength(9);
    expect(first.results.provenance.inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);

    const second = await run(files, config(GEO), cache);
    expect(misses(second.results)).toEqual({ hash: 0, behavior: 0, extract: 0, decode: 0, group: 0, geometry: 0, searchlight: 0 });
    expect(hits(second.results)).toEqual({ hash: 10, behavior: 2, extract: 0, decode: 12, group: 1, geometry: 6, searchlight: 0 });
    expect(second.calls.n).toBe(0);
    expect(comparableResults(second.results)).toEqual(comparableResults(first.results));

    const uncached = await runPipeline({ config: config(GEO), host: memHost(files, null), decodeStage: standInDecode(), version: 'test' });
    expect(uncached.provenance.cache.enabled).toBe(false);
    expect(comparableResults(uncached)).toEqual(comparableResults(first.results));
    expect(Object.keys(resultTables(first.results))).toEqual(['behavior.tsv', 'decoding.tsv', 'group.tsv', 'errors.tsv', 'geometry.tsv']);
    expect(resultTables(first.results)['decoding.tsv'].trim().split('\n')).toHaveLength(13);
    // subject × ROI × model
    const geo = resultTables(first.results)['geometry.tsv'].trim().split('\n');
    expect(geo).toHaveLength(1 + 2 * 3 * 3);
    expect(geo[0]!.split('\t')).toEqual(['subject', 'roi', 'rdm_method', 'n_trials', 'n_voxels', 'model', 'rho', 'p_value', 'q_value', 'participation_ratio', 'ratio', 'ratio_p']);
  });

  it('changing one parameter recomputes exactly the stages downstream of it', async () => {
    const files = await memDataset();
    const cache = memCache();
    await run(files, config(GEO), cache);
    const cases: [string, unknown, Partial<Record<StageName, number>>][] = [
      ['decoding.permutations', 10, { decode: 12, extract: 0, behavior: 0, geometry: 0 }],
      ['geometry.permutations', 10, { geometry: 6, decode: 0, extract: 0 }],
      ['geometry.models', ['choice', 'rt'], { geometry: 6, decode: 0 }],
      ['geometry.enabled', false, { geometry: 0, decode: 0 }],
      ['searchlight.radius_mm', 9, { searchlight: 0, decode: 0, geometry: 0 }],
      ['decoding.C', 2, { decode: 6 }],
      ['decoding.alpha', 2, { decode: 6 }],
      ['decoding.class_weight', 'balanced', { decode: 6 }],
      ['decoding.model.classification', 'logreg', { decode: 6 }],
      ['decoding.metric.classification', 'accuracy', { decode: 6 }],
      ['decoding.metric.regression', 'pearson_r', { decode: 6 }],
      ['decoding.cv', 'kfold:5', { decode: 12 }],
      ['decoding.scaling', 'none', { decode: 12 }],
      ['decoding.targets', ['choice', 'sv_diff', 'sv_sum'], { decode: 6 }],
      ['seed', 7, { decode: 12, geometry: 6 }],
      ['rois', ['vmpfc', 'nacc_l', 'pcc', 'dlpfc_l'], { extract: 2, decode: 4, geometry: 2 }],
      ['patterns.estimator', 'lsa', { extract: 6, decode: 12, geometry: 6 }],
      ['patterns.confounds', 'motion6', { extract: 6, decode: 12 }],
      ['patterns.spike_fd_mm', 0.5, { extract: 6, decode: 12 }],
      ['behavior.fixed_beta', 1, { behavior: 2, extract: 0, decode: 12, geometry: 6 }],
      ['group.test', 'wilcoxon', { decode: 0 }],
      ['group.permutations', 500, { decode: 0 }],
    ];
    for (const [path, value, expected] of cases) {
      const r = (await run(files, config({ ...GEO, [path]: value }), cache)).results;
      const m = misses(r);
      const down = new Set(downstreamOf(...stagesOfParam(path)));
      for (const s of CACHED_STAGES) {
        if (!down.has(s)) expect(m[s], `${path}: ${s} must not be recomputed`).toBe(0);
      }
      expect(m.group, `${path}: group`).toBe(down.has('group') ? 1 : 0);
      for (const [s, n] of Object.entries(expected)) expect(m[s], `${path}: misses of ${s}`).toBe(n);
      expect(r.errors, path).toEqual([]);
    }
    // Every config field is read by some stage.
    for (const f of FIELDS) expect(() => stagesOfParam(f.path)).not.toThrow();
    // Removing an ROI recomputes nothing but the group.
    const fewer = (await run(files, config({ ...GEO, rois: ['vmpfc', 'pcc'] }), cache)).results;
    expect(misses(fewer)).toEqual({ hash: 0, behavior: 0, extract: 0, decode: 0, group: 1, geometry: 0, searchlight: 0 });
  });

  it("changing an input's bytes invalidates its stages; renaming or touching files does not", async () => {
    const files = await memDataset();
    const cache = memCache();
    const base = (await run(files, config(), cache)).results;

    // Touch every file (new mtimes) and move the dataset (new identities): re-hashed, same content.
    const moved = new Map([...files].map(([p, f]) => [p, { ...f, mtimeMs: 5000, identity: f.identity.replace('/data/', '/elsewhere/') }]));
    const r1 = (await run(moved, config(), cache)).results;
    expect(misses(r1)).toEqual({ hash: 9, behavior: 0, extract: 0, decode: 0, group: 0, geometry: 0, searchlight: 0 });
    expect(comparableResults(r1)).toEqual(comparableResults(base));

    // A ROI mask file renamed in the config: same content, same patterns.
    const { encodeNifti1 } = await import('../../../src/core/nifti/index.ts');
    const { demoGrid } = await import('../../../src/core/demo/spec.ts');
    const g = demoGrid('small');
    const mask = new Uint8Array(g.dims[0] * g.dims[1] * g.dims[2]);
    for (let i = 30000; i < 30040; i++) mask[i] = 1;
    const bytes = encodeNifti1({ dims: g.dims, affine: g.affine, datatype: 'uint8', data: mask });
    const extra = new Map<string, MemFile>([
      ['masks/a.nii', { bytes, mtimeMs: 1, identity: 'mem:a' }],
      ['masks/b.nii', { bytes, mtimeMs: 1, identity: 'mem:b' }],
    ]);
    const withMask = (p: string) => runPipeline({ config: config({ rois: ['vmpfc', `m=${p}`] }), host: memHost(files, cache, extra), decodeStage: standInDecode(), version: 'test' });
    const ma = await withMask('masks/a.nii');
    expect(ma.errors).toEqual([]);
    expect(misses(ma).extract).toBe(2);
    const mb = await withMask('masks/b.nii');
    expect(misses(mb)).toEqual({ hash: 1, behavior: 0, extract: 0, decode: 0, group: 0, geometry: 0, searchlight: 0 });

    // New bytes in sub-02's events (a trailing blank line): sub-02's stages recompute, sub-01's do not.
    const ev = demoPaths('02').events;
    const edited = new Map(files);
    const f = files.get(ev)!;
    edited.set(ev, { ...f, bytes: new Uint8Array([...f.bytes, 10]), mtimeMs: 9999 });
    const r2 = (await run(edited, config(), cache)).results;
    expect(misses(r2)).toEqual({ hash: 1, behavior: 1, extract: 3, decode: 6, group: 1, geometry: 0, searchlight: 0 });
    expect(hits(r2)).toMatchObject({ behavior: 1, decode: 6 });
  });

  it('detects a cache entry with a flipped byte, deletes and recomputes it', async () => {
    const files = await memDataset();
    const store = memoryStore();
    const events: string[] = [];
    const { Cache } = await import('../../../src/core/cache/cache.ts');
    const cache = new Cache(store, { onEvent: (e) => events.push(e.type) });
    const base = (await run(files, config(), cache)).results;
    const key = [...store.entries.keys()].filter((k) => k.startsWith('decode-')).sort()[0]!;
    const entry = store.entries.get(key)!;
    entry.bytes[Math.floor(entry.bytes.length / 2)]! ^= 0x10;
    const again = (await run(files, config(), cache)).results;
    expect(events).toContain('corrupt');
    expect(again.provenance.cache.corrupt).toBe(1);
    expect(misses(again)).toMatchObject({ decode: 1, group: 0 });
    expect(comparableResults(again)).toEqual(comparableResults(base));
    // The recomputed entry is whole again.
    expect(misses((await run(files, config(), cache)).results).decode).toBe(0);
  });

  it('a subject with a corrupt BOLD or without events is reported in errors[]; the other completes', async () => {
    const files = await memDataset();
    const bold = demoPaths('02').bold;
    const broken = new Map(files);
    const b = files.get(bold)!;
    broken.set(bold, { ...b, bytes: b.bytes.subarray(0, Math.floor(b.bytes.length / 2)) });
    const r = (await run(broken, config())).results;
    expect(r.subjects[0]!.decoding).toHaveLength(6);
    expect(r.subjects[1]!.decoding).toHaveLength(0);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ subject: '02', stage: 'extract', file: bold });
    expect(r.errors[0]!.code).toMatch(/^NIFTI_/);
    expect(r.subjects[1]!.errors[0]!.code).toBe(r.errors[0]!.code);
    expect(r.group.every((g) => g.n === 1)).toBe(true);

    const noEvents = new Map(files);
    noEvents.delete(demoPaths('02').events);
    const r2 = (await run(noEvents, config())).results;
    expect(r2.errors.map((e) => [e.subject, e.code])).toEqual([['02', 'BIDS_NO_EVENTS']]);
    expect(r2.warnings.map((w) => w.code)).toContain('BIDS_NO_EVENTS');
    expect(r2.subjects[0]!.decoding).toHaveLength(6);

    const unknown = (await run(files, config({ 'data.subjects': ['01', '07'] }))).results;
    expect(unknown.subjects.map((s) => s.id)).toEqual(['01']);
    expect(unknown.errors.map((e) => [e.subject, e.code])).toEqual([['07', 'BIDS_SUBJECT_NOT_FOUND']]);
  });

  it('cancels on the signal, and a second run resumes from what was finished', async () => {
    const files = await memDataset();
    const cache = memCache();
    const ac = new AbortController();
    const seen: ProgressEvent[] = [];
    await expect(run(files, config(), cache, {
      signal: ac.signal,
      onProgress: (e) => { seen.push(e); if (e.subject === '02' && e.stage === 'decode') ac.abort(); },
    })).rejects.toMatchObject({ code: 'RUN_CANCELLED' });
    expect(seen.some((e) => e.stage === 'extract' && e.subject === '01' && e.done === e.total)).toBe(true);
    for (const e of seen) {
      expect(Object.keys(e).sort()).toEqual(['done', 'eta_s', 'stage', 'subject', 'total']);
      expect(e.done).toBeLessThanOrEqual(e.total);
    }
    const resumed = (await run(files, config(), cache)).results;
    // sub-01 is served whole from the cache; sub-02's extraction was stored before decoding began.
    expect(misses(resumed).extract).toBe(0);
    expect(misses(resumed).decode).toBeLessThanOrEqual(6);
    expect(misses(resumed).behavior).toBe(0);
    const fresh = (await run(files, config())).results;
    expect(comparableResults(resumed)).toEqual(comparableResults(fresh));
  });

  it('stops writing, says so and still finishes when the store is full', async () => {
    const files = await memDataset();
    const { Cache } = await import('../../../src/core/cache/cache.ts');
    const events: string[] = [];
    const cache = new Cache(memoryStore({ quotaBytes: 20_000 }), { onEvent: (e) => events.push(e.type) });
    const r = (await run(files, config(), cache)).results;
    expect(r.errors).toEqual([]);
    expect(events).toContain('disabled');
    expect(r.provenance.cache.disabled).toMatch(/quota/);
    const fresh = (await run(files, config())).results;
    expect(comparableResults(r)).toEqual(comparableResults(fresh));
  });

  it('decodes a subject with two runs with leave-one-run-out, from Blob files', async () => {
    const { filesFromBlobs } = await import('../../../src/core/pipeline/blob-host.ts');
    const files = await memDataset();
    // sub-01's run twice (run-1, run-2): same data, two runs.
    const entries: { path: string; blob: Blob }[] = [];
    for (const [p, f] of files) {
      if (!p.includes('sub-01')) continue;
      for (const run of [1, 2]) {
        const q = p.replace('_task-discountFix_', `_task-discountFix_run-${run}_`);
        if (q !== p) entries.push({ path: q, blob: new Blob([f.bytes as Uint8Array<ArrayBuffer>]) });
      }
    }
    entries.push({ path: 'task-discountFix_bold.json', blob: new Blob([files.get("task-discountFix_bold.json")!.bytes as Uint8Array<ArrayBuffer>]) });
    const host = { ...memHost(new Map(), memCache()), files: filesFromBlobs(entries) };
    const r = await runPipeline({ config: config(GEO), host, decodeStage: standInDecode(), version: 'test' });
    expect(r.errors).toEqual([]);
    const s = r.subjects[0]!;
    expect(s.runs.map((x) => x.id)).toEqual(['sub-01_task-discountFix_run-1', 'sub-01_task-discountFix_run-2']);
    const one = (await run(files, config({ ...GEO, 'data.subjects': ['01'] }))).results.subjects[0]!;
    for (const d of s.decoding) {
      expect(d.cv).toBe('loro');
      const single = one.decoding.find((x) => x.roi === d.roi && x.target === d.target)!;
      expect(d.n_samples).toBe(2 * single.n_samples);
      expect(d.n_features).toBe(single.n_features);
    }
    expect(s.behavior!.n_trials).toBe(2 * one.behavior!.n_trials);
    // Geometry over both runs: the trial RDM of every pattern row, and crossnobis between the choices.
    for (const g of s.geometry!) {
      const single = one.geometry!.find((x) => x.roi === g.roi)!;
      expect(g.n_trials).toBe(2 * single.n_trials);
      expect(new Set(g.trial_index.map((i) => s.trials!.run[i])).size).toBe(2);
      expect(g.crossnobis).toMatchObject({ label: 'choice', conditions: [0, 1] });
      expect(g.crossnobis!.rdm).toHaveLength(1);
      expect(single.crossnobis).toBeNull();
    }
    expect(s.behavior!.k).toBeCloseTo(one.behavior!.k!, 6);
  });

  it('spreads decodings over workers as ROI × target shards when the workers share the cache: same results', async () => {
    const { prepareSubject, decodeCell } = await import('../../../src/core/pipeline/runner.ts');
    const files = await memDataset();
    const cache = memCache();
    const host = memHost(files, cache);
    const decodeStage = standInDecode();
    let inFlight = 0, maxInFlight = 0, cellsRun = 0;
    const track = async <T,>(f: () => Promise<T>) => {
      inFlight++; maxInFlight = Math.max(maxInFlight, inFlight);
      try { await new Promise((r) => setTimeout(r, 1)); return await f(); } finally { inFlight--; }
    };
    const executor = {
      slots: 3, budgetBytes: null, sharedCache: true,
      prepare: (job: any, decode: boolean, onProgress: any, signal?: AbortSignal) => track(() => prepareSubject(job, { host, decodeStage, signal, onProgress }, { decode })),
      decodeCell: (cell: any, onProgress: any, signal?: AbortSignal) => { cellsRun++; return track(() => decodeCell(cell, { host, decodeStage, signal, onProgress })); },
    };
    const spread = await runPipeline({ config: config(GEO), host, decodeStage, version: 'test', executor });
    expect(cellsRun).toBe(12);
    expect(maxInFlight).toBe(3);
    expect(misses(spread)).toEqual({ hash: 9, behavior: 2, extract: 6, decode: 12, group: 1, geometry: 6, searchlight: 0 });
    expect(hits(spread)).toEqual({ hash: 1, behavior: 0, extract: 0, decode: 0, group: 0, geometry: 0, searchlight: 0 });
    const local = (await run(files, config(GEO))).results;
    expect(comparableResults(spread)).toEqual(comparableResults(local));
    // The cells' inputs lost from the cache in between are recomputed where the cell runs.
    const cache2 = memCache();
    const host2 = memHost(files, cache2);
    const lossy = {
      ...executor,
      prepare: async (job: any, decode: boolean, onProgress: any, signal?: AbortSignal) => {
        const p = await prepareSubject(job, { host: host2, decodeStage, signal, onProgress }, { decode });
        for (const k of await cache2.store.keys()) if (k.startsWith('extract-') || k.startsWith('behavior-')) await cache2.store.delete(k);
        return p;
      },
      decodeCell: (cell: any, onProgress: any, signal?: AbortSignal) => decodeCell(cell, { host: host2, decodeStage, signal, onProgress }),
    };
    const r = await runPipeline({ config: config(GEO), host: host2, decodeStage, version: 'test', executor: lossy });
    expect(comparableResults(r)).toEqual(comparableResults(local));
  });
});
