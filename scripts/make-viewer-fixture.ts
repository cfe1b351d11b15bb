/**
 * Builds the e2e fixture of the results viewer's maps and geometry views
 * (tests/e2e/fixtures/viewer/: results.json with schema_version 2 + searchlight/*.nii.gz), from a
 * small demo dataset, with the CLI and the core geometry code — no hand-written numbers.
 *
 *   npx tsx scripts/make-viewer-fixture.ts [--out tests/e2e/fixtures/viewer] [--jobs 2]
 *
 * Steps: `ddmvpa demo --size small` (3 subjects) → `ddmvpa run --searchlight …` (a few ROIs, few
 * permutations). When that `run` writes results.json v2 itself (geometry + searchlight maps), its
 * output is the fixture. Otherwise (a CLI without those flags) the v2 fields are made from the
 * parts: per subject `ddmvpa extract --roi brain …` → `ddmvpa searchlight` (score map) and
 * `ddmvpa searchlight --group` (group t map), geometry per subject × ROI with src/core/geometry
 * (roiGeometry) → the fields of schema-contract.md.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roiGeometry } from '../src/core/geometry/index.ts';
import { decodeNpy } from '../src/core/io/npy.ts';
import { fdrBh } from '../src/core/stats/fdr.ts';
import { loadVolume3D } from '../src/platform/node/load-image.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : dflt;
};
const OUT = opt('out', 'tests/e2e/fixtures/viewer');
const JOBS = opt('jobs', '2');
const SUBJECTS = ['01', '02', '03'];
const ROIS = ['vmpfc', 'nacc_l', 'nacc_r', 'pcc'];
const TARGET = 'choice';
// 10 mm at the small demo's 5-mm voxels: ≤ 33 voxels per sphere.
const RADIUS = '10';
const PERMUTATIONS = 200;
const SEED = 7;

const tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-viewer-fixture-'));
const cli = (...args: string[]) => {
  process.stderr.write(`ddmvpa ${args.join(' ')}\n`);
  return execFileSync(process.execPath, ['bin/ddmvpa.mjs', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
};

function readTsv(path: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])));
}
const num = (s: string | undefined) => (s === undefined || s === 'n/a' || s === '' ? null : Number(s));
const sig4 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x);

const demo = join(tmp, 'demo');
cli('demo', '--out', demo, '--subjects', String(SUBJECTS.length), '--size', 'small', '--seed', String(SEED));
const runDir = join(tmp, 'run');
const runArgs = ['run', '--bids', demo, '--out', runDir, '--roi', ...ROIS, '--permutations', '20', '--seed', String(SEED), '--jobs', JOBS, '--no-cache'];
rmSync(OUT, { recursive: true, force: true });
try {
  cli(...runArgs, '--searchlight', '--searchlight-radius', RADIUS, '--searchlight-target', TARGET, '--geometry-permutations', String(PERMUTATIONS));
  const v2 = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
  if (v2.schema_version >= 2 && v2.searchlight) {
    mkdirSync(OUT, { recursive: true });
    cpSync(join(runDir, 'results.json'), join(OUT, 'results.json'));
    cpSync(join(runDir, 'searchlight'), join(OUT, 'searchlight'), { recursive: true });
    process.stderr.write(`wrote ${OUT} from \`ddmvpa run --searchlight\` (work folder ${tmp})\n`);
    process.exit(0);
  }
} catch {
  process.stderr.write('this ddmvpa run has no --searchlight: making the v2 fields from the parts\n');
}
cli(...runArgs);
const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));

mkdirSync(join(OUT, 'searchlight'), { recursive: true });
const maps: unknown[] = [];
const mapFiles: string[] = [];
for (const id of SUBJECTS) {
  const sub = `sub-${id}`;
  const func = join(demo, 'derivatives/fmriprep', sub, 'func');
  const prefix = join(func, `${sub}_task-discountFix`);
  const ex = join(tmp, 'extract', sub);
  cli('extract', '--bold', `${prefix}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`, '--events', join(demo, sub, 'func', `${sub}_task-discountFix_events.tsv`),
    '--confounds', `${prefix}_desc-confounds_timeseries.tsv`, '--mask', `${prefix}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz`,
    '--roi', 'brain', ...ROIS.flatMap((r) => ['--roi', r]), '--out', ex);

  // Trials (one run in the demo), as the contract's SubjectResult.trials.
  const rows = readTsv(join(ex, 'trials.tsv'));
  const trials = {
    run: rows.map(() => 1),
    onset: rows.map((r) => num(r.onset)!),
    delay: rows.map((r) => num(r.later_delay)!),
    ss_amount: rows.map((r) => num(r.sv_ss)!),
    ll_amount: rows.map((r) => num(r.large_amount)!),
    choice: rows.map((r) => num(r.choice) as 0 | 1 | null),
    sv_diff: rows.map((r) => num(r.sv_diff)),
  };

  // Geometry per ROI over the trials with a choice (what the pipeline keeps).
  const keep = rows.map((_, i) => i).filter((i) => trials.choice[i] !== null && trials.sv_diff[i] !== null);
  const geometry = ROIS.map((roi, k) => {
    const npy = decodeNpy(readFileSync(join(ex, `${roi}.npy`)), roi);
    const p = npy.shape[1]!;
    const X = new Float64Array(keep.length * p);
    keep.forEach((t, i) => { for (let v = 0; v < p; v++) X[i * p + v] = npy.data[t * p + v]!; });
    const pick = (a: (number | null)[]) => keep.map((i) => a[i]!);
    const g = roiGeometry(X, keep.length, p, {
      variables: { choice: { values: pick(trials.choice), kind: 'categorical' }, sv_diff: { values: pick(trials.sv_diff), kind: 'absdiff' }, delay: { values: pick(trials.delay), kind: 'absdiff' } },
      conditions: pick(trials.choice), runs: pick(trials.run), permutations: PERMUTATIONS, seed: SEED + k,
    });
    const n = keep.length;
    const rdm: number[] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) rdm.push(sig4(g.rdm[i * n + j]!));
    const pairs = (a: Float64Array, d: number) => Array.from({ length: n }, (_, i) => [sig4(a[i * d]!), sig4(a[i * d + 1]!)] as [number, number]);
    return {
      roi, n_trials: n, n_voxels: p, rdm_method: 'correlation' as const, trial_index: keep, rdm,
      rsa: Object.entries(g.rsa).map(([model, r]) => ({ model, rho: sig4(r.rho), p_value: sig4(r.pValue ?? NaN), q_value: null as number | null, n_permutations: PERMUTATIONS })),
      pca: { explained_variance_ratio: g.pca.explainedVarianceRatio.map(sig4), participation_ratio: sig4(g.pca.participationRatio), scores: pairs(g.pca.scores, g.pca.nScores) },
      mds: { coords: pairs(g.mds.coords, g.mds.dims) },
      ratio: g.distanceRatio && { label: 'choice', within: sig4(g.distanceRatio.within), between: sig4(g.distanceRatio.between), ratio: sig4(g.distanceRatio.ratio), p_value: sig4(g.distanceRatio.pValue ?? NaN), n_permutations: PERMUTATIONS },
    };
  });
  // q: Benjamini–Hochberg over the subject's ROI × model tests.
  const all = geometry.flatMap((g) => g.rsa);
  const q = fdrBh(all.map((r) => r.p_value)).q;
  all.forEach((r, i) => { r.q_value = sig4(q[i]!); });

  const s = results.subjects.find((x: { id: string }) => x.id === id);
  s.trials = trials;
  s.geometry = geometry;

  const file = `searchlight/${sub}_target-${TARGET}_score.nii.gz`;
  const summary = JSON.parse(cli('searchlight', '--x', join(ex, 'brain.npy'), '--mask', join(ex, 'brain_mask.nii.gz'), '--y', join(ex, 'trials.tsv'),
    '--target', TARGET, '--radius', RADIUS, '--seed', String(SEED), '--jobs', JOBS, '--out', join(OUT, file), '--json'));
  mapFiles.push(join(OUT, file));
  maps.push({ subject: id, target: TARGET, file, p_file: null, summary });
}
const groupFile = `searchlight/group_target-${TARGET}_t.nii.gz`;
const group = JSON.parse(cli('searchlight', '--group', ...mapFiles, '--chance', '0.5', '--out', join(OUT, groupFile), '--json'));
writeFileSync(join(tmp, 'searchlight-summaries.json'), JSON.stringify({ maps, group }, null, 1));
process.stderr.write(`CLI summaries in ${join(tmp, 'searchlight-summaries.json')}\n`);

// The contract's searchlight section: settings from the CLI's JSON, peaks read back from the maps.
async function peakOf(path: string): Promise<{ value: number; mm: [number, number, number]; mean: number; n: number }> {
  const v = await loadVolume3D(path);
  let best = -1, sum = 0, n = 0;
  for (let i = 0; i < v.data.length; i++) {
    const x = v.data[i]!;
    if (!Number.isFinite(x)) continue;
    sum += x; n++;
    if (best < 0 || x > v.data[best]!) best = i;
  }
  const [nx, ny] = v.dims;
  const ijk = [best % nx, Math.floor(best / nx) % ny, Math.floor(best / (nx * ny))];
  const mm = [0, 1, 2].map((r) => sig4(v.affine[r]![0]! * ijk[0]! + v.affine[r]![1]! * ijk[1]! + v.affine[r]![2]! * ijk[2]! + v.affine[r]![3]!)) as [number, number, number];
  return { value: sig4(v.data[best]!), mm, mean: sig4(sum / n), n };
}
type Summary = { model: string; cv: string; metric: string; radius_mm: number; n_permutations: number };
const first = (maps[0] as { summary: Summary }).summary;
const mapRows = [];
for (const m of maps as { subject: string; target: string; file: string; p_file: null }[]) {
  const pk = await peakOf(join(OUT, m.file));
  mapRows.push({ subject: m.subject, target: m.target, file: m.file, p_file: m.p_file, n_voxels: pk.n, peak: { score: pk.value, mm: pk.mm }, mean: pk.mean });
}
const gpk = await peakOf(join(OUT, groupFile));
results.searchlight = {
  radius_mm: first.radius_mm, model: first.model, cv: first.cv, metric: first.metric, chance: 0.5, n_permutations: first.n_permutations,
  maps: mapRows,
  group: [{ target: TARGET, file: groupFile, n: group.n_subjects, df: group.n_subjects - 1, peak: { t: gpk.value, mm: gpk.mm } }],
};
results.schema_version = 2;
writeFileSync(join(OUT, 'results.json'), JSON.stringify(results) + '\n');
process.stderr.write(`wrote ${OUT}/results.json and ${mapFiles.length + 1} maps (work folder ${tmp})\n`);
