/**
 * Memory budget of a run: what one subject needs (estimated from its BOLD headers and trial
 * counts, corrected by what finished subjects measured), and admission of subjects onto workers
 * so that the subjects running together never exceed the budget (back-pressure: the next subject
 * waits for memory, not only for a free worker).
 */
import type { Config } from './config.ts';
import { WHOLE_BRAIN_ROI } from './config.ts';

const MB = 1024 * 1024;

export interface SubjectSize {
  /** Per run: voxels and bytes of one volume, volumes, trials. */
  runs: { voxelsPerVolume: number; bytesPerVolume: number; nVolumes: number; nTrials: number }[];
}

/**
 * Peak bytes of one subject in a worker: the process itself (~120 MB: runtime, code, wasm),
 * gunzip buffers (~64 MB), held volumes (the EPI mask holds 20 when no mask file is given), the
 * projection block (16 volumes of the analysed voxels), the patterns (n × V f32, twice: the pass
 * and the cached copy) and decoding (one ROI as f64, twice, plus the n × n Gram matrix).
 * Analysed voxels: half the grid with the whole-brain ROI, else ~3 % (10 built-in ROIs on a
 * 2.2 mm grid: ~1.5 %).
 */
export function estimateSubjectBytes(size: SubjectSize, config: Config): number {
  const brain = config.rois.includes(WHOLE_BRAIN_ROI) || config.searchlight.enabled;
  let peak = 0;
  for (const r of size.runs) {
    const V = Math.ceil(r.voxelsPerVolume * (brain ? 0.5 : 0.03));
    const n = Math.max(1, r.nTrials);
    const pass = 64 * MB + (brain ? 22 : 2) * r.bytesPerVolume + 16 * V * 4 + 2 * n * V * 4;
    peak = Math.max(peak, pass);
  }
  const nAll = size.runs.reduce((a, r) => a + r.nTrials, 0);
  const vMax = Math.max(0, ...size.runs.map((r) => Math.ceil(r.voxelsPerVolume * (brain ? 0.5 : 0.03))));
  const decode = 2 * nAll * vMax * 8 + nAll * nAll * 8 + nAll * vMax * 4 * size.runs.length;
  return 120 * MB + Math.max(peak, decode);
}

/** Peak bytes of one decoding on a worker (ROI × target shard): the process and one ROI's data. */
export function estimateCellBytes(size: SubjectSize, config: Config): number {
  const brain = config.rois.includes(WHOLE_BRAIN_ROI) || config.searchlight.enabled;
  const nAll = size.runs.reduce((a, r) => a + r.nTrials, 0);
  const vMax = Math.max(0, ...size.runs.map((r) => Math.ceil(r.voxelsPerVolume * (brain ? 0.5 : 0.03))));
  return 120 * MB + 3 * nAll * vMax * 8 + nAll * nAll * 8;
}

export interface BudgetOptions {
  slots: number;
  /** null: no memory limit. */
  budgetBytes: number | null;
  /** Called when a job needs more than the whole budget (it then runs alone). */
  onOverBudget?(label: string, need: number): void;
}

/**
 * Admission of tasks: at most `slots` in flight and the sum of their needs within the budget
 * (back-pressure: a task waits for memory as well as for a slot); a task bigger than the whole
 * budget runs alone. First come, first served. `raise(ratio)` scales the needs of tasks not yet
 * started (measured peak / estimate of a finished task; up only).
 */
export class BudgetQueue {
  private readonly opts: BudgetOptions;
  private readonly waiting: { need: number; label: string; start: () => void }[] = [];
  private inFlight = 0;
  private used = 0;
  private scale = 1;

  constructor(opts: BudgetOptions) {
    this.opts = opts;
  }

  submit<T>(need: number, run: () => Promise<T>, label = ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        need, label,
        start: () => {
          const scaled = need * this.scale;
          this.inFlight++;
          this.used += scaled;
          run().then(resolve, reject).finally(() => {
            this.inFlight--;
            this.used -= scaled;
            this.pump();
          });
        },
      });
      this.pump();
    });
  }

  raise(ratio: number): void {
    if (Number.isFinite(ratio) && ratio > this.scale) this.scale = ratio;
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < this.opts.slots) {
      const next = this.waiting[0]!;
      const need = next.need * this.scale;
      const fits = this.opts.budgetBytes === null || this.used + need <= this.opts.budgetBytes;
      if (!fits && this.inFlight > 0) return;
      if (!fits) this.opts.onOverBudget?.(next.label, need);
      this.waiting.shift();
      next.start();
    }
  }
}

/**
 * Runs `jobs` with at most `slots` in flight and the sum of their `need` within the budget; a job
 * bigger than the budget runs alone. `afterEach(i, result)` may return the ratio measured /
 * estimated of job i, which then scales the needs of the jobs not yet started (up only).
 * Results in job order; the first failure rejects.
 */
export async function runWithinBudget<T>(
  jobs: { need: number; run: () => Promise<T> }[],
  opts: Omit<BudgetOptions, 'onOverBudget'> & { onOverBudget?(index: number, need: number): void },
  afterEach?: (index: number, result: T) => number | void,
): Promise<T[]> {
  const q = new BudgetQueue({ ...opts, onOverBudget: (label, need) => opts.onOverBudget?.(Number(label), need) });
  return Promise.all(jobs.map((j, i) => q.submit(j.need, async () => {
    const r = await j.run();
    const ratio = afterEach?.(i, r);
    if (typeof ratio === 'number') q.raise(ratio);
    return r;
  }, String(i))));
}
