/**
 * One analysis run in the pipeline worker, as reactive state for the page: per-subject progress,
 * elapsed time, an ETA for the whole run, cancel, the results or the error.
 *
 * ETA: the running subject's own estimate (from the runner's progress events) plus, for each
 * subject still waiting, the mean time of the subjects already done (or, before any is done,
 * the running subject's projected total).
 */
import { DdError } from '../core/errors.ts';
import type { BlobEntry } from '../core/pipeline/blob-host.ts';
import type { Config } from '../core/pipeline/config.ts';
import type { ProgressEvent } from '../core/pipeline/stages.ts';
import type { PipelineRunOptions } from '../workers/pipeline-worker.ts';
import type { PipelineClient, PipelineRunResult, PipelineStats, RunningPipeline } from '../platform/browser/pipeline-client.ts';

export interface SubjectProgress {
  stage: string;
  done: number;
  total: number;
  state: 'waiting' | 'running' | 'done';
}

export class PipelineRun {
  subjects = $state.raw<string[]>([]);
  progress = $state.raw<Record<string, SubjectProgress>>({});
  elapsedS = $state(0);
  etaS = $state<number | null>(null);
  running = $state(false);
  cancelling = $state(false);
  result = $state.raw<PipelineRunResult | null>(null);
  error = $state.raw<{ code: string; message: string; file: string | null } | null>(null);
  cancelled = $state(false);
  /** Memory and cache facts of the worker, polled once a second while running. */
  stats = $state.raw<PipelineStats | null>(null);

  #handle: RunningPipeline | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #t0 = 0;
  #started = new Map<string, number>();
  #finished = new Map<string, number>();

  private client: PipelineClient;

  constructor(client: PipelineClient) {
    this.client = client;
  }

  async start(files: BlobEntry[], config: Config, subjects: string[], opts: PipelineRunOptions = {}): Promise<PipelineRunResult | null> {
    if (this.running) return null;
    this.subjects = subjects;
    this.progress = {};
    this.result = null;
    this.error = null;
    this.cancelled = false;
    this.cancelling = false;
    this.etaS = null;
    this.elapsedS = 0;
    this.#started.clear();
    this.#finished.clear();
    this.#t0 = performance.now();
    this.running = true;
    this.stats = null;
    let tick = 0;
    this.#timer = setInterval(() => {
      this.elapsedS = (performance.now() - this.#t0) / 1000;
      if (++tick % 4 === 0) void this.#pollStats();
    }, 250);
    this.#handle = this.client.run(files, config, opts, (e) => this.#onProgress(e));
    try {
      const r = await this.#handle.result;
      const done: Record<string, SubjectProgress> = {};
      for (const s of this.subjects) done[s] = { stage: 'decode', done: 1, total: 1, state: 'done' };
      this.progress = done;
      this.result = r;
      return r;
    } catch (e) {
      const err = e as DdError;
      if (err?.code === 'RUN_CANCELLED') this.cancelled = true;
      else this.error = { code: typeof err?.code === 'string' ? err.code : 'UNEXPECTED', message: err?.message ?? String(e), file: err?.file ?? null };
      return null;
    } finally {
      if (this.#timer) clearInterval(this.#timer);
      const last = await this.client.stats().catch(() => null);
      if (last) this.stats = last;
      this.elapsedS = (performance.now() - this.#t0) / 1000;
      this.etaS = null;
      this.running = false;
      this.cancelling = false;
      this.#handle = null;
    }
  }

  async #pollStats(): Promise<void> {
    const s = await this.client.stats();
    if (!s) return;
    if (this.running) this.stats = s;
  }

  async cancel(): Promise<void> {
    if (!this.#handle) return;
    this.cancelling = true;
    await this.#handle.cancel().catch(() => {});
  }

  #onProgress(e: ProgressEvent): void {
    if (!e.subject) return;
    const now = performance.now();
    if (!this.#started.has(e.subject)) {
      // A new subject started: the ones before it in the list are done.
      for (const s of this.subjects) {
        if (s === e.subject) break;
        if (this.#started.has(s) && !this.#finished.has(s)) this.#finished.set(s, now);
      }
      this.#started.set(e.subject, now);
    }
    const next = { ...this.progress };
    for (const s of this.#finished.keys()) next[s] = { stage: 'decode', done: 1, total: 1, state: 'done' };
    next[e.subject] = { stage: e.stage, done: e.done, total: e.total, state: 'running' };
    this.progress = next;
    // ETA for the whole run.
    const doneTimes = [...this.#finished].map(([s, t]) => t - this.#started.get(s)!);
    const waiting = this.subjects.filter((s) => !this.#started.has(s)).length;
    const runningFor = (now - this.#started.get(e.subject)!) / 1000;
    const stageShare = e.stage === 'decode' ? 0.5 + 0.5 * (e.total ? e.done / e.total : 0) : e.stage === 'extract' ? 0.5 * (e.total ? e.done / e.total : 0) : 0.05;
    const perSubject = doneTimes.length ? doneTimes.reduce((a, b) => a + b, 0) / doneTimes.length / 1000 : stageShare > 0.1 ? runningFor / stageShare : null;
    const own = e.eta_s !== null && e.stage === 'decode' ? e.eta_s : perSubject !== null ? Math.max(0, perSubject - runningFor) : null;
    this.etaS = own === null || perSubject === null ? null : own + waiting * perSubject;
  }
}
