/**
 * A SubjectExecutor over a fixed set of workers (Node worker processes, browser Web Workers):
 * each worker runs one task at a time (a subject up to its decodings, or one ROI × target
 * decoding); a task waits for an idle worker. A worker that dies (out of memory, crashed) fails
 * its task as a reported error of that subject or decoding, never the run; the host replaces
 * the worker behind its TaskRunner.
 *
 * Admission within the memory budget is the runner's (BudgetQueue); this module only places
 * admitted tasks on workers.
 */
import { DdError } from '../errors.ts';
import { emptyStats } from './graph.ts';
import type { CellResult, DecodeCellJob, PreparedSubject, SubjectExecutor, SubjectJob } from './runner.ts';
import { decodeError, type ProgressEvent } from './stages.ts';

/** A task for a worker: a subject up to its decodings, or one decoding. */
export type Task =
  | { kind: 'prepare'; job: SubjectJob; decode: boolean }
  | { kind: 'cell'; cell: DecodeCellJob };
export type TaskResult = PreparedSubject | CellResult;

/** One worker as the executor sees it. */
export interface TaskRunner {
  /** Runs the task; rejects with DdError WORKER_DIED when the worker died meanwhile. */
  run(task: Task, onProgress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<TaskResult>;
}

export interface PooledExecutorOptions {
  runners: TaskRunner[];
  budgetBytes: number | null;
  /** Whether every worker sees the same cache (decodings may then run on any worker). */
  sharedCache: boolean;
  /** What to suggest when a worker died (host-specific: lower --jobs, close tabs, …). */
  diedHint: string;
  close(): Promise<void>;
}

export function taskLabel(t: Task): string {
  return t.kind === 'prepare' ? `sub-${t.job.subject}` : `sub-${t.cell.job.subject} ${t.cell.cell.roi}/${t.cell.cell.target}`;
}

/** The result of a task whose worker died: the subject (or the decoding) failed with `message`. */
export function deadWorkerResult(task: Task, message: string): TaskResult {
  const error = new DdError('WORKER_DIED', message);
  if (task.kind === 'cell') return { entry: decodeError(error), stats: emptyStats(), cache: { corrupt: 0, evictions: 0, writeFailures: 0, disabled: null }, peakBytes: null };
  const subject = task.job.subject;
  return {
    outcome: {
      id: subject, runs: [], behavior: null, trials: null, decoding: [], geometry: [], searchlight: [], warnings: [], failed: true, inputs: [], stats: emptyStats(), decodeKeys: {},
      errors: [{ subject, stage: 'extract', roi: null, target: null, code: error.code, message, file: null }],
      cache: { corrupt: 0, evictions: 0, writeFailures: 0, disabled: null }, peakBytes: null,
    },
    cells: [],
    behaviorKey: '',
    geometry: [],
    searchlight: [],
  };
}

export function pooledExecutor(opts: PooledExecutorOptions): SubjectExecutor & { close(): Promise<void> } {
  const idle = [...opts.runners];
  const waiting: ((r: TaskRunner) => void)[] = [];
  const acquire = () => new Promise<TaskRunner>((res) => {
    const r = idle.shift();
    if (r) res(r); else waiting.push(res);
  });
  const release = (r: TaskRunner) => {
    const next = waiting.shift();
    if (next) next(r); else idle.push(r);
  };
  const submit = async (task: Task, onProgress: (e: ProgressEvent) => void, signal?: AbortSignal): Promise<TaskResult> => {
    const r = await acquire();
    try {
      return await r.run(task, onProgress, signal);
    } catch (e) {
      if (e instanceof DdError && e.code === 'WORKER_DIED' && !signal?.aborted) {
        return deadWorkerResult(task, `${e.message} (while working on ${taskLabel(task)}). ${opts.diedHint}`);
      }
      throw e;
    } finally {
      release(r);
    }
  };
  return {
    slots: opts.runners.length,
    budgetBytes: opts.budgetBytes,
    sharedCache: opts.sharedCache,
    prepare: async (job, decode, onProgress, signal) => (await submit({ kind: 'prepare', job, decode }, onProgress, signal)) as PreparedSubject,
    decodeCell: async (cell, onProgress, signal) => (await submit({ kind: 'cell', cell }, onProgress, signal)) as CellResult,
    close: opts.close,
  };
}
