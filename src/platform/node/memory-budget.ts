/**
 * How much memory this host lets a run use: physical memory, the cgroup limit of the container
 * or SLURM job (v2 `memory.max`, v1 `memory.limit_in_bytes`), and `--memory-budget MB`.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

export interface HostMemory {
  totalBytes: number;
  /** The cgroup limit, or null when unlimited / not in a cgroup. */
  cgroupBytes: number | null;
  /** What the run may use: the explicit budget, else 80 % of min(total, cgroup). */
  budgetBytes: number;
  source: 'flag' | 'cgroup' | 'total';
}

const MB = 1024 * 1024;

/** The cgroup memory limit (v2, then v1), or null. `root` is for tests. */
export function readCgroupLimit(root = '/sys/fs/cgroup'): number | null {
  for (const f of [`${root}/memory.max`, `${root}/memory/memory.limit_in_bytes`]) {
    let text: string;
    try { text = readFileSync(f, 'utf8').trim(); } catch { continue; }
    if (text === 'max') return null;
    const v = Number(text);
    // cgroup v1 reports "unlimited" as a huge number near 2^63.
    if (Number.isFinite(v) && v > 0 && v < 2 ** 60) return v;
    return null;
  }
  return null;
}

export function hostMemory(opts: { budgetMb?: number; cgroupRoot?: string } = {}): HostMemory {
  const totalBytes = totalmem();
  const cgroupBytes = readCgroupLimit(opts.cgroupRoot);
  if (opts.budgetMb !== undefined) return { totalBytes, cgroupBytes, budgetBytes: Math.round(opts.budgetMb * MB), source: 'flag' };
  const limit = cgroupBytes !== null && cgroupBytes < totalBytes ? cgroupBytes : totalBytes;
  return { totalBytes, cgroupBytes, budgetBytes: Math.floor(limit * 0.8), source: cgroupBytes !== null && cgroupBytes < totalBytes ? 'cgroup' : 'total' };
}

/** Peak resident set size of this process so far, in bytes. */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}
