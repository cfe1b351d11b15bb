/**
 * `ddmvpa run --bids DIR [--derivatives DIR] [--config FILE] --out DIR [--subjects A,B] [--jobs N]
 * [--cache-dir DIR | --no-cache] [--memory-budget MB] [--permutations N] [--seed S] [--json]`
 *
 * The whole pipeline (src/core/pipeline): writes OUT/results.json and, beside it, behavior.tsv,
 * decoding.tsv, group.tsv, errors.tsv, geometry.tsv and config.json (the full config used,
 * reusable with --config); with --searchlight the NIfTI maps in OUT/searchlight/ (per subject and
 * target, a p map with --searchlight-permutations N, the group t map). Every config field also has a flag (src/core/pipeline/config.ts FIELDS: --roi,
 * --target, --estimator, --preset, --cv, …).
 *
 * Cache: content-addressed, in `--cache-dir`, else $DDMVPA_CACHE_DIR, else
 * $XDG_CACHE_HOME/ddmvpa, else ~/.cache/ddmvpa — one cache per user, shared by every dataset
 * and output folder (keys are input contents, so sharing is safe and a run into a new --out
 * reuses everything). `--no-cache` computes everything and stores nothing.
 *
 * Parallelism: `--jobs N` (default: the cores Node may use) runs the work on N worker processes
 * (`ddmvpa run --worker`, spoken to over IPC): each subject's inputs, behaviour and extraction on
 * one worker, then its ROI × target decodings spread over all workers through the shared cache
 * (without a cache, a subject is decoded where it was extracted, and at most one worker per
 * subject is started). Tasks are admitted within the memory budget (`--memory-budget MB`, else
 * 80 % of min(physical memory, cgroup limit)): a task waits for memory as well as for a free
 * worker. `--jobs 1` runs everything in this process. Results are identical either way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism, homedir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DdError } from '../../core/errors.ts';
import { Cache, type CacheEvent } from '../../core/cache/cache.ts';
import { applyFlagOverrides, configFromJson, configToJson, FIELDS, parseConfig, SWITCH_FLAGS, type Config } from '../../core/pipeline/config.ts';
import type { DecodeStageFn } from '../../core/pipeline/decode-stage.ts';
import { pooledExecutor, type Task, type TaskResult, type TaskRunner } from '../../core/pipeline/executor.ts';
import type { HostFile, PipelineHost } from '../../core/pipeline/host.ts';
import { mvpaDecodeStage } from '../../core/pipeline/mvpa-decode.ts';
import { resultTables, type Results } from '../../core/pipeline/results.ts';
import {
  decodeCell, localExecutor, planPipeline, prepareSubject, runPipeline, type SubjectExecutor, type SubjectJob,
} from '../../core/pipeline/runner.ts';
import type { ProgressEvent } from '../../core/pipeline/stages.ts';
import { dirSink } from '../../platform/node/dir-sink.ts';
import { diskStore } from '../../platform/node/disk-store.ts';
import { fileSource } from '../../platform/node/file-source.ts';
import { createNodeSha256, nodeSha256Hex } from '../../platform/node/hash.ts';
import { loadVolume3D } from '../../platform/node/load-image.ts';
import { hostMemory, peakRssBytes } from '../../platform/node/memory-budget.ts';
import { nodeProjectorFactory } from '../../platform/node/projector.ts';
import { nodeInflate } from '../../platform/node/inflate.ts';
import { createNodeEngine, loadKernelModule } from '../../platform/node/pool.ts';
import { startSearchlightWorkers } from '../../platform/node/searchlight-pool.ts';
import type { SearchlightHost } from '../../core/searchlight/index.ts';
import { useWasmSolvers } from '../../core/mvpa/models/index.ts';
import { flag, flagAll, has, numberFlag, requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';

const ROOT = new URL('../../../', import.meta.url);
const BIN = fileURLToPath(new URL('bin/ddmvpa.mjs', ROOT));
const MB = 1024 * 1024;

/** The default cache folder (see the header). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DDMVPA_CACHE_DIR) return env.DDMVPA_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'ddmvpa');
  return join(homedir(), '.cache', 'ddmvpa');
}

export async function appVersion(): Promise<string> {
  try {
    return JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// The Node host: dataset files from a folder walk, a disk cache, the wasm projector.

const DATA_FILE = /\.(nii|nii\.gz|tsv|json)$/i;

/** Every dataset file under `root` (hidden folders skipped; symlinks followed) → real path, keyed by `prefix` + relative path. */
async function walk(root: string, prefix: string, into: Map<string, string>, skip: Set<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (e) {
    throw new DdError('BIDS_DIR_UNREADABLE', `${root}: cannot list this folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check --bids / --derivatives.`, { file: root, cause: e });
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const real = join(root, e.name);
    if (skip.has(resolve(real))) continue;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const s = await stat(real).catch(() => null);
      isDir = !!s?.isDirectory();
      isFile = !!s?.isFile();
    }
    if (isDir) await walk(real, `${prefix}${e.name}/`, into, skip);
    else if (isFile && DATA_FILE.test(e.name)) into.set(`${prefix}${e.name}`, real);
  }
}

export async function datasetFiles(bids: string, derivatives?: string, skip: string[] = []): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const skipSet = new Set(skip.map((s) => resolve(s)));
  await walk(bids, '', files, skipSet);
  if (derivatives) {
    const rel = relative(resolve(bids), resolve(derivatives));
    const inside = rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep);
    if (!inside) await walk(derivatives, `derivatives/${basename(resolve(derivatives))}/`, files, skipSet);
  }
  return files;
}

async function hostFile(path: string, real: string): Promise<HostFile> {
  let s;
  try {
    s = await stat(real);
  } catch (e) {
    throw new DdError('FILE_NOT_FOUND', `${real}: cannot read this file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, { file: real, cause: e });
  }
  return {
    path, identity: resolve(real), size: s.size, mtimeMs: s.mtimeMs,
    source: () => fileSource(real),
    text: () => readFile(real, 'utf8'),
  };
}

let solvers: Promise<void> | null = null;
let projector: ReturnType<typeof nodeProjectorFactory> | null = null;

/**
 * One wasm projector per process (it runs on this thread), made on first use: a parent that only
 * schedules worker processes never pays for it, a worker keeps it from subject to subject.
 */
function getProjector(): ReturnType<typeof nodeProjectorFactory> {
  return (projector ??= nodeProjectorFactory({ jobs: 1 }));
}

/** The models' n × n work in wasm (bit-identical to the TypeScript path, faster), once per process, on first use. */
function useWasmSolversOnce(): Promise<void> {
  solvers ??= createNodeEngine().then((engine) => useWasmSolvers(engine), (e) => {
    process.stderr.write(`run: note: solving in TypeScript (${e instanceof DdError ? e.message : String(e)})\n`);
  });
  return solvers;
}

/** The engine's decoding driver, on the wasm solvers. */
const nodeDecodeStage: DecodeStageFn = async (task, ctx) => {
  await useWasmSolversOnce();
  return mvpaDecodeStage(task, ctx);
};

export interface NodeHostOptions {
  /** Dataset path → real path. */
  files: Map<string, string>;
  cacheDir: string | null;
  onCacheEvent?: (e: CacheEvent) => void;
  /** Worker threads of a searchlight map (1: this thread only). */
  searchlightThreads?: number;
}

let searchlightHost: Promise<SearchlightHost> | null = null;

/**
 * The searchlight's kernels and worker threads, made on first use and kept for the process (idle
 * threads do not keep it alive): the CPU left per job (--jobs processes share the cores).
 */
function nodeSearchlightHost(threads: number): Promise<SearchlightHost> {
  searchlightHost ??= (async () => ({ module: await loadKernelModule(), pool: threads > 1 ? await startSearchlightWorkers(threads) : undefined }))();
  searchlightHost.catch(() => { searchlightHost = null; });
  return searchlightHost;
}

/** Searchlight threads per process when `jobs` processes share the machine. */
export function searchlightThreadsFor(jobs: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, jobs)));
}

export async function nodeHost(opts: NodeHostOptions): Promise<PipelineHost> {
  const files = new Map<string, HostFile>();
  for (const [path, real] of opts.files) files.set(path, await hostFile(path, real));
  const cache = opts.cacheDir === null ? null : new Cache(await diskStore(opts.cacheDir), { checksum: nodeSha256Hex, onEvent: opts.onCacheEvent });
  return {
    files,
    resolveFile: (path) => hostFile(path, path),
    loadImage: loadVolume3D,
    makeProjector: async (spec) => (await getProjector()).make(spec),
    inflate: nodeInflate,
    createHash: createNodeSha256,
    searchlight: () => nodeSearchlightHost(opts.searchlightThreads ?? 1),
    cache,
  };
}

// ---------------------------------------------------------------------------------------------
// Worker processes: one subject at a time each, over IPC.


type ToWorker =
  | { type: 'init'; cacheDir: string | null; searchlightThreads: number }
  | { type: 'task'; id: number; task: Task; files: [string, string][] }
  | { type: 'cancel'; id: number };
type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; id: number; event: ProgressEvent }
  | { type: 'cache-event'; event: CacheEvent }
  | { type: 'done'; id: number; result: TaskResult }
  | { type: 'failed'; id: number; error: { code: string; message: string } };

/** The worker side (`ddmvpa run --worker`, started by processExecutor): serves tasks until the parent goes. */
async function workerMain(decodeStage: DecodeStageFn): Promise<never> {
  const send = (m: FromWorker) => process.send!(m);
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C reaches the whole process group: the parent decides (it sends 'cancel').
  process.on('SIGINT', () => {});
  let cacheDir: string | null = null;
  let searchlightThreads = 1;
  const running = new Map<number, AbortController>();
  let queue = Promise.resolve();
  process.on('message', (m: ToWorker) => {
    if (m.type === 'init') { cacheDir = m.cacheDir; searchlightThreads = m.searchlightThreads; send({ type: 'ready' }); return; }
    if (m.type === 'cancel') { running.get(m.id)?.abort(); return; }
    const ac = new AbortController();
    running.set(m.id, ac);
    queue = queue.then(async () => {
      try {
        const host = await nodeHost({ files: new Map(m.files), cacheDir, searchlightThreads, onCacheEvent: (event) => send({ type: 'cache-event', event }) });
        const env = { host, decodeStage, signal: ac.signal, onProgress: (event: ProgressEvent) => send({ type: 'progress', id: m.id, event }) };
        let result: TaskResult;
        if (m.task.kind === 'prepare') {
          const p = await prepareSubject(m.task.job, env, { decode: m.task.decode });
          p.outcome.peakBytes = peakRssBytes();
          result = p;
        } else {
          result = await decodeCell(m.task.cell, env);
          result.peakBytes = peakRssBytes();
        }
        send({ type: 'done', id: m.id, result });
      } catch (e) {
        const err = e instanceof DdError ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: `${(e as Error)?.stack ?? e}` };
        send({ type: 'failed', id: m.id, error: err });
      } finally {
        running.delete(m.id);
      }
    });
  });
  return new Promise<never>(() => {});
}

/** One worker process as a TaskRunner: a task at a time over IPC; a dead process is replaced. */
function processRunner(opts: { slots: number; cacheDir: string | null; files: Map<string, string>; onCacheEvent(e: CacheEvent): void; closing(): boolean }): TaskRunner & { close(): Promise<void> } {
  let nextId = 0;
  let pending: { id: number; resolve(r: TaskResult): void; reject(e: unknown): void; onProgress(e: ProgressEvent): void } | null = null;
  let child: ChildProcess;
  let ready: Promise<void>;
  const spawnWorker = () => {
    const c = fork(BIN, ['run', '--worker'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [], serialization: 'advanced' });
    let markReady!: () => void;
    ready = new Promise<void>((r) => { markReady = r; });
    c.on('message', (m: FromWorker) => {
      if (m.type === 'ready') { markReady(); return; }
      if (m.type === 'cache-event') { opts.onCacheEvent(m.event); return; }
      const p = pending;
      if (!p || p.id !== m.id) return;
      if (m.type === 'progress') { p.onProgress(m.event); return; }
      pending = null;
      if (m.type === 'done') p.resolve(m.result);
      else p.reject(new DdError(m.error.code, m.error.message));
    });
    c.on('exit', (code, signal) => {
      if (opts.closing()) return;
      // A worker that dies (killed by the OOM killer, crashed) fails its task, not the run.
      const p = pending;
      pending = null;
      spawnWorker();
      p?.reject(new DdError('WORKER_DIED', `the worker process exited (${signal ?? `code ${code}`})`));
    });
    c.send({ type: 'init', cacheDir: opts.cacheDir, searchlightThreads: searchlightThreadsFor(opts.slots) } satisfies ToWorker);
    child = c;
  };
  const filesOf = (job: SubjectJob): [string, string][] => {
    const files: [string, string][] = [];
    for (const r of job.runs) for (const p of [r.bold, r.events, r.confounds, r.boldJson, r.brainMask]) if (p) files.push([p, opts.files.get(p)!]);
    return files;
  };
  spawnWorker();
  return {
    async run(task, onProgress, signal) {
      await ready;
      const id = nextId++;
      const c = child;
      const onAbort = () => c.send({ type: 'cancel', id } satisfies ToWorker);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await new Promise<TaskResult>((resolve, reject) => {
          pending = { id, resolve, reject, onProgress };
          c.send({ type: 'task', id, task, files: filesOf(task.kind === 'prepare' ? task.job : task.cell.job) } satisfies ToWorker);
        });
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close: () => new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      child.disconnect();
    }),
  };
}

/** N worker processes, each running one task at a time. */
function processExecutor(opts: {
  slots: number; budgetBytes: number; cacheDir: string | null; files: Map<string, string>;
  onCacheEvent(e: CacheEvent): void;
}): SubjectExecutor & { close(): Promise<void> } {
  let closing = false;
  const runners = Array.from({ length: opts.slots }, () => processRunner({ ...opts, closing: () => closing }));
  return pooledExecutor({
    runners,
    budgetBytes: opts.budgetBytes,
    sharedCache: opts.cacheDir !== null,
    diedHint: 'It may have run out of memory: lower --jobs or raise --memory-budget.',
    async close() {
      closing = true;
      await Promise.all(runners.map((r) => r.close()));
    },
  });
}

// ---------------------------------------------------------------------------------------------

/** The config: --config FILE (else the defaults), then every config flag on top. */
export async function configFromArgs(args: Args): Promise<Config> {
  const path = flag(args, 'config');
  let raw: Record<string, unknown> = {};
  if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new DdError('FILE_NOT_FOUND', `${path}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check --config.`, { file: path, cause: e });
    }
    raw = configFromJson(text, path) as unknown as Record<string, unknown>;
  }
  return parseConfig(applyFlagOverrides(raw, (f) => (has(args, f) ? flagAll(args, f) : undefined)));
}

const KNOWN_FLAGS = new Set(['bids', 'derivatives', 'config', 'out', 'jobs', 'cache-dir', 'no-cache', 'memory-budget', 'json', 'worker', 'subject-index', ...FIELDS.map((f) => f.flag), ...SWITCH_FLAGS]);

/** Where `--subject-index` writes its part (merged by `ddmvpa group`). */
export const SUBJECT_PARTS_DIR = 'subjects';
export const subjectPartFile = (id: string) => `${SUBJECT_PARTS_DIR}/sub-${id}.json`;

export async function run(args: Args): Promise<CommandResult> {
  if (has(args, 'worker')) return workerMain(nodeDecodeStage);
  for (const name of args.flags.keys()) {
    if (!KNOWN_FLAGS.has(name)) throw new DdError('ARGS_UNKNOWN_FLAG', `--${name} is not an option of \`ddmvpa run\`. Options: ${[...KNOWN_FLAGS].filter((f) => f !== 'worker').map((f) => `--${f}`).join(' ')}.`);
  }
  const config = await configFromArgs(args);
  const bids = requireFlag(args, 'bids', 'the BIDS dataset folder (raw data with events; fMRIPrep derivatives inside or given with --derivatives)');
  const out = requireFlag(args, 'out', 'the folder for results.json and the tables');
  const derivatives = flag(args, 'derivatives');
  if (has(args, 'no-cache') && has(args, 'cache-dir')) throw new DdError('ARGS_CONFLICT', '--no-cache and --cache-dir contradict each other; give one.');
  const cacheDir = has(args, 'no-cache') ? null : resolve(flag(args, 'cache-dir') ?? defaultCacheDir());
  const budgetMbFlag = flag(args, 'memory-budget');
  // Inside a SLURM task the allocation (--mem) is the budget unless one is given.
  const slurmMb = Number(process.env.SLURM_MEM_PER_NODE);
  const budgetMb = budgetMbFlag === undefined ? (slurmMb > 0 ? slurmMb * 0.9 : undefined) : numberFlag(args, 'memory-budget', 0);
  if (budgetMb !== undefined && !(budgetMb > 0)) throw new DdError('ARGS_BAD_VALUE', `--memory-budget must be a number of MB > 0, got "${budgetMbFlag}".`);
  const memory = hostMemory({ budgetMb });
  const jobsFlag = numberFlag(args, 'jobs', availableParallelism());
  if (!Number.isInteger(jobsFlag) || jobsFlag < 1) throw new DdError('ARGS_BAD_VALUE', `--jobs must be a whole number ≥ 1, got ${jobsFlag}.`);

  const started = performance.now();
  const log = (s: string) => process.stderr.write(`run: ${s}\n`);
  const cacheEvents = (e: CacheEvent) => {
    if (e.type === 'corrupt') log(`cache entry ${e.key} was corrupt (${e.reason}); recomputing it`);
    else if (e.type === 'disabled') log(`warning: cache disabled: ${e.reason}`);
    else if (e.type === 'write-failed') log(`warning: cache write failed for ${e.key}: ${e.reason}`);
  };
  const skip = [out, ...(cacheDir ? [cacheDir] : [])];
  const files = await datasetFiles(bids, derivatives, skip);
  const host = await nodeHost({ files, cacheDir, onCacheEvent: cacheEvents, searchlightThreads: searchlightThreadsFor(1) });
  const nSubjects = new Set([...files.keys()].map((p) => /(?:^|\/)sub-([A-Za-z0-9]+)\//.exec(p)?.[1]).filter(Boolean)).size;
  // One SLURM array task: subject I of the plan (the config stays as it is, so the merged parts
  // equal one run over all subjects).
  let only: string[] | undefined;
  const indexFlag = flag(args, 'subject-index');
  if (indexFlag !== undefined) {
    const index = Number(indexFlag);
    const ids = planPipeline([...files.keys()], config).jobs.map((j) => j.subject);
    if (!Number.isInteger(index) || index < 0 || index >= ids.length) {
      throw new DdError('ARGS_BAD_VALUE', `--subject-index must be a whole number from 0 to ${ids.length - 1} (the dataset has ${ids.length} subject(s)), got "${indexFlag}".`);
    }
    only = [ids[index]!];
  }
  // With a cache the workers share, decodings spread over workers (ROI × target shards): more
  // workers than subjects help. Without, a subject is the unit of work.
  const jobs = Math.max(1, cacheDir ? jobsFlag : Math.min(jobsFlag, only?.length ?? config.data.subjects?.length ?? nSubjects));
  const executor = jobs > 1
    ? processExecutor({ slots: jobs, budgetBytes: memory.budgetBytes, cacheDir, files, onCacheEvent: cacheEvents })
    : localExecutor(host, nodeDecodeStage);
  log(`${nSubjects} subject(s) found, ${jobs} job(s), memory budget ${Math.round(memory.budgetBytes / MB)} MB (${memory.source}), cache ${cacheDir ?? 'off'}`);

  const ac = new AbortController();
  const onSigint = () => { log('cancelling (Ctrl-C again to force)…'); ac.abort(); process.once('SIGINT', () => process.exit(130)); };
  process.once('SIGINT', onSigint);
  const lastLine = new Map<string, number>();
  const overBudget = new Set<string>();
  const sink = dirSink(out);
  const written: string[] = [];
  let results: Results;
  try {
    results = await runPipeline({
      config, host, decodeStage: nodeDecodeStage, version: await appVersion(), executor, signal: ac.signal,
      provenance: { host: 'node', bids: basename(resolve(bids)) }, only,
      // searchlight maps: OUT/searchlight/…
      onFile: async (path, bytes) => { await sink.write(path, bytes); written.push(path); },
      onProgress: (e) => {
        const k = `${e.stage}/${e.subject}`;
        const t = performance.now();
        if (e.done < e.total && t - (lastLine.get(k) ?? -Infinity) < 2000) return;
        lastLine.set(k, t);
        log(`${e.subject ? `sub-${e.subject} ` : ''}${e.stage} ${e.done}/${e.total}${e.eta_s !== null && e.done < e.total ? ` (eta ${Math.ceil(e.eta_s)} s)` : ''}`);
      },
      onSubjectDone: (o) => {
        const hits = Object.values(o.stats).reduce((a, s) => a + s.hits, 0);
        const misses = Object.values(o.stats).reduce((a, s) => a + s.misses, 0);
        log(`sub-${o.id} done: ${o.decoding.length} decoding(s), ${o.errors.length} error(s), cache ${hits} hit(s) ${misses} computed`);
      },
      onOverBudget: (s, need) => {
        if (overBudget.has(s)) return;
        overBudget.add(s);
        log(`warning: sub-${s} needs ~${Math.round(need / MB)} MB, more than the budget of ${Math.round(memory.budgetBytes / MB)} MB; running its tasks alone`);
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    await executor.close?.();
  }

  if (only) {
    const file = subjectPartFile(only[0]!);
    await sink.write(file, JSON.stringify(results, null, 2) + '\n');
    const seconds = (performance.now() - started) / 1000;
    const failed = results.errors.length > 0;
    return {
      json: { out, part: join(out, file), subject: only[0], n_errors: results.errors.length, seconds },
      text: `sub-${only[0]} analysed in ${seconds.toFixed(1)} s${failed ? ` with ${results.errors.length} error(s)` : ''} → ${join(out, file)} (merge with \`ddmvpa group --out ${out}\`)`,
    };
  }
  await sink.write('results.json', JSON.stringify(results, null, 2) + '\n');
  for (const [name, text] of Object.entries(resultTables(results))) await sink.write(name, text);
  await sink.write('config.json', configToJson(config));
  for (const e of results.errors) process.stderr.write(`error ${e.code} (sub-${e.subject}${e.roi ? ` ${e.roi}` : ''}${e.target ? ` ${e.target}` : ''}): ${e.message}\n`);
  const seconds = (performance.now() - started) / 1000;
  const c = results.provenance.cache;
  const json = {
    out, results: join(out, 'results.json'), subjects: results.subjects.map((s) => s.id),
    failed: results.subjects.filter((s) => s.decoding.length === 0 && s.errors.length > 0).map((s) => s.id),
    n_errors: results.errors.length, cache: { dir: cacheDir, hits: c.hits, misses: c.misses, by_stage: c.by_stage }, jobs, seconds,
    maps: written.map((f) => join(out, f)),
  };
  const text = [
    `analysed ${results.subjects.length} subject(s) in ${seconds.toFixed(1)} s (${jobs} job(s)); ${results.errors.length} error(s)`,
    `  cache: ${c.hits} stage(s) from the cache, ${c.misses} computed${cacheDir ? ` (${cacheDir})` : ' (off)'}`,
    `  results → ${join(out, 'results.json')} (+ behavior.tsv, decoding.tsv, group.tsv, errors.tsv, geometry.tsv, config.json)`,
    ...(written.length ? [`  searchlight maps (${written.length}) → ${join(out, 'searchlight')}/`] : []),
  ].join('\n');
  return { json, text };
}
