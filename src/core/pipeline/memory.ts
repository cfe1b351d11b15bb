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
  const brain = config.rois.includes(WHOLE_BRAIN_ROI);
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

export interface BudgetOptions {
  slots: number;
  /** null: no memory limit. */
  budgetBytes: number | null;
  /** Called when a job needs more than the whole budget (it then runs alone). */
  onOverBudget?(index: number, need: number): void;
}

/**
 * Runs `jobs` (in order) with at most `slots` in flight and the sum of their `need` within the
 * budget; a job bigger than the budget runs alone. `afterEach(i, result)` may return the ratio
 * measured / estimated of job i, which then scales the needs of the jobs not yet started (up only).
 * Results in job order.
 */
export async function runWithinBudget<T>(
  jobs: { need: number; run: () => Promise<T> }[],
  opts: BudgetOptions,
  afterEach?: (index: number, result: T) => number | void,
): Promise<T[]> {
  const results = new Array<T>(jobs.length);
  let next = 0;
  let inFlight = 0;
  let used = 0;
  let scale = 1;
  let failed: unknown = null;
  return new Promise<T[]>((resolve, reject) => {
    const pump = () => {
      if (failed !== null) return;
      if (next >= jobs.length && inFlight === 0) return resolve(results);
      while (next < jobs.length && inFlight < opts.slots) {
        const need = jobs[next]!.need * scale;
        const fits = opts.budgetBytes === null || used + need <= opts.budgetBytes;
        if (!fits && inFlight > 0) break; // back-pressure: wait for memory
        if (!fits) opts.onOverBudget?.(next, need);
        const i = next++;
        inFlight++;
        used += need;
        jobs[i]!.run().then((r) => {
          results[i] = r;
          inFlight--;
          used -= need;
          const ratio = afterEach?.(i, r);
          if (typeof ratio === 'number' && Number.isFinite(ratio) && ratio > scale) scale = ratio;
          pump();
        }, (e) => {
          failed = e;
          reject(e);
        });
      }
    };
    pump();
  });
}
