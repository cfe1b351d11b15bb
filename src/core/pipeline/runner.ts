/**
 * The pipeline runner: discover the dataset, run every subject's stages (here, or on workers
 * through a SubjectExecutor, within a memory budget), then the group stage, and assemble
 * results.json (./results.ts).
 *
 * Cache use per subject (graph.ts): keys are computed first from file hashes and parameters;
 * decodings are looked up; only the ROIs of decodings that missed are loaded or extracted (one
 * stream pass per run for all missing ROIs), so a run served from the cache reads no patterns.
 * Every computed stage is stored as soon as it is done: a cancelled or killed run resumes from
 * there.
 */
import { DdError, type DdWarning } from '../errors.ts';
import type { CacheCounters } from '../cache/cache.ts';
import { discoverDataset, type RunLayout } from '../bids/layout.ts';
import type { HyperbolicFit } from '../behavior/hyperbolic.ts';
import { fdrBh } from '../stats/fdr.ts';
import { decodingFor, type Config } from './config.ts';
import type { DecodeStageFn } from './decode-stage.ts';
import { addStats, emptyStats, type StageName, type StageStats } from './graph.ts';
import type { PipelineHost } from './host.ts';
import { estimateSubjectBytes, runWithinBudget } from './memory.ts';
import { buildResults, type Results } from './results.ts';
import {
  behaviorKey, buildSubjectDataset, cachedStage, checkAborted, computeBehavior, computeDecode, computeExtraction, computeGroup,
  datasetKey, decodeCodec, decodeError, decodeKey, decodeParams, extractCodec, extractKey, fileOf, groupKey, hashFile, jsonCodec,
  lookupStage, progressReporter, readRunFacts, roiFilePath, roiNameOf, type BehaviorOutput, type DecodeEntry, type ExtractEntry, type GroupCell, type GroupRow,
  type InputHash, type ProgressEvent, type RunFacts, type RunHashes, type StageContext,
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
  decoding: DecodingRow[];
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

/** Every stage of one subject. Never throws for bad input: failures land in `errors`. */
export async function runSubject(job: SubjectJob, env: SubjectEnv): Promise<SubjectOutcome> {
  const { config, subject } = job;
  const host = env.host;
  const cache = host.cache;
  const before = cache ? { ...cache.counters } : null;
  const stats = emptyStats();
  const ctx: StageContext = { host, cache, stats, signal: env.signal, onProgress: env.onProgress };
  const out: SubjectOutcome = {
    id: subject, runs: [], behavior: null, decoding: [], warnings: [], errors: [], failed: false, inputs: [], stats,
    decodeKeys: {}, cache: { corrupt: 0, evictions: 0, writeFailures: 0, disabled: null }, peakBytes: null,
  };
  let stage: StageName = 'hash';
  const fail = (e: unknown, extra: Partial<SubjectError> = {}) => {
    const err = e instanceof DdError ? e : null;
    out.errors.push({
      subject, stage, roi: null, target: null,
      code: err ? err.code : 'INTERNAL', message: err ? err.message : `internal error: ${(e as Error)?.stack ?? e}`, file: err?.file ?? null,
      ...extra,
    });
  };
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
    const bKey = behaviorKey(hashed, config);
    const behavior = await cachedStage<BehaviorOutput>(ctx, 'behavior', bKey, async () => computeBehavior(
      await Promise.all(hashed.map(async (h) => ({ id: h.run.id, eventsPath: h.run.events!, eventsText: await fileOf(host, h.run.events!).text(), scanS: h.facts.nVolumes * h.facts.tr }))),
      config,
    ), jsonCodec<BehaviorOutput>());
    out.behavior = { ...behavior.fit, events: hashed.map((h) => h.run.events!) };
    out.warnings.push(...behavior.warnings);

    // keys of every extraction and decoding
    const exKeys = new Map<string, string[]>(); // spec → key per run
    for (const spec of config.rois) exKeys.set(spec, hashed.map((h) => extractKey(h.hashes, spec, roiHashes.get(spec) ?? null, config)));
    interface Cell { spec: string; roi: string; target: string; key: string; params: ReturnType<typeof decodeParams>; entry?: DecodeEntry }
    const cells: Cell[] = [];
    for (const spec of config.rois) {
      for (const target of config.decoding.targets) {
        const params = decodeParams(config, target, hashed.length);
        const key = decodeKey(datasetKey(exKeys.get(spec)!, bKey, target), params);
        cells.push({ spec, roi: roiNameOf(spec), target, key, params });
      }
    }

    // decodings already done
    stage = 'decode';
    for (const c of cells) c.entry = await lookupStage(ctx, 'decode', c.key, decodeCodec);
    const needed = [...new Set(cells.filter((c) => !c.entry).map((c) => c.spec))];

    // patterns of the ROIs still to decode: cached entries, else one stream pass per run
    stage = 'extract';
    const patterns = new Map<string, ExtractEntry[]>(needed.map((s) => [s, []]));
    for (let r = 0; r < hashed.length; r++) {
      const missing: string[] = [];
      for (const spec of needed) {
        const e = await lookupStage(ctx, 'extract', exKeys.get(spec)![r]!, extractCodec);
        if (e) patterns.get(spec)![r] = e;
        else missing.push(spec);
      }
      if (missing.length === 0) continue;
      checkAborted(ctx.signal);
      const t0 = performance.now();
      const entries = await computeExtraction(ctx, hashed[r]!.run, missing, config, subject);
      stats.extract.seconds += (performance.now() - t0) / 1000;
      for (let i = 0; i < missing.length; i++) {
        stats.extract.misses++;
        patterns.get(missing[i]!)![r] = entries[i]!;
        if (cache) await cache.put(exKeys.get(missing[i]!)![r]!, extractCodec.encode(entries[i]!), { stage: 'extract' });
      }
    }
    for (const list of patterns.values()) out.warnings.push(...(list[0]?.warnings ?? []));

    // dataset + decode for what is missing; progress in permutations over the subject's decodings
    const perCell = Math.max(1, config.decoding.permutations);
    const decodeTotal = cells.filter((c) => !c.entry).length * perCell;
    const decodeReport = progressReporter(ctx, 'decode', subject);
    let decodeBase = 0;
    for (const c of cells) {
      if (c.entry) continue;
      checkAborted(ctx.signal);
      stage = 'dataset';
      const t0 = performance.now();
      let data;
      try {
        data = buildSubjectDataset(patterns.get(c.spec)!, behavior, c.target, c.params.kind, subject);
      } catch (e) {
        if (!(e instanceof DdError)) throw e;
        data = e;
      } finally {
        stats.dataset.seconds += (performance.now() - t0) / 1000;
      }
      stage = 'decode';
      const t1 = performance.now();
      const base = decodeBase;
      c.entry = data instanceof DdError ? decodeError(data) : await computeDecode(ctx, env.decodeStage, data, c.params, { subject, roi: c.roi, target: c.target },
        (done) => decodeReport(base + Math.min(done, perCell), decodeTotal));
      decodeBase += perCell;
      decodeReport(decodeBase, decodeTotal);
      stats.decode.misses++;
      stats.decode.seconds += (performance.now() - t1) / 1000;
      if (cache) await cache.put(c.key, decodeCodec.encode(c.entry), { stage: 'decode' });
    }
    patterns.clear();

    // results, with FDR over ROI × target (permutation p-values) within the subject
    const ok = cells.filter((c) => c.entry!.ok);
    const q = fdrBh(ok.map((c) => c.entry!.ok!.p_value ?? NaN)).q;
    const qOf = new Map(ok.map((c, i) => [c, Number.isNaN(q[i]!) ? null : q[i]!]));
    for (const c of cells) {
      const e = c.entry!;
      if (e.ok) {
        out.decoding.push({
          roi: c.roi, target: c.target, model: e.ok.model, cv: e.ok.cv, metric: e.ok.metric, score: e.ok.score, fold_scores: e.ok.fold_scores,
          p_value: e.ok.p_value, q_value: qOf.get(c) ?? null, n_permutations: e.ok.n_permutations, n_samples: e.ok.n_samples,
          n_features: e.ok.n_features, n_dropped: e.ok.n_dropped, n_not_converged: e.ok.n_not_converged,
        });
        out.decodeKeys[cellId(c.roi, c.target)] = c.key;
      } else {
        out.errors.push({ subject, stage: 'decode', roi: c.roi, target: c.target, code: e.error!.code, message: e.error!.message, file: e.error!.file });
      }
    }
  } catch (e) {
    if (e instanceof DdError && e.code === 'RUN_CANCELLED') throw e;
    if (env.signal?.aborted) throw new DdError('RUN_CANCELLED', 'The run was cancelled; run the same command again to resume from the cache.', { cause: e });
    fail(e);
    out.failed = true;
    out.decoding = [];
    out.decodeKeys = {};
  }
  out.warnings = dedupeWarnings(out.warnings);
  if (cache && before) {
    out.cache = {
      corrupt: cache.counters.corrupt - before.corrupt, evictions: cache.counters.evictions - before.evictions,
      writeFailures: cache.counters.writeFailures - before.writeFailures, disabled: cache.disabledReason,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Runs subjects somewhere: here (localExecutor) or on worker processes (Node host). */
export interface SubjectExecutor {
  /** Subjects that may run at once. */
  readonly slots: number;
  /** Memory the subjects running together may use, or null for no limit. */
  readonly budgetBytes: number | null;
  run(job: SubjectJob, onProgress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<SubjectOutcome>;
  close?(): Promise<void>;
}

/** Subjects one after another in this realm. */
export function localExecutor(host: PipelineHost, decodeStage: DecodeStageFn): SubjectExecutor {
  return {
    slots: 1,
    budgetBytes: null,
    run: (job, onProgress, signal) => runSubject(job, { host, decodeStage, signal, onProgress }),
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

export async function runPipeline(opts: PipelineOptions): Promise<Results> {
  const { config, host } = opts;
  const started = performance.now();
  const stats = emptyStats();
  const ctx: StageContext = { host, cache: host.cache, stats, signal: opts.signal, onProgress: opts.onProgress };

  const t0 = performance.now();
  const plan = planPipeline([...host.files.keys()], config);
  stats.discover.seconds += (performance.now() - t0) / 1000;

  const executor = opts.executor ?? localExecutor(host, opts.decodeStage);
  const onProgress = (e: ProgressEvent) => opts.onProgress?.(e);
  const run = async (job: SubjectJob) => {
    checkAborted(opts.signal);
    const o = await executor.run(job, onProgress, opts.signal);
    opts.onSubjectDone?.(o);
    return o;
  };
  let outcomes: SubjectOutcome[];
  if (executor.slots <= 1) {
    outcomes = [];
    for (const job of plan.jobs) outcomes.push(await run(job));
  } else {
    // Memory need per subject from its headers (cheap reads); a subject whose headers cannot be
    // read gets the smallest need: it fails quickly in its worker and is reported there.
    const needs: number[] = [];
    for (const job of plan.jobs) {
      try {
        const sizes = [];
        for (const r of job.runs.filter((x) => x.events)) {
          const f = await readRunFacts(host, r);
          sizes.push({ voxelsPerVolume: f.voxelsPerVolume, bytesPerVolume: f.bytesPerVolume, nVolumes: f.nVolumes, nTrials: countRows(await fileOf(host, r.events!).text()) });
        }
        needs.push(estimateSubjectBytes({ runs: sizes }, config));
      } catch {
        needs.push(estimateSubjectBytes({ runs: [] }, config));
      }
    }
    outcomes = await runWithinBudget(
      plan.jobs.map((job, i) => ({ need: needs[i]!, run: () => run(job) })),
      { slots: executor.slots, budgetBytes: executor.budgetBytes, onOverBudget: (i, need) => opts.onOverBudget?.(plan.jobs[i]!.subject, need) },
      (i, o) => (o.peakBytes ? o.peakBytes / needs[i]! : undefined),
    );
  }
  // A worker killed by the same Ctrl-C reports a failed subject: cancelled means cancelled.
  checkAborted(opts.signal);
  for (const o of outcomes) addStats(stats, o.stats);

  // group
  const cells: GroupCell[] = [];
  for (const spec of config.rois) {
    const roi = roiNameOf(spec);
    for (const target of config.decoding.targets) {
      const scores: [string, string, number][] = [];
      let metric = decodingFor(config, target).metric;
      for (const o of outcomes) {
        const row = o.decoding.find((d) => d.roi === roi && d.target === target);
        if (row) { scores.push([o.id, o.decodeKeys[cellId(roi, target)]!, row.score]); metric = row.metric as typeof metric; }
      }
      cells.push({ roi, target, metric, scores });
    }
  }
  const before = host.cache ? { ...host.cache.counters } : null;
  const group = await cachedStage<GroupRow[]>(ctx, 'group', groupKey(cells, config), () => computeGroup(cells, config), jsonCodec<GroupRow[]>());
  const c = host.cache;
  const groupCache = c && before
    ? { corrupt: c.counters.corrupt - before.corrupt, evictions: c.counters.evictions - before.evictions, writeFailures: c.counters.writeFailures - before.writeFailures, disabled: c.disabledReason }
    : null;

  return buildResults({
    config, version: opts.version, plan, outcomes, group, stats, cache: host.cache, groupCache, totalSeconds: (performance.now() - started) / 1000,
    extra: opts.provenance,
  });
}
