/**
 * The stages of one subject and the group (graph.ts): each a pure function of its inputs, and
 * each with a content key made of its inputs' content hashes (or upstream keys), the parameters
 * it reads and its code version.
 */
import { DdError, type DdWarning } from '../errors.ts';
import type { Cache } from '../cache/cache.ts';
import { contentKey } from '../cache/canonical.ts';
import { decodeRecord, encodeJson, encodeRecord, type TypedArray } from '../cache/record.ts';
import { Sha256 } from '../cache/sha256.ts';
import { parseEvents, flagTrialsAgainstScan, type Trial } from '../bids/events.ts';
import type { RunLayout } from '../bids/layout.ts';
import { fitHyperbolic, type HyperbolicFit } from '../behavior/hyperbolic.ts';
import { trialVariables, type TrialVariables } from '../behavior/trial-variables.ts';
import { extractRun } from '../extract/extract-run.ts';
import { readChunks, type ByteSource } from '../io/byte-source.ts';
import { openNifti } from '../nifti/index.ts';
import { parseRoiSpec } from '../roi/index.ts';
import type { Grid } from '../roi/grid.ts';
import { chanceLevel, type MetricName } from '../mvpa/metrics.ts';
import { cohensD, fdrBh, signFlipTest, statsReady, ttest1samp, wilcoxon } from '../stats/index.ts';
import { decodingFor, resolveCv, WHOLE_BRAIN_ROI, type Config } from './config.ts';
import type { DecodeOutcome, DecodeStageFn, DecodeTask } from './decode-stage.ts';
import { STAGE_VERSIONS, type StageName, type StageStats } from './graph.ts';
import type { HostFile, PipelineHost } from './host.ts';

export type ProgressStage = StageName;

export interface ProgressEvent {
  stage: ProgressStage;
  /** Subject label, or null for dataset-wide stages. */
  subject: string | null;
  done: number;
  total: number;
  /** Estimated seconds until this stage of this subject is done; null before the first step. */
  eta_s: number | null;
}

/** Everything a stage needs from its surroundings. */
export interface StageContext {
  host: PipelineHost;
  cache: Cache | null;
  stats: StageStats;
  signal?: AbortSignal;
  onProgress?(e: ProgressEvent): void;
}

const now = () => performance.now();

export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DdError('RUN_CANCELLED', 'The run was cancelled; run the same command again to resume from the cache.');
}

/** Progress reporter with an ETA from the rate so far. */
export function progressReporter(ctx: { onProgress?(e: ProgressEvent): void }, stage: ProgressStage, subject: string | null, minIntervalMs = 250) {
  const t0 = now();
  let last = -Infinity;
  return (done: number, total: number) => {
    const t = now();
    if (done < total && t - last < minIntervalMs) return;
    last = t;
    const elapsed = (t - t0) / 1000;
    const eta = done > 0 ? (elapsed / done) * (total - done) : null;
    ctx.onProgress?.({ stage, subject, done, total, eta_s: eta === null ? null : Math.round(eta * 10) / 10 });
  };
}

export interface Codec<T> {
  encode(v: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

export const jsonCodec = <T>(): Codec<T> => ({
  encode: (v) => encodeJson(v),
  decode: (b) => decodeRecord<T>(b).data,
});

/**
 * An entry whose checksum matched but whose bytes do not decode (written by an older format, a
 * bug) is treated as missing: deleted and recomputed, never fatal.
 */
function decodeOrDrop<T>(codec: Codec<T>, bytes: Uint8Array): { value: T } | undefined {
  try {
    return { value: codec.decode(bytes) };
  } catch {
    return undefined;
  }
}

/**
 * Serves `key` from the cache (a hit) or computes and stores it (a miss). An entry that does not
 * decode is deleted and recomputed.
 */
export async function cachedStage<T>(ctx: StageContext, stage: StageName, key: string, compute: () => Promise<T>, codec: Codec<T>): Promise<T> {
  const t0 = now();
  const stat = ctx.stats[stage];
  try {
    if (ctx.cache) {
      const bytes = await ctx.cache.get(key);
      if (bytes) {
        const v = decodeOrDrop(codec, bytes);
        if (v !== undefined) {
          stat.hits++;
          return v.value;
        }
        await ctx.cache.invalidate(key);
      }
    }
    checkAborted(ctx.signal);
    const v = await compute();
    stat.misses++;
    if (ctx.cache) await ctx.cache.put(key, codec.encode(v), { stage });
    return v;
  } finally {
    stat.seconds += (now() - t0) / 1000;
  }
}

/** Looks a key up without computing (a hit is counted, a miss is not: the caller computes later). */
export async function lookupStage<T>(ctx: StageContext, stage: StageName, key: string, codec: Codec<T>): Promise<T | undefined> {
  if (!ctx.cache) return undefined;
  const t0 = now();
  try {
    const bytes = await ctx.cache.get(key);
    if (!bytes) return undefined;
    const v = decodeOrDrop(codec, bytes);
    if (v === undefined) {
      await ctx.cache.invalidate(key);
      return undefined;
    }
    ctx.stats[stage].hits++;
    return v.value;
  } finally {
    ctx.stats[stage].seconds += (now() - t0) / 1000;
  }
}

// ---------------------------------------------------------------------------------------------
// hash

export interface InputHash {
  path: string;
  sha256: string;
  bytes: number;
}

/** A ByteSource named by the dataset path (messages and cached warnings stay valid when the dataset moves). */
export async function namedSource(file: HostFile): Promise<ByteSource> {
  const src = await file.source();
  if (src.name === file.path) return src;
  return { name: file.path, size: src.size, slice: (a, b) => src.slice(a, b), stream: () => src.stream() };
}

/**
 * SHA-256 of a file's bytes. Remembered under (host identity, size, mtime): a second run does not
 * re-read the file; a touched or moved file is re-hashed, and gives the same content hash.
 */
export async function hashFile(ctx: StageContext, file: HostFile, subject: string | null): Promise<InputHash> {
  const key = contentKey('filehash', STAGE_VERSIONS.hash, { identity: file.identity, size: file.size, mtime: file.mtimeMs });
  const sha256 = await cachedStage(ctx, 'hash', key, async () => {
    const h = ctx.host.createHash?.() ?? new Sha256();
    const src = await file.source();
    // Progress only for files worth waiting for (a BOLD run), not for every small table.
    const report = file.size >= 64 << 20 ? progressReporter(ctx, 'hash', subject, 1000) : () => {};
    let read = 0;
    const done = await readChunks(src.stream(), (bytes) => {
      checkAborted(ctx.signal);
      h.update(bytes);
      read += bytes.length;
      report(read, file.size);
    });
    if (done !== file.size) {
      throw new DdError('FILE_CHANGED', `${file.path}: read ${done} bytes but the file has ${file.size}; it changed while being read. Run again when it is complete.`, { file: file.path });
    }
    return h.digest();
  }, jsonCodec<string>());
  return { path: file.path, sha256, bytes: file.size };
}

// ---------------------------------------------------------------------------------------------
// run facts (from the BOLD header: cheap, read every time)

export interface RunFacts {
  id: string;
  bold: string;
  nVolumes: number;
  tr: number;
  voxelsPerVolume: number;
  bytesPerVolume: number;
  /** The BOLD grid (searchlight maps are written on it). */
  grid: Grid;
}

export async function readRunFacts(host: PipelineHost, run: RunLayout): Promise<RunFacts> {
  const file = fileOf(host, run.bold);
  const { header } = await openNifti(await namedSource(file), { inflate: host.inflate });
  let tr = header.trSeconds ?? NaN;
  if (run.boldJson) {
    const jf = fileOf(host, run.boldJson);
    try {
      const rt = JSON.parse(await jf.text()).RepetitionTime;
      if (typeof rt === 'number' && rt > 0) tr = rt;
    } catch (e) {
      throw new DdError('JSON_INVALID', `${jf.path}: not valid JSON (${(e as Error).message}). Fix or remove the file.`, { file: jf.path });
    }
  }
  const grid: Grid = { dims: [header.dims[0]!, header.dims[1] ?? 1, header.dims[2] ?? 1], affine: header.affine };
  return { id: run.id, bold: run.bold, nVolumes: header.nVolumes, tr, voxelsPerVolume: header.voxelsPerVolume, bytesPerVolume: header.bytesPerVolume, grid };
}

export function fileOf(host: PipelineHost, path: string): HostFile {
  const f = host.files.get(path);
  if (!f) throw new DdError('FILE_NOT_FOUND', `${path}: listed in the dataset but not readable any more. Check that the dataset is complete.`, { file: path });
  return f;
}

// ---------------------------------------------------------------------------------------------
// behavior

export interface RunHashes {
  bold: string;
  events: string;
  confounds: string | null;
  boldJson: string | null;
  brainMask: string | null;
}

export interface BehaviorOutput {
  fit: HyperbolicFit;
  /** Trial variables of every events row, per run (run order). */
  runs: { id: string; trials: TrialVariables[] }[];
  warnings: DdWarning[];
}

export function behaviorKey(runs: { hashes: RunHashes; facts: RunFacts }[], config: Config): string {
  return contentKey('behavior', STAGE_VERSIONS.behavior, {
    runs: runs.map((r) => ({ events: r.hashes.events, scan_s: r.facts.nVolumes * r.facts.tr })),
    fixed_beta: config.behavior.fixed_beta,
  });
}

/** The subject's hyperbolic fit over the trials of all runs, and the trial variables per run. */
export function computeBehavior(runs: { id: string; eventsPath: string; eventsText: string; scanS: number }[], config: Config): BehaviorOutput {
  const warnings: DdWarning[] = [];
  const perRun: Trial[][] = runs.map((r) => {
    const parsed = parseEvents(r.eventsText, r.eventsPath);
    warnings.push(...parsed.warnings);
    return flagTrialsAgainstScan(parsed.trials, r.scanS);
  });
  const fit = fitHyperbolic(perRun.flat(), { fixedBeta: config.behavior.fixed_beta });
  return { fit, runs: runs.map((r, i) => ({ id: r.id, trials: trialVariables(perRun[i]!, fit) })), warnings };
}

// ---------------------------------------------------------------------------------------------
// extract

export interface ExtractEntry {
  roi: string;
  /** Events row index of each pattern row. */
  rows: number[];
  tr: number;
  nVolumes: number;
  source: string;
  warnings: DdWarning[];
  patterns: Float32Array;
  indices: Int32Array;
}

export const extractCodec: Codec<ExtractEntry> = {
  encode: (e) => encodeRecord({
    data: { roi: e.roi, rows: e.rows, tr: e.tr, nVolumes: e.nVolumes, source: e.source, warnings: e.warnings },
    arrays: { patterns: e.patterns, indices: e.indices },
  }),
  decode: (b) => {
    const r = decodeRecord<Omit<ExtractEntry, 'patterns' | 'indices'>>(b);
    const patterns = r.arrays.patterns, indices = r.arrays.indices;
    if (!(patterns instanceof Float32Array) || !(indices instanceof Int32Array) || patterns.length !== r.data.rows.length * indices.length) {
      throw new DdError('CACHE_BAD_RECORD', 'An extraction cache entry has inconsistent arrays; it will be recomputed.');
    }
    return { ...r.data, patterns, indices };
  },
};

/** ROI name of a config ROI spec. */
export function roiNameOf(spec: string): string {
  return spec === WHOLE_BRAIN_ROI ? spec : parseRoiSpec(spec).name;
}

/** The file an ROI spec reads, if any. */
export function roiFilePath(spec: string): string | null {
  if (spec === WHOLE_BRAIN_ROI) return null;
  const s = parseRoiSpec(spec);
  return s.kind === 'mask' || s.kind === 'atlas' ? s.path : null;
}

export function extractKey(hashes: RunHashes, roiSpec: string, roiFileHash: string | null, config: Config): string {
  const p = config.patterns;
  const spec = roiSpec === WHOLE_BRAIN_ROI ? { brain: true } : (() => {
    const s = parseRoiSpec(roiSpec);
    // The ROI's content, not its file name: the file's hash replaces the path.
    if (s.kind === 'mask') return { name: s.name, kind: s.kind, file: roiFileHash };
    if (s.kind === 'atlas') return { name: s.name, kind: s.kind, file: roiFileHash, labels: s.labels };
    if (s.kind === 'sphere') return { name: s.name, kind: s.kind, centre: s.centreMm, radius: s.radiusMm };
    return { name: s.name, kind: s.kind };
  })();
  return contentKey('extract', STAGE_VERSIONS.extract, {
    bold: hashes.bold, events: hashes.events, confounds: hashes.confounds, bold_json: hashes.boldJson,
    brain_mask: roiSpec === WHOLE_BRAIN_ROI ? hashes.brainMask : undefined,
    roi: spec,
    estimator: p.estimator, confounds_preset: p.confounds, spike_fd_mm: p.spike_fd_mm, high_pass_s: p.high_pass_s, slice_time_ref: p.slice_time_ref,
  });
}

/** One stream pass over a run for the given ROI specs; one entry per ROI. */
export async function computeExtraction(ctx: StageContext, run: RunLayout, specs: string[], config: Config, subject: string): Promise<ExtractEntry[]> {
  const host = ctx.host;
  const p = config.patterns;
  const text = async (path: string | undefined) => (path ? { file: path, text: await fileOf(host, path).text() } : undefined);
  const report = progressReporter(ctx, 'extract', subject);
  const boldFile = fileOf(host, run.bold);
  const result = await extractRun({
    bold: await namedSource(boldFile),
    events: (await text(run.events))!,
    confounds: await text(run.confounds),
    boldJson: await text(run.boldJson),
    brainMask: run.brainMask && specs.includes(WHOLE_BRAIN_ROI) ? await namedSource(fileOf(host, run.brainMask)) : undefined,
    preset: p.confounds,
    spikeFd: p.spike_fd_mm,
    estimator: p.estimator,
    highPassS: p.high_pass_s,
    sliceTimeRef: p.slice_time_ref,
    rois: specs,
    loadImage: host.loadImage,
    makeProjector: host.makeProjector,
    inflate: host.passInflate?.(boldFile.size) ?? host.inflate,
    onProgress: report,
    signal: ctx.signal,
  });
  try {
    const rows = result.trials.map((t) => t.index);
    return specs.map((spec) => {
      const name = roiNameOf(spec);
      const pat = result.patterns.get(name);
      const idx = result.indices.get(name);
      if (!pat || !idx) throw new DdError('EXTRACT_INTERNAL', `The stream pass of ${run.bold} returned no patterns for ROI ${name}.`);
      return {
        roi: name, rows, tr: result.tr, nVolumes: result.header.nVolumes, source: result.roiSources.get(name) ?? '',
        warnings: result.warnings,
        // Copies: the largest ROI's patterns are a view into the projector's memory.
        patterns: pat.slice(), indices: idx.slice(),
      };
    });
  } finally {
    result.release();
  }
}

// ---------------------------------------------------------------------------------------------
// dataset

export interface SubjectDataset {
  X: Float32Array;
  n: number;
  p: number;
  y: Float64Array;
  groups: Int32Array | null;
  onsets: Float64Array;
  nDropped: number;
}

export function datasetKey(extractKeys: string[], behavior: string, target: string): string {
  return contentKey('dataset', STAGE_VERSIONS.dataset, { extract: extractKeys, behavior, target });
}

/** Trials × voxels of one ROI over the subject's runs, with one target; rows without a target dropped. */
export function buildSubjectDataset(entries: ExtractEntry[], behavior: BehaviorOutput, target: string, kind: 'classification' | 'regression', subject: string): SubjectDataset {
  const p = entries[0]!.indices.length;
  for (const e of entries) {
    if (e.indices.length !== p || e.indices.some((v, i) => v !== entries[0]!.indices[i])) {
      throw new DdError('DATASET_GRID_MISMATCH', `sub-${subject}, ROI ${e.roi}: the runs do not share the same voxels (different BOLD grids?). Use BOLD files in one space and resolution for all runs.`);
    }
  }
  const xs: Float32Array[] = [];
  const ys: number[] = [];
  const gs: number[] = [];
  const os: number[] = [];
  let nDropped = 0;
  entries.forEach((e, r) => {
    const vars = new Map(behavior.runs[r]!.trials.map((t) => [t.index, t]));
    e.rows.forEach((row, i) => {
      const t = vars.get(row);
      const v = t ? (t as unknown as Record<string, number | null>)[target] : null;
      if (v === null || v === undefined || !Number.isFinite(v)) { nDropped++; return; }
      xs.push(e.patterns.subarray(i * p, (i + 1) * p));
      ys.push(v);
      gs.push(r);
      os.push(t!.onset);
    });
  });
  const n = ys.length;
  if (n === 0) {
    throw new DdError('DECODE_NO_SAMPLES', `sub-${subject}: no trial has a value for target '${target}' (${nDropped} without one); nothing to decode. A degenerate behavioural fit (all one choice) leaves the subjective values undefined.`);
  }
  const Xf = new Float32Array(n * p);
  xs.forEach((row, i) => Xf.set(row, i * p));
  const y = Float64Array.from(ys);
  if (kind === 'classification') {
    for (const v of y) {
      if (v !== 0 && v !== 1) throw new DdError('DECODE_NOT_BINARY', `sub-${subject}: target '${target}' has value ${v}; a classification target holds 0/1.`);
    }
  }
  return { X: Xf, n, p, y, groups: entries.length >= 2 ? Int32Array.from(gs) : null, onsets: Float64Array.from(os), nDropped };
}

// ---------------------------------------------------------------------------------------------
// decode

export interface DecodeEntry {
  ok: {
    metric: MetricName;
    score: number;
    fold_scores: number[];
    p_value: number | null;
    n_permutations: number;
    n_samples: number;
    n_features: number;
    n_dropped: number;
    model: string;
    cv: string;
    n_not_converged: number;
  } | null;
  error: { code: string; message: string; file: string | null } | null;
  /** Warnings of the inputs (the runs' extraction), so a subject reports the same ones whether or not its patterns were read. */
  warnings: DdWarning[];
  null_scores: Float64Array;
}

export const decodeCodec: Codec<DecodeEntry> = {
  encode: (e) => encodeRecord({ data: { ok: e.ok, error: e.error, warnings: e.warnings }, arrays: { null_scores: e.null_scores } }),
  decode: (b) => {
    const r = decodeRecord<Omit<DecodeEntry, 'null_scores'>>(b);
    const ns = r.arrays.null_scores as TypedArray | undefined;
    if (!(ns instanceof Float64Array) || !Array.isArray(r.data.warnings)) throw new DdError('CACHE_BAD_RECORD', 'A decoding cache entry is incomplete; it will be recomputed.');
    return { ok: r.data.ok, error: r.data.error, warnings: r.data.warnings, null_scores: ns };
  },
};

/** The parameters a decoding of `target` reads (and only those: alpha does not touch svc). */
export function decodeParams(config: Config, target: string, nRuns: number) {
  const d = config.decoding;
  const { kind, model, metric } = decodingFor(config, target);
  const modelOptions: DecodeTask['modelOptions'] = model === 'ridge' ? { alpha: d.alpha } : { C: d.C, classWeight: d.class_weight };
  return { kind, model, metric, modelOptions, cv: resolveCv(config, nRuns), scaling: d.scaling, permutations: d.permutations, seed: config.seed };
}

export function decodeKey(dataset: string, params: ReturnType<typeof decodeParams>): string {
  return contentKey('decode', STAGE_VERSIONS.decode, { dataset, ...params });
}

export async function computeDecode(
  ctx: StageContext, stage: DecodeStageFn, data: SubjectDataset, params: ReturnType<typeof decodeParams>,
  ids: { subject: string; roi: string; target: string }, warnings: DdWarning[], report?: (done: number, total: number) => void,
): Promise<DecodeEntry> {
  let out: DecodeOutcome;
  try {
    out = await stage({
      ...ids, X: data.X, n: data.n, p: data.p, y: data.y, kind: params.kind, groups: data.groups, onsets: data.onsets,
      model: params.model, modelOptions: params.modelOptions, cv: params.cv, scaling: params.scaling, metric: params.metric,
      permutations: params.permutations, seed: params.seed,
    }, { signal: ctx.signal, onProgress: report });
  } catch (e) {
    if (e instanceof DdError && e.code === 'DECODE_CANCELLED') throw new DdError('RUN_CANCELLED', 'The run was cancelled; run the same command again to resume from the cache.', { cause: e });
    if (e instanceof DdError && e.code !== 'RUN_CANCELLED') return decodeError(e, warnings);
    throw e;
  }
  return {
    ok: {
      metric: out.metric, score: out.score, fold_scores: out.foldScores, p_value: out.pValue, n_permutations: out.nPermutations,
      n_samples: out.nSamples, n_features: out.nFeatures, n_dropped: data.nDropped, model: out.model, cv: out.cv, n_not_converged: out.nNotConverged,
    },
    error: null,
    warnings,
    null_scores: Float64Array.from(out.nullScores),
  };
}

/** A deterministic failure of a (subject, ROI, target): cached like a result, reported in errors[]. */
export function decodeError(e: DdError, warnings: DdWarning[] = []): DecodeEntry {
  return { ok: null, error: { code: e.code, message: e.message, file: e.file ?? null }, warnings, null_scores: new Float64Array(0) };
}

// ---------------------------------------------------------------------------------------------
// group

export interface GroupRow {
  roi: string;
  target: string;
  metric: MetricName;
  chance: number;
  n: number;
  mean: number | null;
  sd: number | null;
  t: number | null;
  df: number | null;
  /** p of config.group.test (one-sided, scores > chance). */
  p_value: number | null;
  q_value: number | null;
  p_t: number | null;
  p_wilcoxon: number | null;
  p_sign_flip: number | null;
  cohens_d: number | null;
  subjects: string[];
  note: string | null;
}

export interface GroupCell {
  roi: string;
  target: string;
  metric: MetricName;
  /** Subjects with a score, in subject order: [subject, decode key, score]. */
  scores: [string, string, number][];
}

export function groupKey(cells: GroupCell[], config: Config): string {
  return contentKey('group', STAGE_VERSIONS.group, {
    cells: cells.map((c) => ({ roi: c.roi, target: c.target, metric: c.metric, decodes: c.scores.map(([s, k]) => [s, k]) })),
    test: config.group.test, permutations: config.group.permutations, seed: config.seed,
  });
}

export async function computeGroup(cells: GroupCell[], config: Config): Promise<GroupRow[]> {
  await statsReady();
  const rows: GroupRow[] = cells.map((c) => {
    const x = c.scores.map((s) => s[2]);
    const chance = chanceLevel(c.metric);
    const row: GroupRow = {
      roi: c.roi, target: c.target, metric: c.metric, chance, n: x.length, mean: null, sd: null, t: null, df: null,
      p_value: null, q_value: null, p_t: null, p_wilcoxon: null, p_sign_flip: null, cohens_d: null,
      subjects: c.scores.map((s) => s[0]), note: null,
    };
    if (x.length === 0) { row.note = 'no subject has a score'; return row; }
    row.mean = x.reduce((a, b) => a + b, 0) / x.length;
    if (x.length < 2) { row.note = 'group tests need at least 2 subjects'; return row; }
    const tt = ttest1samp(x, chance, 'greater');
    row.sd = tt.sd; row.t = Number.isFinite(tt.t) ? tt.t : null; row.df = tt.df; row.p_t = Number.isFinite(tt.pValue) ? tt.pValue : null;
    const d = cohensD(x, chance);
    row.cohens_d = Number.isFinite(d) ? d : null;
    try {
      row.p_wilcoxon = wilcoxon(x, { popmean: chance, alternative: 'greater' }).pValue;
    } catch (e) {
      if (!(e instanceof DdError)) throw e;
      row.note = e.message;
    }
    row.p_sign_flip = signFlipTest(x, { popmean: chance, alternative: 'greater', permutations: config.group.permutations, seed: config.seed }).pValue;
    row.p_value = config.group.test === 't' ? row.p_t : config.group.test === 'wilcoxon' ? row.p_wilcoxon : row.p_sign_flip;
    return row;
  });
  const ps = rows.map((r) => r.p_value ?? NaN);
  const q = fdrBh(ps).q;
  rows.forEach((r, i) => { r.q_value = Number.isNaN(q[i]!) ? null : q[i]!; });
  return rows;
}
