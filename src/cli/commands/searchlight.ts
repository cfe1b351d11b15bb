import { readFile, writeFile } from 'node:fs/promises';
import { DdError } from '../../core/errors.ts';
import { decodeNpy } from '../../core/io/npy.ts';
import { buildDataset, readTrialTable } from '../../core/mvpa/dataset.ts';
import { defaultMetric } from '../../core/mvpa/decode.ts';
import { isMetricName, METRIC_NAMES } from '../../core/mvpa/metrics.ts';
import type { ModelName } from '../../core/mvpa/model.ts';
import { getModel, MODEL_NAMES } from '../../core/mvpa/models/index.ts';
import { parseCv } from '../../core/mvpa/splitters.ts';
import { encodeNifti1, gzipBytes } from '../../core/nifti/index.ts';
import { DEFAULT_RADIUS_MM, groupTMap, maskIndicesOf, scoreVolume, searchlight as runSearchlight } from '../../core/searchlight/index.ts';
import { statsReady } from '../../core/stats/distributions.ts';
import { loadVolume3D } from '../../platform/node/load-image.ts';
import { defaultPoolSize, loadKernelModule } from '../../platform/node/pool.ts';
import { startSearchlightWorkers } from '../../platform/node/searchlight-pool.ts';
import { flag, flagAll, numberFlag, requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new DdError('FILE_NOT_FOUND', `${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path.`, { file: path, cause: e });
  }
}

async function writeMap(path: string, dims: [number, number, number], affine: number[][], data: Float32Array, description: string): Promise<void> {
  const bytes = encodeNifti1({ dims, affine, datatype: 'float32', data, description });
  await writeFile(path, path.endsWith('.gz') ? await gzipBytes(bytes) : bytes);
}

/**
 * `ddmvpa searchlight --x PATTERNS.npy --mask MASK.nii.gz --y TABLE.tsv --target COL
 * [--radius 6] [--model svc|logreg|ridge] [--cv …] [--metric NAME] [--groups COL]
 * [--scaling within-run|none] [--permutations N] [--seed S] [--jobs N] --out MAP.nii.gz [--json]`
 *
 * X's columns are the mask's voxels in ascending NIfTI index order (what `ddmvpa extract --roi
 * brain` writes as brain.npy + brain_mask.nii.gz). Writes the score map (float32, NaN outside
 * the mask) to --out, and with --permutations N > 0 the p map beside it (…_p.nii.gz).
 */
export async function searchlight(args: Args): Promise<CommandResult> {
  if (flagAll(args, 'group').length > 0) return groupMap(args);
  const xPath = requireFlag(args, 'x', 'the trials × voxels patterns (.npy), e.g. brain.npy from `ddmvpa extract --roi brain`');
  const maskPath = requireFlag(args, 'mask', 'the mask whose voxels are the columns of --x, e.g. brain_mask.nii.gz');
  const yPath = requireFlag(args, 'y', 'the trial table (.tsv), e.g. trials.tsv');
  const target = requireFlag(args, 'target', 'the column to decode, e.g. choice');
  const out = requireFlag(args, 'out', 'the map to write, e.g. choice_searchlight.nii.gz');
  const modelName = flag(args, 'model');
  if (modelName !== undefined && !(MODEL_NAMES as readonly string[]).includes(modelName)) {
    throw new DdError('ARGS_BAD_VALUE', `--model must be one of ${MODEL_NAMES.join(', ')}, got "${modelName}".`);
  }
  const metricName = flag(args, 'metric');
  if (metricName !== undefined && !isMetricName(metricName)) throw new DdError('ARGS_BAD_VALUE', `--metric must be one of ${METRIC_NAMES.join(', ')}, got "${metricName}".`);
  const cvText = flag(args, 'cv');
  const radius = numberFlag(args, 'radius', DEFAULT_RADIUS_MM);
  if (!(radius >= 0 && radius <= 50)) throw new DdError('ARGS_BAD_VALUE', `--radius must be a number of mm from 0 to 50, got ${radius}.`);
  const permutations = numberFlag(args, 'permutations', 0);
  if (!Number.isInteger(permutations) || permutations < 0) throw new DdError('ARGS_BAD_VALUE', `--permutations must be a whole number ≥ 0, got ${permutations}.`);
  const seed = numberFlag(args, 'seed', 0);
  const jobs = numberFlag(args, 'jobs', defaultPoolSize());
  if (!Number.isInteger(jobs) || jobs < 0) throw new DdError('ARGS_BAD_VALUE', `--jobs must be a whole number ≥ 0 (0: no worker threads), got ${jobs}.`);
  const scaling = (flag(args, 'scaling') ?? 'within-run') as 'within-run' | 'none';

  const started = performance.now();
  const mask = await loadVolume3D(maskPath);
  const maskIndices = maskIndicesOf(mask);
  let npy = decodeNpy(await readBytes(xPath, 'patterns file'), xPath);
  if (npy.shape.length !== 2 || npy.shape[1] !== maskIndices.length) {
    throw new DdError('SEARCHLIGHT_BAD_MASK', `${xPath} has shape (${npy.shape.join(', ')}) but ${maskPath} has ${maskIndices.length} mask voxels; the columns of --x must be the mask's voxels (brain.npy with brain_mask.nii.gz from one extract).`, { file: xPath });
  }
  const table = readTrialTable(new TextDecoder().decode(await readBytes(yPath, 'trial table')), yPath);
  const model = modelName ? getModel(modelName) : null;
  // The table alone (a one-column stand-in for X: the patterns are scaled straight from the .npy).
  const ds = buildDataset({ data: new Float32Array(npy.shape[0]!), shape: [npy.shape[0]!, 1], file: xPath }, table, { target, groups: flag(args, 'groups'), kind: model?.kind ?? 'auto' });
  const name = (modelName ?? (ds.kind === 'classification' ? 'svc' : 'ridge')) as ModelName;
  const metric = metricName ?? defaultMetric(getModel(name).kind);
  const tRead = performance.now();

  const module = await loadKernelModule();
  const pool = jobs > 0 ? await startSearchlightWorkers(jobs) : undefined;
  let last = 0;
  let res;
  try {
    res = await runSearchlight(
      { X: npy.data, nRows: npy.shape[0]!, maskIndices, grid: { dims: mask.dims, affine: mask.affine }, rows: ds.rows, y: ds.y, groups: ds.groups, onsets: ds.onsets },
      {
        radiusMm: radius, model: name, metric, cv: cvText ? parseCv(cvText) : undefined, scaling, permutations, seed,
        onProgress: (done, total) => {
          if (performance.now() - last > 5000 || done === total) {
            last = performance.now();
            process.stderr.write(`searchlight: ${done}/${total} spheres\n`);
          }
        },
      },
      { module, pool },
    );
  } finally {
    await pool?.close();
  }
  npy = null as never;
  const grid = { dims: mask.dims, affine: mask.affine };
  await writeMap(out, mask.dims, mask.affine, scoreVolume(res.scores, maskIndices, grid), `ddmvpa searchlight ${target} ${res.metric}`);
  let pOut: string | null = null;
  if (res.pValues) {
    pOut = out.replace(/(\.nii(\.gz)?)?$/, (m) => `_p${m || '.nii.gz'}`);
    await writeMap(pOut, mask.dims, mask.affine, scoreVolume(res.pValues, maskIndices, grid), `ddmvpa searchlight p (${res.nPermutations} perms)`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (res.nNotConverged > 0) process.stderr.write(`warning DECODE_NOT_CONVERGED: ${res.nNotConverged} fit(s) stopped at the iteration limit.\n`);
  let best = 0;
  for (let v = 1; v < res.scores.length; v++) if (res.scores[v]! > res.scores[best]!) best = v;
  let mean = 0;
  for (const s of res.scores) mean += s;
  mean /= res.scores.length;
  const json = {
    out, p_map: pOut, target, model: res.model, metric: res.metric, cv: res.cv, radius_mm: res.radiusMm,
    n_samples: res.nSamples, n_voxels: res.nVoxels, sphere_voxels: res.sphereVoxels, n_permutations: res.nPermutations,
    jobs, mean_score: mean, max_score: res.scores[best], max_voxel: maskIndices[best], n_not_converged: res.nNotConverged,
    seconds, seconds_read: (tRead - started) / 1000, seconds_scale: res.seconds.scale, seconds_spheres: res.seconds.spheres,
  };
  const text =
    `searchlight ${target} (${res.model}, ${res.cv}, ${res.metric}, r = ${res.radiusMm} mm, ≤ ${res.sphereVoxels} voxels per sphere): ` +
    `${res.nVoxels} spheres, ${res.nSamples} samples in ${seconds.toFixed(1)} s (spheres ${res.seconds.spheres.toFixed(1)} s, ${jobs} worker(s))\n` +
    `  mean ${mean.toFixed(4)}, max ${res.scores[best]!.toFixed(4)} at voxel ${maskIndices[best]} → ${out}${pOut ? `\n  p map (${res.nPermutations} permutations) → ${pOut}` : ''}`;
  return { json, text };
}

/**
 * `ddmvpa searchlight --group MAP… --out T.nii.gz [--chance 0.5]`: the group t map across
 * subjects' score maps (on one grid): one-sample t-test against chance at each voxel (one-sided,
 * scipy.stats.ttest_1samp), written with its p map (…_p) beside it; NaN where fewer than two
 * subjects have a value.
 */
async function groupMap(args: Args): Promise<CommandResult> {
  const paths = flagAll(args, 'group');
  const out = requireFlag(args, 'out', 'the group t map to write, e.g. group_t.nii.gz');
  const chance = numberFlag(args, 'chance', 0.5);
  await statsReady();
  const maps = [];
  let dims: [number, number, number] | null = null, affine: number[][] | null = null;
  for (const p of paths) {
    const v = await loadVolume3D(p);
    if (dims && v.dims.some((d, k) => d !== dims![k])) {
      throw new DdError('SEARCHLIGHT_GRID_MISMATCH', `${p} is ${v.dims.join('×')} but ${paths[0]} is ${dims.join('×')}; the subject maps must share one grid (resample to MNI first).`, { file: p });
    }
    dims ??= v.dims; affine ??= v.affine;
    maps.push(v.data);
  }
  const g = groupTMap(maps, chance);
  await writeMap(out, dims!, affine!, g.t, `ddmvpa group t vs ${chance}`);
  const pOut = out.replace(/(\.nii(\.gz)?)?$/, (m) => `_p${m || '.nii.gz'}`);
  await writeMap(pOut, dims!, affine!, g.p, `ddmvpa group p (one-sided)`);
  let best = -Infinity;
  for (const t of g.t) if (t > best) best = t;
  return { json: { out, p_map: pOut, n_subjects: paths.length, chance, max_t: best }, text: `group t map of ${paths.length} subjects vs ${chance} → ${out} (max t ${best.toFixed(2)}), p → ${pOut}` };
}
