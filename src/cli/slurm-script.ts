/**
 * The two sbatch scripts of a cluster run: an array job (one subject per task, `ddmvpa run
 * --subject-index $SLURM_ARRAY_TASK_ID`) and a group job (`ddmvpa group`) that starts after every
 * task succeeded (afterok). Pure text, so tests can read exactly what is submitted.
 */
export interface SlurmPlan {
  /** Absolute paths. */
  node: string;
  bin: string;
  workdir: string;
  out: string;
  /** Array indices still to run (subjects without a finished result). */
  indices: number[];
  /** Arguments of `ddmvpa run` (already absolute, without --out/--subject-index/--jobs). */
  runArgs: string[];
  cpusPerTask: number;
  memMb: number;
  timeS: number;
  partition?: string;
  account?: string;
  jobName: string;
}

/** POSIX shell quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** SLURM time limit D-HH:MM:SS (or HH:MM:SS). */
export function slurmTime(seconds: number): string {
  const s = Math.max(60, Math.ceil(seconds));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const hms = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}`;
  return d > 0 ? `${d}-${hms}` : hms;
}

/** Compact array spec: 0-3,5,7-8. */
export function arraySpec(indices: number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function header(p: SlurmPlan, name: string, extra: string[]): string[] {
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${name}`,
    `#SBATCH --chdir=${shellQuote(p.workdir)}`,
    ...(p.partition ? [`#SBATCH --partition=${p.partition}`] : []),
    ...(p.account ? [`#SBATCH --account=${p.account}`] : []),
    ...extra,
    '',
    'set -euo pipefail',
  ];
}

export function arrayScript(p: SlurmPlan): string {
  const q = (a: string[]) => a.map(shellQuote).join(' ');
  return [
    ...header(p, p.jobName, [
      `#SBATCH --array=${arraySpec(p.indices)}`,
      `#SBATCH --cpus-per-task=${p.cpusPerTask}`,
      `#SBATCH --mem=${p.memMb}M`,
      `#SBATCH --time=${slurmTime(p.timeS)}`,
      `#SBATCH --output=${shellQuote(`${p.out}/slurm/logs/%A_%a.out`)}`,
    ]),
    '# One subject per task; a failing subject is recorded in its result (the task still succeeds).',
    `exec ${q([p.node, p.bin, 'run', ...p.runArgs, '--out', p.out])} --subject-index "$SLURM_ARRAY_TASK_ID" --jobs "\${SLURM_CPUS_PER_TASK:-1}"`,
    '',
  ].join('\n');
}

export function groupScript(p: SlurmPlan): string {
  return [
    ...header(p, `${p.jobName}-group`, [
      '#SBATCH --cpus-per-task=1',
      '#SBATCH --mem=1024M',
      '#SBATCH --time=00:30:00',
      `#SBATCH --output=${shellQuote(`${p.out}/slurm/logs/group_%j.out`)}`,
    ]),
    `exec ${[p.node, p.bin, 'group', '--out', p.out].map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}
