/**
 * One analysis run in the pipeline worker, as reactive state for the page: per-subject progress,
 * elapsed time, an ETA for the whole run, cancel, the results or the error.
 *
 * Subjects may run side by side (subject workers): the worker says when each one finishes.
 * ETA: for each running subject its own estimate (from the runner's progress events) or the
 * mean time of the subjects already done minus its time so far, plus the mean time for each
 * subject still waiting; the sum shared among the workers.
 */
import { DdError } from '../core/errors.ts';
import type { BlobEntry } from '../core/pipeline/blob-host.ts';
import type { Config } from '../core/pipeline/config.ts';
import type { PipelineClient, PipelineRunOptions, PipelineRunResult, PipelineStats, RunEvent, RunningPipeline } from '../platform/browser/pipeline-client.ts';

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
    this.#ownEta.clear();
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

  #onProgress(e: RunEvent): void {
    if (!e.subject) return;
    const now = performance.now();
    if (!this.#started.has(e.subject)) this.#started.set(e.subject, now);
    const next = { ...this.progress };
    if (e.stage === 'subject-done') {
      this.#finished.set(e.subject, now);
      next[e.subject] = { stage: 'decode', done: 1, total: 1, state: 'done' };
    } else if (!this.#finished.has(e.subject)) {
      next[e.subject] = { stage: e.stage, done: e.done, total: e.total, state: 'running' };
      if (e.stage === 'decode' && e.eta_s !== null) this.#ownEta.set(e.subject, e.eta_s);
    }
    this.progress = next;
    this.etaS = this.#eta(now);
  }

  #ownEta = new Map<string, number>();

  /** Seconds left for the whole run, or null before there is anything to go on. */
  #eta(now: number): number | null {
    const doneTimes = [...this.#finished].map(([s, t]) => (t - this.#started.get(s)!) / 1000);
    const running = [...this.#started.keys()].filter((s) => !this.#finished.has(s));
    const waiting = this.subjects.length - this.#started.size;
    let perSubject = doneTimes.length ? doneTimes.reduce((a, b) => a + b, 0) / doneTimes.length : null;
    if (perSubject === null) {
      // Before any subject is done: project from how far the running ones are.
      const projected = running.map((s) => {
        const p = this.progress[s]!;
        const share = p.stage === 'decode' ? 0.5 + 0.5 * (p.total ? p.done / p.total : 0) : p.stage === 'extract' ? 0.5 * (p.total ? p.done / p.total : 0) : 0.05;
        return share > 0.1 ? (now - this.#started.get(s)!) / 1000 / share : null;
      }).filter((x) => x !== null);
      if (projected.length === 0) return null;
      perSubject = projected.reduce((a, b) => a + b, 0) / projected.length;
    }
    let left = waiting * perSubject;
    for (const s of running) {
      const own = this.#ownEta.get(s);
      left += own ?? Math.max(0, perSubject - (now - this.#started.get(s)!) / 1000);
    }
    const workers = Math.max(1, Math.min(this.stats?.workers ?? 1, this.subjects.length));
    return left / workers;
  }
}
