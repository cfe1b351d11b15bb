#!/usr/bin/env node
// Benchmark of issue 4: `ddmvpa run` on a full-size demo dataset (default 4 subjects, the 10
// built-in ROIs, choice + sv_diff, 1000 permutations):
//   - cold run with --jobs 1, then the same command again (served from the cache): speed-up;
//   - cold run with --jobs 2 (its own fresh cache): speed-up over --jobs 1 and peak memory of the
//     whole process tree (parent + worker processes, sampled from /proc every 50 ms) against the
//     single-job peak;
//   - size of the cache against the subjects' .nii.gz files;
//   - results.json identical (apart from timings and cache counts) across the three runs.
// Usage: node bench/run.bench.mjs [--subjects 4] [--permutations 1000] [--data DIR] [--keep]
// Prints a Markdown table for bench/run.results.md.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const SUBJECTS = Number(arg('subjects', '4'));
const PERMS = arg('permutations', '1000');
const DATA = arg('data', `bench/out/demo-full${SUBJECTS}`);
const OUT = 'bench/out/run';
const BIN = 'bin/ddmvpa.mjs';

if (!existsSync(join(DATA, 'truth.json'))) {
  console.error(`generating ${DATA} …`);
  const r = spawnSync(process.execPath, [BIN, 'demo', '--out', DATA, '--size', 'full', '--subjects', String(SUBJECTS), '--seed', '1'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

/** Resident bytes of a process and all its descendants (Linux /proc). */
function treeRss(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(d), ppid);
    } catch { /* gone */ }
  }
  const inTree = (pid) => { for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === root) return true; return false; };
  let total = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try { total += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096; } catch { /* gone */ }
  }
  return total;
}

async function measure(label, args) {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const t0 = performance.now();
  // /usr/bin/time reports the CPU time of the whole tree (the workers are waited for).
  const child = spawn('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let peak = 0, stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setInterval(() => { peak = Math.max(peak, treeRss(child.pid)); }, 50);
  const code = await new Promise((r) => child.on('exit', r));
  clearInterval(timer);
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) { console.error(stderr); throw new Error(`${label} failed (${code})`); }
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  const cpu = m ? Number(m[1]) + Number(m[2]) : NaN;
  console.error(`${label}: ${wall.toFixed(1)} s, CPU ${cpu.toFixed(1)} s, peak tree RSS ${(peak / 2 ** 20).toFixed(0)} MB, load ${load}`);
  return { label, wall, cpu, load, peak, summary: JSON.parse(stdout) };
}

function duBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

function comparable(out) {
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  delete r.provenance.timings;
  delete r.provenance.cache;
  return JSON.stringify(r);
}

rmSync(OUT, { recursive: true, force: true });
const common = ['run', '--bids', DATA, '--permutations', PERMS, '--json'];
const cold1 = await measure('jobs 1, cold cache', [...common, '--out', `${OUT}/j1`, '--jobs', '1', '--cache-dir', `${OUT}/cache1`]);
const warm1 = await measure('jobs 1, warm cache', [...common, '--out', `${OUT}/j1-warm`, '--jobs', '1', '--cache-dir', `${OUT}/cache1`]);
const cold2 = await measure('jobs 2, cold cache', [...common, '--out', `${OUT}/j2`, '--jobs', '2', '--cache-dir', `${OUT}/cache2`]);

const gz = readdirSync(DATA).filter((d) => d.startsWith('sub-')).map((s) => {
  const dir = join(DATA, 'derivatives/fmriprep', s, 'func');
  return readdirSync(dir).filter((f) => f.endsWith('_bold.nii.gz')).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}).reduce((a, b) => a + b, 0);
const cacheBytes = duBytes(`${OUT}/cache1`);
const same = comparable(`${OUT}/j1`) === comparable(`${OUT}/j1-warm`) && comparable(`${OUT}/j1`) === comparable(`${OUT}/j2`);
const MB = 2 ** 20;

const rows = [
  ['cold, `--jobs 1`', cold1, '1.00'],
  ['warm (same command again)', warm1, (cold1.wall / warm1.wall).toFixed(1)],
  ['cold, `--jobs 2`', cold2, (cold1.wall / cold2.wall).toFixed(2)],
];
console.log(`${SUBJECTS} subjects, ${PERMS} permutations, 10 built-in ROIs × (choice, sv_diff); ${readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length} cores, node ${process.version}\n`);
console.log('| run | wall (s) | CPU, whole tree (s) | load avg at start | peak RSS, whole process tree (MB) | speed-up vs cold `--jobs 1` |\n|---|---|---|---|---|---|');
for (const [label, r, x] of rows) console.log(`| ${label} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(1)} | ${r.load} | ${(r.peak / MB).toFixed(0)} | ${x}× |`);
console.log(`\n- warm / cold: **${(cold1.wall / warm1.wall).toFixed(0)}×** faster (target ≥ 50×)`);
console.log(`- \`--jobs 2\` / \`--jobs 1\`: **${(cold1.wall / cold2.wall).toFixed(2)}×** (target ≥ 1.7×; CPU time ${cold1.cpu.toFixed(0)} s vs ${cold2.cpu.toFixed(0)} s, so on two otherwise idle cores ≈ ${((2 * cold1.cpu) / cold2.cpu).toFixed(2)}×); peak ${(cold2.peak / MB).toFixed(0)} MB ≤ 2 × ${(cold1.peak / MB).toFixed(0)} + 100 = ${((2 * cold1.peak) / MB + 100).toFixed(0)} MB: ${cold2.peak <= 2 * cold1.peak + 100 * MB ? 'yes' : 'NO'}`);
console.log(`- cache: ${(cacheBytes / MB).toFixed(1)} MB for ${(gz / MB).toFixed(0)} MB of .nii.gz = **${((100 * cacheBytes) / gz).toFixed(2)} %** (target ≤ 10 %)`);
console.log(`- cache counts: cold ${JSON.stringify(cold1.summary.cache.by_stage)}; warm ${JSON.stringify(warm1.summary.cache.by_stage)}`);
console.log(`- results.json identical across the three runs (apart from timings and cache counts): ${same ? 'yes' : 'NO'}`);
if (!process.argv.includes('--keep')) rmSync(OUT, { recursive: true, force: true });
