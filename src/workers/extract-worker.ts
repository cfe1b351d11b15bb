/**
 * The extract worker (browser): everything heavy of "files → trial patterns" runs here, off the
 * page's main thread. Served over comlink on the worker global.
 *
 * - `inspect(files)`: header facts of the BOLD / mask, trial counts of the events, rows of the
 *   confounds; every problem found becomes a coded Problem (never a throw).
 * - `demo(opts)`: the synthetic demo dataset (writeDemoDataset) written into Blobs.
 * - `extract(runId, files, options, onProgress)`: extractRun over Blob sources (gzip inflated by
 *   DecompressionStream), projected with the wasm kernels in this worker (or a nested pool), the
 *   outputs (`<roi>.npy`, masks, `trials.tsv`, `extract.json`) written as Blobs exactly as the CLI
 *   writes its files. Blobs go back to the page as handles: no big array crosses threads.
 * - `cancel(runId)`: aborts the run (extractRun's signal); the run rejects with CANCELLED.
 */
import { expose } from 'comlink';
import { installDdErrorTransfer } from './comlink-errors.ts';
import { DdError, type DdWarning } from '../core/errors.ts';
import { blobSource, type ByteSource } from '../core/io/byte-source.ts';
import { parseEvents } from '../core/bids/events.ts';
import { parseConfounds, parseMotionText, type ConfoundPreset } from '../core/bids/confounds.ts';
import { extractRun, type TextFile } from '../core/extract/extract-run.ts';
import { TRIAL_COLUMNS, writeExtractOutputs } from '../core/extract/outputs.ts';
import { wasmProjector } from '../core/extract/wasm-projector.ts';
import type { Estimator } from '../core/design/index.ts';
import { createKernelEngine, type KernelEngine, type KernelWorkerApi } from '../core/kernels/index.ts';
import { openNifti, orientationString } from '../core/nifti/index.ts';
import { writeDemoDataset, type DemoTruth } from '../core/demo/dataset.ts';
import type { DemoSize } from '../core/demo/spec.ts';
import type { Pool } from '../core/pool.ts';
import { blobSink } from '../platform/browser/blob-sink.ts';
import { createBrowserKernelPool, loadKernelModule } from '../platform/browser/pool.ts';
import { roiFileHost } from '../platform/browser/roi-files.ts';
import { yieldingProjector } from '../platform/browser/event-loop.ts';
import { passInflater } from '../platform/browser/worker-inflate.ts';
import type { BlobEntry } from '../core/pipeline/blob-host.ts';

installDdErrorTransfer();

/** One input file: a Blob (a File from the picker, or a generated demo file) and the path it was matched by. */
export interface NamedBlob {
  name: string;
  blob: Blob;
}

export interface RunFiles {
  bold: NamedBlob;
  events: NamedBlob;
  confounds?: NamedBlob;
  mask?: NamedBlob;
  boldJson?: NamedBlob;
}

/** A problem with an input: the stable code, the file, and the message (what is wrong and what to do). */
export interface Problem {
  code: string;
  file: string | null;
  message: string;
  severity: 'error' | 'warning';
}

export interface NiftiFacts {
  file: string;
  bytes: number;
  gzip: boolean;
  dims: number[];
  voxelMm: number[];
  trSeconds: number | null;
  nVolumes: number;
  datatype: string;
  orientation: string;
  /** Bytes of one decoded volume as stored (what the stream pass holds per volume). */
  bytesPerVolume: number;
}

export interface RunFacts {
  bold: NiftiFacts | null;
  mask: NiftiFacts | null;
  events: { file: string; nTrials: number; nMissed: number } | null;
  confounds: { file: string; rows: number; columns: number } | null;
  /** RepetitionTime of the sidecar JSON, when one was given and has it. */
  jsonTr: number | null;
  problems: Problem[];
}

export interface ExtractOptions {
  /** ROI specs: built-in names, `brain`, NAME=sphere:X,Y,Z,R, NAME=mask.nii.gz, NAME=atlas.nii.gz:L+L. */
  rois: string[];
  /** The mask / atlas files the ROI specs name, by that path. */
  roiFiles?: BlobEntry[];
  estimator: Estimator;
  /** 'auto': motion6+wm+csf with a confounds TSV, motion6 with a motion .txt, none without. */
  preset: ConfoundPreset | 'auto';
  /** Kernel workers nested in this worker for the projection; 0 = project here (default). */
  poolSize?: number;
}

export type Phase = 'starting' | 'planning' | 'reading' | 'writing' | 'done';

export interface Progress {
  phase: Phase;
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left (ms) from the volume rate so far; null until a few volumes are read. */
  etaMs: number | null;
  /** Current size of the kernels' wasm memory (bytes). */
  wasmBytes: number;
}

export interface RoiSummary {
  name: string;
  voxels: number;
  source: string;
  /** Mean and SD over all trials × voxels of the patterns. */
  mean: number;
  sd: number;
  /** The first trials × voxels, row-major (`rows` × `cols`). */
  preview: { rows: number; cols: number; values: number[] };
}

export type Cell = number | string | null;

export interface ExtractResult {
  runId: string;
  bold: string;
  estimator: Estimator;
  preset: string;
  tr: number;
  nVolumes: number;
  nTrials: number;
  brainMask: 'file' | 'computed' | null;
  fit: { k: number | null; log_k: number | null; beta: number | null; n_ll: number; n_ss: number; n_missed: number; pseudo_r2: number | null; flags: string[] };
  rois: RoiSummary[];
  trialColumns: string[];
  trials: Cell[][];
  files: { name: string; blob: Blob }[];
  warnings: DdWarning[];
  seconds: number;
  passSeconds: number;
  memory: { wasmBytes: number; peakWasmBytes: number };
}

export interface DemoFiles {
  files: { path: string; blob: Blob }[];
  truth: DemoTruth;
  seconds: number;
}

const PREVIEW_ROWS = 6;
const PREVIEW_COLS = 8;
const PROGRESS_EVERY_MS = 100;

let wasmUrl: string | null = null;
let engine: Promise<KernelEngine> | null = null;
let engineReady: KernelEngine | null = null;
let peakWasm = 0;
const runs = new Map<string, AbortController>();

function getEngine(): Promise<KernelEngine> {
  if (!engine) {
    if (!wasmUrl) throw new DdError('WORKER_NOT_READY', 'The extract worker was used before init(); this is a bug in the page.');
    engine = loadKernelModule(wasmUrl).then((m) => (engineReady = createKernelEngine(m)));
    engine.catch(() => { engine = null; });
  }
  return engine;
}

function wasmBytes(e: KernelEngine | null): number {
  const n = e ? e.memory.buffer.byteLength : 0;
  if (n > peakWasm) peakWasm = n;
  return n;
}

function asProblem(e: unknown, file: string | null, severity: Problem['severity'] = 'error'): Problem {
  if (e instanceof DdError) return { code: e.code, file: e.file ?? file, message: e.message, severity };
  const msg = (e as Error)?.message ?? String(e);
  return { code: 'UNEXPECTED', file, message: `${file ? `${file}: ` : ''}${msg}`, severity };
}

/** Errors leave the worker as DdErrors (code, file, message); anything else is wrapped. */
function asDdError(e: unknown, file: string | null): DdError {
  if (e instanceof DdError) return e;
  const msg = (e as Error)?.message ?? String(e);
  return new DdError('UNEXPECTED', `${file ? `${file}: ` : ''}${msg}. Check that the file is complete and of the right kind; if it is, please report this.`, { file: file ?? undefined, cause: e });
}

function source(f: NamedBlob): ByteSource {
  return blobSource(f.blob, f.name);
}

async function readText(f: NamedBlob, what: string): Promise<TextFile> {
  try {
    return { file: f.name, text: await f.blob.text() };
  } catch (e) {
    throw new DdError('FILE_READ_FAILED', `${f.name}: cannot read the ${what} (${(e as Error).message}). Select the file again.`, { file: f.name, cause: e });
  }
}

async function niftiFacts(f: NamedBlob): Promise<{ facts: NiftiFacts; warnings: DdWarning[] }> {
  const o = await openNifti(source(f));
  const h = o.header;
  return {
    facts: {
      file: f.name, bytes: f.blob.size, gzip: o.gzip, dims: h.dims, voxelMm: [...h.voxelMm], trSeconds: h.trSeconds,
      nVolumes: h.nVolumes, datatype: h.datatype, orientation: orientationString(h.affine), bytesPerVolume: h.bytesPerVolume,
    },
    warnings: o.warnings,
  };
}

const api = {
  /** Remembers where the kernels are (the page's own wasm URL) and reports what this worker can do. */
  init(opts: { wasmUrl: string }) {
    wasmUrl = opts.wasmUrl;
    return { isolated: globalThis.crossOriginIsolated === true, decompressionStream: typeof DecompressionStream === 'function' };
  },

  /** Header facts and early problems of one run's files; never throws for bad input. */
  async inspect(files: Partial<RunFiles>): Promise<RunFacts> {
    const facts: RunFacts = { bold: null, mask: null, events: null, confounds: null, jsonTr: null, problems: [] };
    const warn = (ws: DdWarning[]) => facts.problems.push(...ws.map((w) => ({ code: w.code, file: w.file ?? null, message: w.message, severity: 'warning' as const })));
    if (files.bold) {
      try {
        const r = await niftiFacts(files.bold);
        facts.bold = r.facts;
        warn(r.warnings);
        if (r.facts.dims.length < 4 || r.facts.nVolumes < 2) {
          facts.problems.push({ code: 'NIFTI_NOT_4D', file: files.bold.name, severity: 'error', message: `${files.bold.name}: a BOLD run must be 4D with several volumes; this image is ${r.facts.dims.join('×')}. Select the preprocessed 4D BOLD file.` });
        }
      } catch (e) {
        facts.problems.push(asProblem(e, files.bold.name));
      }
    }
    if (files.mask) {
      try {
        const r = await niftiFacts(files.mask);
        facts.mask = r.facts;
        warn(r.warnings);
      } catch (e) {
        facts.problems.push(asProblem(e, files.mask.name));
      }
    }
    if (files.events) {
      try {
        const t = await readText(files.events, 'events file');
        const p = parseEvents(t.text, t.file);
        facts.events = { file: t.file, nTrials: p.trials.length, nMissed: p.trials.filter((x) => x.choice === null).length };
        warn(p.warnings);
      } catch (e) {
        facts.problems.push(asProblem(e, files.events.name));
      }
    }
    if (files.confounds) {
      try {
        const t = await readText(files.confounds, 'confounds file');
        const table = /\.tsv$/i.test(t.file) ? parseConfounds(t.text, t.file) : parseMotionText(t.text, t.file);
        facts.confounds = { file: t.file, rows: table.length, columns: table.columns.length };
        warn(table.warnings);
        if (facts.bold && table.length !== facts.bold.nVolumes) {
          facts.problems.push({ code: 'CONFOUNDS_LENGTH', file: t.file, severity: 'error', message: `${t.file}: ${table.length} rows but the BOLD run has ${facts.bold.nVolumes} volumes. Use the confounds file of this run.` });
        }
      } catch (e) {
        facts.problems.push(asProblem(e, files.confounds.name));
      }
    }
    if (files.boldJson) {
      try {
        const t = await readText(files.boldJson, 'BOLD JSON sidecar');
        const rt = JSON.parse(t.text).RepetitionTime;
        if (typeof rt === 'number' && rt > 0) facts.jsonTr = rt;
      } catch (e) {
        facts.problems.push(e instanceof SyntaxError
          ? { code: 'JSON_INVALID', file: files.boldJson.name, severity: 'error', message: `${files.boldJson.name}: not valid JSON (${e.message}). Fix or remove the file.` }
          : asProblem(e, files.boldJson.name));
      }
    }
    return facts;
  },

  /** The synthetic demo dataset (same generator and bytes before gzip as `ddmvpa demo`). */
  async demo(opts: { size: DemoSize; seed: number; subjects: number }): Promise<DemoFiles> {
    const t0 = performance.now();
    const sink = blobSink();
    const truth = await writeDemoDataset(sink, { subjects: opts.subjects, size: opts.size, seed: opts.seed });
    return { files: [...sink.files].map(([path, blob]) => ({ path, blob })), truth, seconds: (performance.now() - t0) / 1000 };
  },

  cancel(runId: string): boolean {
    const c = runs.get(runId);
    if (!c) return false;
    c.abort(new DdError('CANCELLED', 'Cancelled by the user.'));
    return true;
  },

  /** Size of the kernels' wasm memory now and at its largest (a shared memory never shrinks). */
  memory() {
    return { wasmBytes: wasmBytes(engineReady), peakWasmBytes: peakWasm };
  },

  async extract(runId: string, files: RunFiles, options: ExtractOptions, onProgress?: (p: Progress) => void): Promise<ExtractResult> {
    if (runs.size > 0) throw new DdError('RUN_BUSY', 'Another extraction is still running in this tab. Wait for it or cancel it first.');
    const controller = new AbortController();
    runs.set(runId, controller);
    const t0 = performance.now();
    let e: KernelEngine | null = null;
    let last = -Infinity;
    let passStart = NaN;
    let pool: Pool<KernelWorkerApi> | null = null;
    const report = (phase: Phase, done: number, total: number, force = false) => {
      const now = performance.now();
      if (!force && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      let etaMs: number | null = null;
      if (phase === 'reading' && done >= 3 && done < total && Number.isFinite(passStart)) {
        etaMs = ((now - passStart) / done) * (total - done);
      }
      try {
        const r = onProgress?.({ phase, done, total, elapsedMs: now - t0, etaMs, wasmBytes: wasmBytes(e) }) as unknown;
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(() => {});
      } catch { /* the page went away: keep going, cancel will come if wanted */ }
    };
    try {
      report('starting', 0, 0, true);
      e = await getEngine();
      const eng = e;
      if ((options.poolSize ?? 0) > 0) pool = await createBrowserKernelPool({ module: eng.module, memory: eng.memory, size: options.poolSize });
      report('planning', 0, 0, true);
      const [events, confounds, boldJson] = await Promise.all([
        readText(files.events, 'events file'),
        files.confounds ? readText(files.confounds, 'confounds file') : undefined,
        files.boldJson ? readText(files.boldJson, 'BOLD JSON sidecar') : undefined,
      ]);
      const result = await extractRun({
        bold: source(files.bold),
        events, confounds, boldJson,
        brainMask: files.mask ? source(files.mask) : undefined,
        preset: options.preset === 'auto' ? undefined : options.preset,
        estimator: options.estimator,
        rois: options.rois,
        loadImage: roiFileHost(options.roiFiles).loadImage,
        inflate: passInflater(files.bold.blob.size, eng.module),
        makeProjector: (spec) => yieldingProjector(wasmProjector(eng, pool, spec), spec.header.bytesPerVolume),
        onProgress: (done, total) => {
          if (!Number.isFinite(passStart)) passStart = performance.now();
          report('reading', done, total, done === total);
        },
        signal: controller.signal,
      });
      const passSeconds = (performance.now() - passStart) / 1000;
      report('writing', result.header.nVolumes, result.header.nVolumes, true);
      wasmBytes(eng);
      const n = result.trials.length;
      const rois: RoiSummary[] = [];
      for (const [name, data] of result.patterns) rois.push(summarise(name, data, n, result.indices.get(name)!.length, result.roiSources.get(name) ?? ''));
      const sink = blobSink();
      try {
        await writeExtractOutputs(sink, result);
      } finally {
        result.release();
      }
      const trials = result.trials.map((t) => {
        const row: Record<string, unknown> = { ...t, trial: t.index, flags: t.flags.join(',') || null };
        return TRIAL_COLUMNS.map((c) => (row[c] ?? null) as Cell);
      });
      const f = result.fit;
      const seconds = (performance.now() - t0) / 1000;
      report('done', result.header.nVolumes, result.header.nVolumes, true);
      return {
        runId, bold: files.bold.name, estimator: options.estimator,
        preset: options.preset === 'auto' ? (confounds ? (/\.tsv$/i.test(confounds.file) ? 'motion6+wm+csf' : 'motion6') : 'none') : options.preset,
        tr: result.tr, nVolumes: result.header.nVolumes, nTrials: n, brainMask: result.brainMaskSource,
        fit: { k: f.k, log_k: f.log_k, beta: f.beta, n_ll: f.n_ll, n_ss: f.n_ss, n_missed: f.n_missed, pseudo_r2: f.pseudo_r2, flags: [...f.flags] },
        rois, trialColumns: [...TRIAL_COLUMNS], trials,
        files: [...sink.files].map(([name, blob]) => ({ name, blob })),
        warnings: result.warnings, seconds, passSeconds,
        memory: { wasmBytes: wasmBytes(eng), peakWasmBytes: peakWasm },
      };
    } catch (err) {
      if (controller.signal.aborted) throw new DdError('CANCELLED', `${files.bold.name}: cancelled; nothing was written.`, { file: files.bold.name });
      throw asDdError(err, (err as DdError)?.file ?? files.bold.name);
    } finally {
      runs.delete(runId);
      await pool?.close();
    }
  },
};

export type ExtractWorkerApi = typeof api;

function summarise(name: string, data: Float32Array, n: number, V: number, source: string): RoiSummary {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i]!;
  const m = data.length ? s / data.length : NaN;
  let ss = 0;
  for (let i = 0; i < data.length; i++) ss += (data[i]! - m) ** 2;
  const sd = data.length > 1 ? Math.sqrt(ss / (data.length - 1)) : NaN;
  const rows = Math.min(PREVIEW_ROWS, n);
  const cols = Math.min(PREVIEW_COLS, V);
  const values: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) values.push(data[i * V + j]!);
  return { name, voxels: V, source, mean: m, sd, preview: { rows, cols, values } };
}

expose(api);
