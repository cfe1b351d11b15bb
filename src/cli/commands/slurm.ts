/**
 * `ddmvpa slurm --bids DIR --out DIR [run options] [--partition P] [--account A]
 * [--cpus-per-task N] [--submit] [--json]`
 *
 * Writes OUT/slurm/array.sbatch (one subject per array task, resources sized from the data) and
 * OUT/slurm/group.sbatch (afterok: merges the per-subject results into OUT/results.json with group
 * statistics). With --submit, submits both and prints the job ids. Subjects whose result already
 * exists for the same configuration are not submitted again; the tasks share one cache folder
 * (OUT/cache unless --cache-dir), so a rerun reuses every finished stage.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { DdError } from '../../core/errors.ts';
import { configHash } from '../../core/pipeline/config.ts';
import { estimateSubjectBytes } from '../../core/pipeline/memory.ts';
import { planPipeline } from '../../core/pipeline/runner.ts';
import { fileOf, readRunFacts } from '../../core/pipeline/stages.ts';
import type { Results } from '../../core/pipeline/results.ts';
import { dirSink } from '../../platform/node/dir-sink.ts';
import { flag, has, numberFlag, requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';
import { arrayScript, groupScript, type SlurmPlan } from '../slurm-script.ts';
import { configFromArgs, datasetFiles, nodeHost, subjectPartFile } from './run.ts';

const MB = 1024 * 1024;
/** Flags of this command that are not `ddmvpa run` options. */
const OWN = new Set(['partition', 'account', 'cpus-per-task', 'submit', 'json', 'out', 'time-factor']);
/** Flags whose values are paths (made absolute: the tasks run in --chdir, maybe elsewhere). */
const PATHS = new Set(['bids', 'derivatives', 'config', 'cache-dir']);
/**
 * Seconds per subject, measured here (bench/RESULTS.md): ~7 ms per MB of .nii.gz for the streamed
 * pass and ~0.6 ms per permutation fit per ROI × target, plus start-up. Multiplied by a safety
 * factor (default 3) because cluster nodes and file systems are slower than a laptop's SSD.
 */
function estimateSeconds(boldBytes: number, cells: number, permutations: number): number {
  return 30 + (boldBytes / MB) * 0.007 + cells * (permutations + 1) * 5 * 0.0006;
}

export async function slurm(args: Args): Promise<CommandResult> {
  const bids = resolve(requireFlag(args, 'bids', 'the BIDS dataset folder'));
  const out = resolve(requireFlag(args, 'out', 'the output folder (shared by every task; results.json goes there)'));
  const config = await configFromArgs(args);
  const cpus = numberFlag(args, 'cpus-per-task', 2);
  const factor = numberFlag(args, 'time-factor', 3);
  if (!Number.isInteger(cpus) || cpus < 1) throw new DdError('ARGS_BAD_VALUE', `--cpus-per-task must be a whole number ≥ 1, got ${cpus}.`);

  const runArgs: string[] = [];
  for (const [name, values] of args.flags) {
    if (OWN.has(name)) continue;
    if (name === 'no-cache') { runArgs.push('--no-cache'); continue; }
    runArgs.push(`--${name}`, ...values.map((v) => (PATHS.has(name) ? resolve(v) : v)));
  }
  if (!has(args, 'cache-dir') && !has(args, 'no-cache')) runArgs.push('--cache-dir', join(out, 'cache'));

  // Discovery and sizing from the headers (cheap reads).
  const files = await datasetFiles(bids, flag(args, 'derivatives'), [out]);
  const host = await nodeHost({ files, cacheDir: null });
  const plan = planPipeline([...files.keys()], config);
  let needBytes = 0, worstSeconds = 0;
  for (const job of plan.jobs) {
    const runs = [];
    let boldBytes = 0;
    for (const r of job.runs.filter((x) => x.events)) {
      try {
        const f = await readRunFacts(host, r);
        const events = await fileOf(host, r.events!).text();
        runs.push({ voxelsPerVolume: f.voxelsPerVolume, bytesPerVolume: f.bytesPerVolume, nVolumes: f.nVolumes, nTrials: Math.max(0, events.trim().split('\n').length - 1) });
        boldBytes += fileOf(host, r.bold).size;
      } catch { /* a broken subject fails fast in its task and is reported there */ }
    }
    needBytes = Math.max(needBytes, estimateSubjectBytes({ runs }, config));
    worstSeconds = Math.max(worstSeconds, estimateSeconds(boldBytes, config.rois.length * config.decoding.targets.length, config.decoding.permutations));
  }

  // Finished subjects (a result for this configuration) are not submitted again; their measured
  // times refine the time limit.
  const hash = configHash(config);
  const indices: number[] = [];
  const finished: string[] = [];
  for (const [i, job] of plan.jobs.entries()) {
    try {
      const part = JSON.parse(await readFile(join(out, subjectPartFile(job.subject)), 'utf8')) as Results;
      if (part.provenance.config_hash === hash) {
        finished.push(job.subject);
        worstSeconds = Math.max(worstSeconds, part.provenance.timings.total_s);
        continue;
      }
    } catch { /* not finished */ }
    indices.push(i);
  }

  const bin = fileURLToPath(new URL('../../../bin/ddmvpa.mjs', import.meta.url));
  const p: SlurmPlan = {
    node: process.execPath, bin, workdir: process.cwd(), out, indices, runArgs,
    cpusPerTask: cpus, memMb: Math.ceil((needBytes * 1.25) / MB) + 256, timeS: Math.max(600, worstSeconds * factor),
    partition: flag(args, 'partition'), account: flag(args, 'account'), jobName: 'ddmvpa',
  };
  const sink = dirSink(out);
  const arrayPath = join(out, 'slurm', 'array.sbatch');
  const groupPath = join(out, 'slurm', 'group.sbatch');
  await sink.write('slurm/array.sbatch', arrayScript(p));
  await sink.write('slurm/group.sbatch', groupScript(p));
  await sink.write('slurm/logs/.keep', '');

  let arrayJob: string | null = null, groupJob: string | null = null;
  if (has(args, 'submit')) {
    const sbatch = (argv: string[]) => {
      try {
        return execFileSync('sbatch', ['--parsable', ...argv], { encoding: 'utf8' }).trim().split(';')[0]!;
      } catch (e) {
        throw new DdError('SLURM_SUBMIT_FAILED', `sbatch failed (${(e as Error).message.split('\n')[0]}). Check that SLURM is reachable (sinfo) and the scripts in ${join(out, 'slurm')}.`, { cause: e });
      }
    };
    if (indices.length > 0) arrayJob = sbatch([arrayPath]);
    groupJob = sbatch([...(arrayJob ? [`--dependency=afterok:${arrayJob}`] : []), groupPath]);
  }
  const subjects = plan.jobs.map((j) => j.subject);
  const todo = indices.map((i) => subjects[i]!);
  return {
    json: {
      out, subjects, to_run: todo, finished, array_script: arrayPath, group_script: groupPath,
      resources: { cpus_per_task: p.cpusPerTask, mem_mb: p.memMb, time_s: Math.ceil(p.timeS) },
      array_job: arrayJob, group_job: groupJob,
    },
    text: [
      `${subjects.length} subject(s): ${todo.length} to run${finished.length ? `, ${finished.length} already finished` : ''}`,
      `  ${arrayPath} (one subject per task: ${p.cpusPerTask} CPU, ${p.memMb} MB, time ${Math.ceil(p.timeS)} s each)`,
      `  ${groupPath} (after every task: merges into ${join(out, 'results.json')})`,
      arrayJob || groupJob ? `submitted: array job ${arrayJob ?? '(none needed)'}, group job ${groupJob}` : '  submit with --submit, or: sbatch the array script, then the group script with --dependency=afterok:<array job id>',
    ].join('\n'),
  };
}
