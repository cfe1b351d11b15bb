/**
 * The pipeline runner: discover the dataset, run every subject's stages (here, or on workers
 * through a SubjectExecutor, within a memory budget), then the group stage, and assemble
 * results.json (./results.ts).
 *
 * A subject is three steps: prepareSubject (input hashes, behaviour, keys, decodings found in
 * the cache, patterns of the ROIs still to decode), its decodings (there, or as ROI × target
 * shards on any worker that shares the cache: decodeCell), finishSubject (rows, FDR, errors).
 *
 * Cache use per subject (graph.ts): keys are computed first from file hashes and parameters;
 * decodings are looked up; only the ROIs of decodings that missed are loaded or extracted (one
 * stream pass per run for all missing ROIs), so a run served from the cache reads no patterns.
 * Every computed stage is stored as soon as it is done: a cancelled or killed run resumes from
 * there.
 */
import { summariseNull, type NullSummary } from '../mvpa/null-summary.ts';
import { DdError, type DdWarning } from '../errors.ts';
import type { CacheCounters } from '../cache/cache.ts';
import { discoverDataset, type RunLayout } from '../bids/layout.ts';
import type { HyperbolicFit } from '../behavior/hyperbolic.ts';
import { fdrBh } from '../stats/fdr.ts';
import { decodingFor, WHOLE_BRAIN_ROI, type Config } from './config.ts';
import type { DecodeStageFn } from './decode-stage.ts';
import { addStats, emptyStats, type StageName, type StageStats } from './graph.ts';
import type { PipelineHost } from './host.ts';
import { BudgetQueue, estimateCellBytes, estimateSubjectBytes, type SubjectSize } from './memory.ts';
import { buildResults, type Results } from './results.ts';
import { computeGeometry, geometryKey, geometryParams, subjectTrials, type GeometryEntry, type GeometryRow, type SubjectTrials } from './geometry-stage.ts';
import {
  computeGroupSearchlight, computeSearchlight, niftiFile, searchlightCodec, searchlightError, searchlightKey, searchlightParams,
  type GroupSearchlight, type SearchlightEntry,
} from './searchlight-stage.ts';
import { scoreVolume } from '../searchlight/index.ts';
import { subjectMapFile } from './map-files.ts';
import { encodeJson } from '../cache/record.ts';
import {
  behaviorKey, buildSubjectDataset, cachedStage, checkAborted, computeBehavior, computeDecode, computeExtraction, computeGroup,
  datasetKey, decodeCodec, decodeError, decodeKey, decodeParams, extractCodec, extractKey, fileOf, groupKey, hashFile, jsonCodec,
  lookupStage, progressReporter, readRunFacts, roiFilePath, roiNameOf, type BehaviorOutput, type DecodeEntry, type ExtractEntry, type GroupCell, type GroupRow,
  type InputHash, type ProgressEvent, type RunFacts, type RunHashes, type StageContext, type SubjectDataset,
} from './stages.ts';

export interface SubjectJob {
  subject: string;
  runs: RunLayout[];
  config: Config;
}

export interface DecodingRow {
  roi: string;
  target: string;
  model: string;
  cv: string;
  metric: string;
  score: number;
  fold_scores: number[];
  p_value: number | null;
  q_value: number | null;
  n_permutations: number;
  n_samples: number;
  n_features: number;
  n_dropped: number;
  n_not_converged: number;
  /** The permutation null distribution in a few numbers (null without permutations). */
  null_summary: NullSummary | null;
}

export interface SubjectError {
  subject: string;
  stage: StageName;
  roi: string | null;
  target: string | null;
  code: string;
  message: string;
  file: string | null;
}

export interface SubjectOutcome {
  id: string;
  runs: { id: string; bold: string; n_volumes: number; tr_s: number }[];
  behavior: (HyperbolicFit & { events: string[] }) | null;
  /** Per-trial behaviour (geometry rows index into it); null before behaviour was read. */
  trials: SubjectTrials | null;
  decoding: DecodingRow[];
  /** One row per ROI (config order) when geometry is enabled; rsa q_value over ROI × model. */
  geometry: GeometryRow[];
  /** One map per searchlight target that succeeded (config order). */
  searchlight: SearchlightEntry[];
  warnings: DdWarning[];
  errors: SubjectError[];
  /** The subject failed as a whole (no decoding at all). */
  failed: boolean;
  inputs: InputHash[];
  stats: StageStats;
  /** Decode key per `roi\ttarget` (the group stage's key is made of them). */
  decodeKeys: Record<string, string>;
  cache: Pick<CacheCounters, 'corrupt' | 'evictions' | 'writeFailures'> & { disabled: string | null };
  /** Peak memory of the worker that ran the subject, when the host measures it. */
  peakBytes: number | null;
}

export interface SubjectEnv {
  host: PipelineHost;
  decodeStage: DecodeStageFn;
  signal?: AbortSignal;
  onProgress?(e: ProgressEvent): void;
}

const cellId = (roi: string, target: string) => `${roi}\t${target}`;

function dedupeWarnings(ws: DdWarning[]): DdWarning[] {
  const seen = new Set<string>();
  return ws.filter((w) => {
    const k = `${w.code}\u0000${w.file ?? ''}\u0000${w.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** One (ROI, target) decoding of a subject, by key. */
export interface CellPlan {
  spec: string;
  roi: string;
  target: string;
  key: string;
  params: DecodeParams;
  /** Extraction key of the ROI per run. */
  extractKeys: string[];
}

/**
 * A decoding that may run on any worker: its inputs are read from the shared cache (and
 * recomputed from `job` in the rare case the cache lost them in between).
 */
export interface DecodeCellJob {
  job: SubjectJob;
  cell: CellPlan;
  behaviorKey: string;
}

export interface CellResult {
  entry: DecodeEntry;
  stats: StageStats;
  cache: SubjectOutcome['cache'];
  peakBytes: number | null;
}

/** A subject up to its decodings: what is done, and the decodings still to compute. */
export interface PreparedSubject {
  outcome: SubjectOutcome;
  cells: (CellPlan & { entry: DecodeEntry | null })[];
  behaviorKey: string;
  /** Geometry per ROI and searchlight maps per target (always complete after prepareSubject). */
  geometry: { roi: string; key: string; entry: GeometryEntry }[];
  searchlight: { target: string; key: string; entry: SearchlightEntry }[];
}

type DecodeParams = ReturnType<typeof decodeParams>;

function cacheDelta(cache: PipelineHost['cache'], before: CacheCounters | null): SubjectOutcome['cache'] {
  if (!cache || !before) return { corrupt: 0, evictions: 0, writeFailures: 0, disabled: null };
  return {
    corrupt: cache.counters.corrupt - before.corrupt, evictions: cache.counters.evictions - before.evictions,
    writeFailures: cache.counters.writeFailures - before.writeFailures, disabled: cache.disabledReason,
  };
}

function addCache(into: SubjectOutcome['cache'], from: SubjectOutcome['cache']): void {
  into.corrupt += from.corrupt;
  into.evictions += from.evictions;
  into.writeFailures += from.writeFailures;
  into.disabled ??= from.disabled;
}

function emptyOutcome(subject: string): SubjectOutcome {
  return {
    id: subject, runs: [], behavior: null, trials: null, decoding: [], geometry: [], searchlight: [], warnings: [], errors: [], failed: false, inputs: [], stats: emptyStats(),
    decodeKeys: {}, cache: { corrupt: 0, evictions: 0, writeFailures: 0, disabled: null }, peakBytes: null,
  };
}

const cancelled = (cause?: unknown) => new DdError('RUN_CANCELLED', 'The run was cancelled; run the same command again to resume from the cache.', { cause });

/**
 * A subject's stages up to its decodings: input hashes, behaviour, keys, decodings found in the
 * cache, and the patterns of the ROIs whose decodings are missing (read from the cache or
 * extracted, one stream pass per run, and stored). With `decode`, the missing decodings are
 * computed here too (and every cell has its entry); without, they are left for decodeCell
 * (patterns are then only stored, not kept). Never throws for bad input: a failed subject has
 * `outcome.failed` and its error.
 */
export async function prepareSubject(job: SubjectJob, env: SubjectEnv, opts: { decode: boolean }): Promise<PreparedSubject> {
  const { config, subject } = job;
  const host = env.host;
  const cache = host.cache;
  const decodeHere = opts.decode || !cache;
  const before = cache ? { ...cache.counters } : null;
  const out = emptyOutcome(subject);
  const stats = out.stats;
  const ctx: StageContext = { host, cache, stats, signal: env.signal, onProgress: env.onProgress };
  let stage: StageName = 'hash';
  let cells: PreparedSubject['cells'] = [];
  let geometry: PreparedSubject['geometry'] = [];
  let searchlight: PreparedSubject['searchlight'] = [];
  let bKey = '';
  try {
    const runs = job.runs.filter((r) => r.events);
    if (runs.length === 0) {
      stage = 'discover';
      throw new DdError('BIDS_NO_EVENTS', `sub-${subject}: no run has an events file (${job.runs.map((r) => r.bold).join(', ')}). Add each run's _events.tsv to the raw BIDS folder.`, { file: job.runs[0]?.bold });
    }

    // hash: the content of every input.
    stage = 'hash';
    const hashed: { run: RunLayout; hashes: RunHashes; facts: RunFacts }[] = [];
    const hashOf = async (path: string | undefined) => {
      if (!path) return null;
      const h = await hashFile(ctx, fileOf(host, path), subject);
      out.inputs.push(h);
      return h.sha256;
    };
    for (const run of runs) {
      const hashes: RunHashes = {
        bold: (await hashOf(run.bold))!, events: (await hashOf(run.events))!, confounds: await hashOf(run.confounds),
        boldJson: await hashOf(run.boldJson), brainMask: await hashOf(run.brainMask),
      };
      const t0 = performance.now();
      stage = 'discover';
      const facts = await readRunFacts(host, run);
      stats.discover.seconds += (performance.now() - t0) / 1000;
      stage = 'hash';
      hashed.push({ run, hashes, facts });
      out.runs.push({ id: run.id, bold: run.bold, n_volumes: facts.nVolumes, tr_s: facts.tr });
    }
    const roiHashes = new Map<string, string | null>();
    for (const spec of config.rois) {
      const path = roiFilePath(spec);
      if (path === null) { roiHashes.set(spec, null); continue; }
      const h = await hashFile(ctx, await host.resolveFile(path), subject);
      roiHashes.set(spec, h.sha256);
      if (!out.inputs.some((i) => i.path === h.path)) out.inputs.push(h);
    }

    // behavior
    stage = 'behavior';
    bKey = behaviorKey(hashed, config);
    const behavior = await loadBehavior(ctx, job, hashed, bKey);
    out.behavior = { ...behavior.fit, events: hashed.map((h) => h.run.events!) };
    out.trials = subjectTrials(behavior).trials;
    out.warnings.push(...behavior.warnings);

    // keys of every extraction and decoding; decodings already done
    stage = 'decode';
    const extractKeysOf = new Map(config.rois.map((spec) => [spec, hashed.map((h) => extractKey(h.hashes, spec, roiHashes.get(spec) ?? null, config))]));
    if (config.searchlight.enabled && !extractKeysOf.has(WHOLE_BRAIN_ROI)) {
      extractKeysOf.set(WHOLE_BRAIN_ROI, hashed.map((h) => extractKey(h.hashes, WHOLE_BRAIN_ROI, null, config)));
    }
    for (const spec of config.rois) {
      const extractKeys = extractKeysOf.get(spec)!;
      for (const target of config.decoding.targets) {
        const params = decodeParams(config, target, hashed.length);
        const key = decodeKey(datasetKey(extractKeys, bKey, target), params);
        cells.push({ spec, roi: roiNameOf(spec), target, key, params, extractKeys, entry: (await lookupStage(ctx, 'decode', key, decodeCodec)) ?? null });
      }
    }

    // geometry per ROI and searchlight maps per target already done
    stage = 'geometry';
    const geo: { spec: string; roi: string; key: string; entry: GeometryEntry | null }[] = [];
    if (config.geometry.enabled) {
      const params = geometryParams(config);
      for (const spec of config.rois) {
        const key = geometryKey(extractKeysOf.get(spec)!, bKey, params);
        geo.push({ spec, roi: roiNameOf(spec), key, entry: (await lookupStage(ctx, 'geometry', key, jsonCodec<GeometryEntry>())) ?? null });
      }
    }
    stage = 'searchlight';
    const maps: { target: string; key: string; entry: SearchlightEntry | null }[] = [];
    if (config.searchlight.enabled) {
      for (const target of config.searchlight.targets) {
        const key = searchlightKey(extractKeysOf.get(WHOLE_BRAIN_ROI)!, bKey, target, searchlightParams(config, target, hashed.length));
        maps.push({ target, key, entry: (await lookupStage(ctx, 'searchlight', key, searchlightCodec)) ?? null });
      }
    }

    // patterns of the ROIs still to decode or map: cached entries, else one stream pass per run
    // for all of them (the brain mask's columns too when a searchlight map is missing)
    stage = 'extract';
    const forDecode = new Set(cells.filter((c) => !c.entry).map((c) => c.spec));
    const forHere = new Set(geo.filter((g) => !g.entry).map((g) => g.spec));
    if (maps.some((m) => !m.entry)) forHere.add(WHOLE_BRAIN_ROI);
    const needed = [...new Set([...forDecode, ...forHere])];
    const keep = (spec: string) => forHere.has(spec) || (decodeHere && forDecode.has(spec));
    const patterns = await loadPatterns(ctx, job, hashed.map((h) => h.run), needed, (spec) => extractKeysOf.get(spec)!, keep);

    stage = 'geometry';
    const geoReport = progressReporter(ctx, 'geometry', subject);
    const geoTodo = geo.filter((g) => !g.entry);
    for (const [i, g] of geoTodo.entries()) {
      checkAborted(ctx.signal);
      const t0 = performance.now();
      g.entry = computeGeometry(patterns.get(g.spec)!, behavior, config, subject);
      stats.geometry.misses++;
      stats.geometry.seconds += (performance.now() - t0) / 1000;
      if (ctx.cache) await ctx.cache.put(g.key, encodeJson(g.entry), { stage: 'geometry' });
      geoReport(i + 1, geoTodo.length);
    }
    geometry = geo.map((g) => ({ roi: g.roi, key: g.key, entry: g.entry! }));

    stage = 'searchlight';
    for (const m of maps) {
      if (m.entry) continue;
      checkAborted(ctx.signal);
      const t0 = performance.now();
      if (!host.searchlight) {
        // A host without kernels: not a property of the data, so not cached.
        m.entry = searchlightError(new DdError('SEARCHLIGHT_UNAVAILABLE', 'This host cannot run searchlights (no kernel module); switch the searchlight off.'));
        continue;
      }
      m.entry = await computeSearchlight({
        entries: patterns.get(WHOLE_BRAIN_ROI)!, behavior, target: m.target, grid: hashed[0]!.facts.grid, config, subject,
        host: await host.searchlight(), signal: ctx.signal, onProgress: progressReporter(ctx, 'searchlight', subject),
      });
      stats.searchlight.misses++;
      stats.searchlight.seconds += (performance.now() - t0) / 1000;
      if (ctx.cache) await ctx.cache.put(m.key, searchlightCodec.encode(m.entry), { stage: 'searchlight' });
    }
    searchlight = maps.map((m) => ({ target: m.target, key: m.key, entry: m.entry! }));
    stage = 'extract';

    // dataset + decode for what is missing (here); progress in permutations over the subject
    if (decodeHere) {
      const todo = cells.filter((c) => !c.entry);
      const perCell = Math.max(1, config.decoding.permutations);
      const report = progressReporter(ctx, 'decode', subject);
      let base = 0;
      for (const c of todo) {
        checkAborted(ctx.signal);
        const b0 = base;
        c.entry = await decodeOne(ctx, env.decodeStage, job, c, behavior, patterns.get(c.spec)!, (done) => report(b0 + Math.min(done, perCell), todo.length * perCell));
        base += perCell;
        report(base, todo.length * perCell);
      }
    }
  } catch (e) {
    if (e instanceof DdError && e.code === 'RUN_CANCELLED') throw e;
    if (env.signal?.aborted) throw cancelled(e);
    const err = e instanceof DdError ? e : null;
    out.errors.push({
      subject, stage, roi: null, target: null,
      code: err ? err.code : 'INTERNAL', message: err ? err.message : `internal error: ${(e as Error)?.stack ?? e}`, file: err?.file ?? null,
    });
    out.failed = true;
    cells = [];
    geometry = [];
    searchlight = [];
  }
  out.cache = cacheDelta(cache, before);
  return { outcome: out, cells, behaviorKey: bKey, geometry, searchlight };
}

async function loadBehavior(ctx: StageContext, job: SubjectJob, hashed: { run: RunLayout; facts: RunFacts }[], key: string): Promise<BehaviorOutput> {
  return cachedStage<BehaviorOutput>(ctx, 'behavior', key, async () => computeBehavior(
    await Promise.all(hashed.map(async (h) => ({ id: h.run.id, eventsPath: h.run.events!, eventsText: await fileOf(ctx.host, h.run.events!).text(), scanS: h.facts.nVolumes * h.facts.tr }))),
    job.config,
  ), jsonCodec<BehaviorOutput>());
}

/**
 * Patterns of `specs` for every run: from the cache, else one stream pass per run for all the
 * missing ROIs (stored at once). With `keep` false only their presence in the cache is ensured.
 */
async function loadPatterns(
  ctx: StageContext, job: SubjectJob, runs: RunLayout[], specs: string[], keysOf: (spec: string) => string[], keep: (spec: string) => boolean,
): Promise<Map<string, ExtractEntry[]>> {
  const patterns = new Map<string, ExtractEntry[]>(specs.map((s) => [s, []]));
  for (let r = 0; r < runs.length; r++) {
    const missing: string[] = [];
    for (const spec of specs) {
      const key = keysOf(spec)[r]!;
      if (!keep(spec) && ctx.cache && (await ctx.cache.has(key))) continue;
      const e = await lookupStage(ctx, 'extract', key, extractCodec);
      if (e) patterns.get(spec)![r] = e;
      else missing.push(spec);
    }
    if (missing.length === 0) continue;
    checkAborted(ctx.signal);
    const t0 = performance.now();
    const entries = await computeExtraction(ctx, runs[r]!, missing, job.config, job.subject);
    ctx.stats.extract.seconds += (performance.now() - t0) / 1000;
    for (let i = 0; i < missing.length; i++) {
      ctx.stats.extract.misses++;
      if (keep(missing[i]!)) patterns.get(missing[i]!)![r] = entries[i]!;
      if (ctx.cache) await ctx.cache.put(keysOf(missing[i]!)[r]!, extractCodec.encode(entries[i]!), { stage: 'extract' });
    }
  }
  return patterns;
}

/** Dataset + decoding of one cell, stored under its key. Deterministic failures become the entry. */
async function decodeOne(
  ctx: StageContext, decodeStage: DecodeStageFn, job: SubjectJob, c: CellPlan, behavior: BehaviorOutput, entries: ExtractEntry[],
  report: (done: number, total: number) => void,
): Promise<DecodeEntry> {
  const warnings = dedupeWarnings(entries.flatMap((e) => e.warnings));
  const t0 = performance.now();
  let data: SubjectDataset | DdError;
  try {
    data = buildSubjectDataset(entries, behavior, c.target, c.params.kind, job.subject);
  } catch (e) {
    if (!(e instanceof DdError)) throw e;
    data = e;
  }
  ctx.stats.dataset.seconds += (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const entry = data instanceof DdError
    ? decodeError(data, warnings)
    : await computeDecode(ctx, decodeStage, data, c.params, { subject: job.subject, roi: c.roi, target: c.target }, warnings, report);
  ctx.stats.decode.misses++;
  ctx.stats.decode.seconds += (performance.now() - t1) / 1000;
  if (ctx.cache) await ctx.cache.put(c.key, decodeCodec.encode(entry), { stage: 'decode' });
  return entry;
}

/** One decoding on any worker, from the shared cache (prepareSubject stored its inputs). */
export async function decodeCell(cj: DecodeCellJob, env: SubjectEnv): Promise<CellResult> {
  const { job, cell } = cj;
  const host = env.host;
  const before = host.cache ? { ...host.cache.counters } : null;
  const stats = emptyStats();
  const ctx: StageContext = { host, cache: host.cache, stats, signal: env.signal, onProgress: env.onProgress };
  const runs = job.runs.filter((r) => r.events);
  let entry: DecodeEntry;
  // Reading the inputs that prepareSubject stored is a hand-over between workers, not a cache
  // hit of this run: only recomputations (misses) and time are counted.
  const loads = emptyStats();
  const inputs: StageContext = { ...ctx, stats: loads };
  try {
    let behavior = await lookupStage(inputs, 'behavior', cj.behaviorKey, jsonCodec<BehaviorOutput>());
    if (!behavior) {
      // Lost from the cache since prepareSubject: recompute (the key says what it must be).
      const facts = await Promise.all(runs.map((r) => readRunFacts(host, r)));
      behavior = await loadBehavior(inputs, job, runs.map((run, i) => ({ run, facts: facts[i]! })), cj.behaviorKey);
    }
    const patterns = await loadPatterns(inputs, job, runs, [cell.spec], () => cell.extractKeys, () => true);
    for (const st of ['behavior', 'extract'] as const) {
      stats[st].misses += loads[st].misses;
      stats[st].seconds += loads[st].seconds;
    }
    const report = progressReporter(ctx, 'decode', job.subject);
    entry = await decodeOne(ctx, env.decodeStage, job, cell, behavior, patterns.get(cell.spec)!, report);
  } catch (e) {
    if (e instanceof DdError && e.code === 'RUN_CANCELLED') throw e;
    if (env.signal?.aborted) throw cancelled(e);
    if (!(e instanceof DdError)) throw e;
    entry = decodeError(e);
  }
  return { entry, stats, cache: cacheDelta(host.cache, before), peakBytes: null };
}

/** The subject's results from its decodings: rows in config order, FDR over ROI × target, errors. */
export function finishSubject(prepared: PreparedSubject): SubjectOutcome {
  const out = prepared.outcome;
  if (out.failed) { out.warnings = dedupeWarnings(out.warnings); return out; }
  const cells = prepared.cells;
  for (const c of cells) if (!c.entry) throw new DdError('PIPELINE_INTERNAL', `sub-${out.id}: decoding ${c.roi}/${c.target} has no result.`);
  const ok = cells.filter((c) => c.entry!.ok);
  const q = fdrBh(ok.map((c) => c.entry!.ok!.p_value ?? NaN)).q;
  const qOf = new Map(ok.map((c, i) => [c, Number.isNaN(q[i]!) ? null : q[i]!]));
  for (const c of cells) {
    const e = c.entry!;
    out.warnings.push(...e.warnings);
    if (e.ok) {
      out.decoding.push({
        roi: c.roi, target: c.target, model: e.ok.model, cv: e.ok.cv, metric: e.ok.metric, score: e.ok.score, fold_scores: e.ok.fold_scores,
        p_value: e.ok.p_value, q_value: qOf.get(c) ?? null, n_permutations: e.ok.n_permutations, n_samples: e.ok.n_samples,
        n_features: e.ok.n_features, n_dropped: e.ok.n_dropped, n_not_converged: e.ok.n_not_converged,
        null_summary: summariseNull(e.null_scores),
      });
      out.decodeKeys[cellId(c.roi, c.target)] = c.key;
    } else {
      out.errors.push({ subject: out.id, stage: 'decode', roi: c.roi, target: c.target, code: e.error!.code, message: e.error!.message, file: e.error!.file });
    }
  }
  finishMaps(prepared);
  out.warnings = dedupeWarnings(out.warnings);
  return out;
}

/** Geometry rows (rsa q_value: BH over the subject's ROI × model p values) and searchlight maps, with their errors. */
function finishMaps(prepared: PreparedSubject): void {
  const out = prepared.outcome;
  for (const g of prepared.geometry) {
    if (g.entry.row) out.geometry.push(structuredClone(g.entry.row));
    else out.errors.push({ subject: out.id, stage: 'geometry', roi: g.roi, target: null, code: g.entry.error!.code, message: g.entry.error!.message, file: g.entry.error!.file });
  }
  const tests = out.geometry.flatMap((r) => r.rsa).filter((x) => x.p_value !== null);
  const q = fdrBh(tests.map((x) => x.p_value!)).q;
  tests.forEach((x, i) => { x.q_value = Number.isNaN(q[i]!) ? null : q[i]!; });
  for (const m of prepared.searchlight) {
    if (m.entry.ok) out.searchlight.push(m.entry);
    else out.errors.push({ subject: out.id, stage: 'searchlight', roi: null, target: m.target, code: m.entry.error!.code, message: m.entry.error!.message, file: m.entry.error!.file });
  }
}

/** Every stage of one subject, here. Never throws for bad input: failures land in `errors`. */
export async function runSubject(job: SubjectJob, env: SubjectEnv): Promise<SubjectOutcome> {
  return finishSubject(await prepareSubject(job, env, { decode: true }));
}

// ---------------------------------------------------------------------------------------------

/** Runs subject work somewhere: here (localExecutor) or on worker processes (Node host). */
export interface SubjectExecutor {
  /** Tasks that may run at once. */
  readonly slots: number;
  /** Memory the tasks running together may use, or null for no limit. */
  readonly budgetBytes: number | null;
  /** Whether the workers share the cache, so decodings can run on any worker (decodeCell). */
  readonly sharedCache: boolean;
  prepare(job: SubjectJob, decode: boolean, onProgress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<PreparedSubject>;
  decodeCell(cell: DecodeCellJob, onProgress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<CellResult>;
  close?(): Promise<void>;
}

/** Everything one after another in this realm. */
export function localExecutor(host: PipelineHost, decodeStage: DecodeStageFn): SubjectExecutor {
  return {
    slots: 1,
    budgetBytes: null,
    sharedCache: false,
    prepare: (job, decode, onProgress, signal) => prepareSubject(job, { host, decodeStage, signal, onProgress }, { decode }),
    decodeCell: (cell, onProgress, signal) => decodeCell(cell, { host, decodeStage, signal, onProgress }),
  };
}

export interface PipelineOptions {
  config: Config;
  /** The main realm's host: dataset files, cache (group stage), local subjects. */
  host: PipelineHost;
  decodeStage: DecodeStageFn;
  /** App version for provenance. */
  version: string;
  executor?: SubjectExecutor;
  signal?: AbortSignal;
  onProgress?(e: ProgressEvent): void;
  onSubjectDone?(o: SubjectOutcome): void;
  /** A subject needs more memory than the whole budget (it then runs alone). */
  onOverBudget?(subject: string, needBytes: number): void;
  /** Extra provenance (e.g. the dataset root, the host). */
  provenance?: Record<string, unknown>;
  /**
   * Run only these subjects of the plan (one SLURM array task each), leaving the config as it is,
   * so that merging the parts (merge.ts) gives the results of one run over all subjects.
   */
  only?: string[];
  /**
   * Receives the run's files besides results.json (the searchlight NIfTI maps), by path relative
   * to the results folder ('searchlight/sub-01_target-choice_score.nii.gz'): Node writes them
   * under OUT, the browser worker hands them to the page. Without it no file is made.
   */
  onFile?(path: string, bytes: Uint8Array): void | Promise<void>;
}

export interface PipelinePlan {
  jobs: SubjectJob[];
  warnings: DdWarning[];
  errors: SubjectError[];
}

/** Discovery: subjects and runs of the dataset, filtered by config.data. */
export function planPipeline(paths: string[], config: Config): PipelinePlan {
  const found = discoverDataset(paths, { task: config.data.task, space: config.data.space });
  const errors: SubjectError[] = [];
  let subjects = found.subjects;
  if (config.data.subjects) {
    const want = config.data.subjects;
    for (const s of want) {
      if (!subjects.some((x) => x.subject === s)) {
        errors.push({ subject: s, stage: 'discover', roi: null, target: null, code: 'BIDS_SUBJECT_NOT_FOUND', message: `sub-${s}: no BOLD run of task ${config.data.task} for this subject in the dataset. Check the subject label.`, file: null });
      }
    }
    subjects = subjects.filter((x) => want.includes(x.subject));
  }
  if (subjects.length === 0 && errors.length === 0) {
    throw new DdError('BIDS_NO_SUBJECTS', `No subject with a BOLD run of task ${config.data.task} was found (${paths.length} files). ${found.problems.map((p) => p.message).join(' ')}`);
  }
  return { jobs: subjects.map((s) => ({ subject: s.subject, runs: s.runs, config })), warnings: found.problems, errors };
}

/** Counts data rows of an events file (a trial-count estimate for the memory budget). */
function countRows(text: string): number {
  return Math.max(0, text.split('\n').filter((l) => l.trim() !== '').length - 1);
}

/**
 * The group stage's input: per ROI × target, every subject's score in subject order (with its
 * decode key when known: the group cache key is made of them).
 */
export function groupCells(config: Config, subjects: { id: string; decoding: DecodingRow[]; decodeKeys?: Record<string, string> }[]): GroupCell[] {
  const cells: GroupCell[] = [];
  for (const spec of config.rois) {
    const roi = roiNameOf(spec);
    for (const target of config.decoding.targets) {
      const scores: [string, string, number][] = [];
      let metric = decodingFor(config, target).metric;
      for (const o of subjects) {
        const row = o.decoding.find((d) => d.roi === roi && d.target === target);
        if (row) { scores.push([o.id, o.decodeKeys?.[cellId(roi, target)] ?? '', row.score]); metric = row.metric as typeof metric; }
      }
      cells.push({ roi, target, metric, scores });
    }
  }
  return cells;
}

export async function runPipeline(opts: PipelineOptions): Promise<Results> {
  const { config, host } = opts;
  const started = performance.now();
  const stats = emptyStats();
  const ctx: StageContext = { host, cache: host.cache, stats, signal: opts.signal, onProgress: opts.onProgress };

  const t0 = performance.now();
  const plan = planPipeline([...host.files.keys()], config);
  if (opts.only) plan.jobs = plan.jobs.filter((j) => opts.only!.includes(j.subject));
  stats.discover.seconds += (performance.now() - t0) / 1000;

  const executor = opts.executor ?? localExecutor(host, opts.decodeStage);
  const onProgress = (e: ProgressEvent) => opts.onProgress?.(e);
  const finish = (p: PreparedSubject) => {
    const o = finishSubject(p);
    opts.onSubjectDone?.(o);
    return o;
  };
  let outcomes: SubjectOutcome[];
  if (executor.slots <= 1) {
    outcomes = [];
    for (const job of plan.jobs) {
      checkAborted(opts.signal);
      outcomes.push(finish(await executor.prepare(job, true, onProgress, opts.signal)));
    }
  } else {
    // Memory need per subject from its headers (cheap reads); a subject whose headers cannot be
    // read gets the smallest need: it fails quickly in its worker and is reported there.
    const sizes: SubjectSize[] = [];
    for (const job of plan.jobs) {
      try {
        const runs = [];
        for (const r of job.runs.filter((x) => x.events)) {
          const f = await readRunFacts(host, r);
          runs.push({ voxelsPerVolume: f.voxelsPerVolume, bytesPerVolume: f.bytesPerVolume, nVolumes: f.nVolumes, nTrials: countRows(await fileOf(host, r.events!).text()) });
        }
        sizes.push({ runs });
      } catch {
        sizes.push({ runs: [] });
      }
    }
    const queue = new BudgetQueue({ slots: executor.slots, budgetBytes: executor.budgetBytes, onOverBudget: (label, need) => opts.onOverBudget?.(label, need) });
    // With a shared cache, a subject's decodings are spread over every worker (ROI × target
    // shards); without, each subject is decoded where it was prepared.
    const spread = executor.sharedCache;
    outcomes = await Promise.all(plan.jobs.map(async (job, i) => {
      const need = estimateSubjectBytes(sizes[i]!, config);
      const prepared = await queue.submit(need, async () => {
        checkAborted(opts.signal);
        const p = await executor.prepare(job, !spread, onProgress, opts.signal);
        if (p.outcome.peakBytes) queue.raise(p.outcome.peakBytes / need);
        return p;
      }, job.subject);
      const todo = prepared.cells.filter((c) => !c.entry);
      if (todo.length > 0) {
        const perCell = Math.max(1, config.decoding.permutations);
        const progress = new Array<number>(todo.length).fill(0);
        const report = progressReporter({ onProgress: opts.onProgress }, 'decode', job.subject);
        const cellNeed = estimateCellBytes(sizes[i]!, config);
        await Promise.all(todo.map((c, k) => queue.submit(cellNeed, async () => {
          checkAborted(opts.signal);
          const { entry: _e, ...cell } = c;
          const r = await executor.decodeCell({ job, cell, behaviorKey: prepared.behaviorKey }, (e) => {
            if (e.stage !== 'decode') return onProgress(e);
            progress[k] = Math.min(e.done, perCell);
            report(progress.reduce((a, b) => a + b, 0), todo.length * perCell);
          }, opts.signal);
          progress[k] = perCell;
          report(progress.reduce((a, b) => a + b, 0), todo.length * perCell);
          c.entry = r.entry;
          addStats(prepared.outcome.stats, r.stats);
          addCache(prepared.outcome.cache, r.cache);
        }, job.subject)));
      }
      return finish(prepared);
    }));
  }
  // A worker killed by the same Ctrl-C reports a failed subject: cancelled means cancelled.
  checkAborted(opts.signal);
  for (const o of outcomes) addStats(stats, o.stats);

  // group
  const cells = groupCells(config, outcomes);
  const before = host.cache ? { ...host.cache.counters } : null;
  const group = await cachedStage<GroupRow[]>(ctx, 'group', groupKey(cells, config), () => computeGroup(cells, config), jsonCodec<GroupRow[]>());
  const c = host.cache;
  const groupCache = c && before
    ? { corrupt: c.counters.corrupt - before.corrupt, evictions: c.counters.evictions - before.evictions, writeFailures: c.counters.writeFailures - before.writeFailures, disabled: c.disabledReason }
    : null;

  // searchlight group t maps (one per target, from ≥ 2 subjects), then every map file
  const t1 = performance.now();
  const warnings: DdWarning[] = [];
  const slGroups: GroupSearchlight[] = [];
  if (config.searchlight.enabled) {
    for (const target of config.searchlight.targets) {
      checkAborted(opts.signal);
      try {
        const g = await computeGroupSearchlight(target, outcomes.flatMap((o) => o.searchlight.filter((m) => m.ok!.target === target)));
        if (g) slGroups.push(g);
      } catch (e) {
        if (!(e instanceof DdError)) throw e;
        warnings.push({ code: e.code, message: e.message });
      }
    }
  }
  stats.searchlight_group.seconds += (performance.now() - t1) / 1000;
  if (opts.onFile) await emitMapFiles(outcomes, slGroups, opts.onFile);

  return buildResults({
    config, version: opts.version, plan, outcomes, group, stats, cache: host.cache, groupCache, totalSeconds: (performance.now() - started) / 1000,
    extra: opts.provenance, searchlightGroups: slGroups, warnings,
  });
}

/** The searchlight NIfTI files (float32, NaN outside the mask), in subject then target order, then the group maps. */
async function emitMapFiles(outcomes: SubjectOutcome[], groups: GroupSearchlight[], onFile: NonNullable<PipelineOptions['onFile']>): Promise<void> {
  for (const o of outcomes) {
    for (const m of o.searchlight) {
      const info = m.ok!;
      await onFile(subjectMapFile(o.id, info.target, 'score'), await niftiFile(info.grid, scoreVolume(m.scores, m.mask, info.grid), `ddmvpa searchlight ${info.target} ${info.metric}`));
      if (m.p.length > 0) {
        await onFile(subjectMapFile(o.id, info.target, 'p'), await niftiFile(info.grid, scoreVolume(m.p, m.mask, info.grid), `ddmvpa searchlight p (${info.n_permutations} perms)`));
      }
    }
  }
  for (const g of groups) await onFile(g.file, await niftiFile(g.grid, g.t, `ddmvpa group t ${g.target} (df ${g.df})`));
}
