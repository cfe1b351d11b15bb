/**
 * Cluster mode against a real SLURM (a one-node cluster on localhost: `bash .ci/slurm.sh start`;
 * `npm run test:slurm` starts and stops it). A 4-subject demo goes through `ddmvpa slurm
 * --submit`; the merged results.json must equal a local `ddmvpa run` on the same data and seed
 * (apart from timings and cache counts). Faults: a corrupt subject is reported while the others
 * complete; a task cancelled mid-run is the only one submitted again, and reuses its cached stages.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-slurm-'));
const data = join(tmp, 'data');
const RUN = ['--permutations', '100', '--roi', 'vmpfc', 'pcc', '--seed', '5'];

function ddmvpa(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/ddmvpa.mjs', ...args], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`ddmvpa ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });
const queued = () => sh('squeue', ['-h', '-o', '%i %T']).trim().split('\n').filter(Boolean);

async function waitIdle(timeoutS = 240): Promise<void> {
  const t0 = Date.now();
  while (queued().length > 0) {
    if (Date.now() - t0 > timeoutS * 1000) throw new Error(`SLURM jobs still queued after ${timeoutS} s: ${queued().join('; ')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const comparable = (file: string) => {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  delete r.provenance.timings;
  delete r.provenance.cache;
  return r;
};

beforeAll(() => {
  expect(spawnSync('sinfo', ['-h']).status, 'SLURM is not running: `bash .ci/slurm.sh install && bash .ci/slurm.sh start`').toBe(0);
  ddmvpa('demo', '--out', data, '--size', 'small', '--subjects', '4', '--seed', '11');
}, 300_000);

describe('ddmvpa slurm on a real SLURM', () => {
  it('array + afterok group job give the same results.json as a local run', async () => {
    const out = join(tmp, 'cluster');
    const sub = JSON.parse(ddmvpa('slurm', '--bids', data, '--out', out, ...RUN, '--submit', '--json'));
    expect(sub.to_run).toEqual(['01', '02', '03', '04']);
    expect(sub.array_job).toMatch(/^\d+$/);
    expect(sub.group_job).toMatch(/^\d+$/);
    const script = readFileSync(sub.array_script, 'utf8');
    expect(script).toMatch(/#SBATCH --array=0-3/);
    expect(script).toMatch(/#SBATCH --mem=\d+M/);
    expect(script).toMatch(/--subject-index "\$SLURM_ARRAY_TASK_ID"/);
    await waitIdle();
    expect(existsSync(join(out, 'results.json')), readdirSync(join(out, 'slurm', 'logs')).join(',')).toBe(true);

    const local = join(tmp, 'local');
    ddmvpa('run', '--bids', data, '--out', local, ...RUN, '--no-cache');
    expect(comparable(join(out, 'results.json'))).toEqual(comparable(join(local, 'results.json')));

    // Nothing left to run: a second --submit only re-merges.
    const again = JSON.parse(ddmvpa('slurm', '--bids', data, '--out', out, ...RUN, '--submit', '--json'));
    expect(again.to_run).toEqual([]);
    expect(again.array_job).toBeNull();
    await waitIdle();
  }, 600_000);

  it('a corrupt subject is reported by the group job while the others complete', async () => {
    const broken = join(tmp, 'broken');
    cpSync(data, broken, { recursive: true });
    const bold = join(broken, 'derivatives/fmriprep/sub-02/func/sub-02_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz');
    truncateSync(bold, Math.floor(statSync(bold).size / 3));
    const out = join(tmp, 'broken-out');
    ddmvpa('slurm', '--bids', broken, '--out', out, ...RUN, '--submit', '--json');
    await waitIdle();
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(r.subjects.map((s: { id: string }) => s.id)).toEqual(['01', '02', '03', '04']);
    expect(r.errors.some((e: { subject: string; code: string }) => e.subject === '02' && /NIFTI_/.test(e.code))).toBe(true);
    for (const id of ['01', '03', '04']) expect(r.subjects.find((s: { id: string }) => s.id === id).decoding.length).toBe(4);
    expect(r.group[0].n).toBe(3);
  }, 600_000);

  it('after scancel of a running task, --submit again runs only the missing subject and reuses its cache', async () => {
    const out = join(tmp, 'cancelled');
    // 2 CPUs per task on this 2-CPU node: the tasks run one after the other.
    const sub = JSON.parse(ddmvpa('slurm', '--bids', data, '--out', out, ...RUN, '--permutations', '600', '--cpus-per-task', '2', '--submit', '--json'));
    const last = `${sub.array_job}_3`;
    const log = join(out, 'slurm', 'logs', `${sub.array_job}_3.out`);
    const t0 = Date.now();
    // Cancel task 3 once it has extracted its patterns (its log shows the decode stage).
    while (!(existsSync(log) && /decode/.test(readFileSync(log, 'utf8')))) {
      if (Date.now() - t0 > 240_000) throw new Error('task 3 never reached the decode stage');
      await new Promise((r) => setTimeout(r, 200));
    }
    sh('scancel', [last]);
    await waitIdle();
    expect(readdirSync(join(out, 'subjects')).sort()).toEqual(['sub-01.json', 'sub-02.json', 'sub-03.json']);
    expect(existsSync(join(out, 'results.json'))).toBe(false); // the afterok group job never ran

    const again = JSON.parse(ddmvpa('slurm', '--bids', data, '--out', out, ...RUN, '--permutations', '600', '--cpus-per-task', '2', '--submit', '--json'));
    expect(again.to_run).toEqual(['04']);
    expect(again.finished).toEqual(['01', '02', '03']);
    await waitIdle();
    const part = JSON.parse(readFileSync(join(out, 'subjects', 'sub-04.json'), 'utf8'));
    // What the cancelled task finished (hashes, behaviour, the streamed extraction) is reused:
    // nothing before the decodings is computed again.
    const byStage = part.provenance.cache.by_stage;
    expect(byStage.extract.misses).toBe(0);
    expect(byStage.behavior.hits).toBe(1);
    expect(part.provenance.cache.hits).toBeGreaterThan(0);
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(r.subjects.map((s: { id: string }) => s.id)).toEqual(['01', '02', '03', '04']);
  }, 600_000);
});
