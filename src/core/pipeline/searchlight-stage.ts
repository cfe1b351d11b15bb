/**
 * The searchlight stages (graph.ts): the whole-brain score map of one (subject, target) from the
 * `brain` patterns of the subject's runs (the same stream pass as the ROIs), decoded with the ROI
 * decoding's model, metric, C / alpha, CV and scaling (src/core/searchlight); and the group t map
 * per target across subjects (maps.ts groupTMap).
 *
 * Maps are kept as one value per mask voxel (f32) with the mask's grid indices; they become NIfTI
 * files (float32, NaN outside the mask) only at the end (mapFiles), on every host the same way.
 */
import { DdError } from '../errors.ts';
import { contentKey } from '../cache/canonical.ts';
import { decodeRecord, encodeRecord } from '../cache/record.ts';
import { chanceLevel } from '../mvpa/metrics.ts';
import { parseCv } from '../mvpa/splitters.ts';
import { encodeNifti1, gzipBytes } from '../nifti/index.ts';
import type { Grid } from '../roi/grid.ts';
import { groupTMap, scoreVolume, searchlight, type SearchlightHost } from '../searchlight/index.ts';
import { statsReady } from '../stats/index.ts';
import type { Config } from './config.ts';
import { STAGE_VERSIONS } from './graph.ts';
import { groupMapFile, voxelMm } from './map-files.ts';
import { decodeParams, type BehaviorOutput, type Codec, type ExtractEntry } from './stages.ts';

export interface SearchlightMapInfo {
  target: string;
  model: string;
  metric: string;
  cv: string;
  chance: number;
  radius_mm: number;
  n_permutations: number;
  n_samples: number;
  n_voxels: number;
  /** Mean score over the mask voxels with a score. */
  mean: number | null;
  /** Best score and its grid index. */
  peak: { score: number; index: number } | null;
  grid: Grid;
}


export interface SearchlightEntry {
  ok: SearchlightMapInfo | null;
  error: { code: string; message: string; file: string | null } | null;
  /** Ascending grid indices of the mask voxels. */
  mask: Int32Array;
  /** Score per mask voxel (f32, NaN where none). */
  scores: Float32Array;
  /** Permutation p per mask voxel; empty without permutations. */
  p: Float32Array;
}

export const searchlightCodec: Codec<SearchlightEntry> = {
  encode: (e) => encodeRecord({ data: { ok: e.ok, error: e.error }, arrays: { mask: e.mask, scores: e.scores, p: e.p } }),
  decode: (b) => {
    const r = decodeRecord<Pick<SearchlightEntry, 'ok' | 'error'>>(b);
    const { mask, scores, p } = r.arrays;
    if (!(mask instanceof Int32Array) || !(scores instanceof Float32Array) || !(p instanceof Float32Array) || scores.length !== mask.length) {
      throw new DdError('CACHE_BAD_RECORD', 'A searchlight cache entry has inconsistent arrays; it will be recomputed.');
    }
    return { ok: r.data.ok, error: r.data.error, mask, scores, p };
  },
};

/** The parameters a searchlight of `target` reads: the ROI decoding's model settings (not its permutations) and the searchlight's. */
export function searchlightParams(config: Config, target: string, nRuns: number) {
  const { permutations: _p, ...decode } = decodeParams(config, target, nRuns);
  return { ...decode, radius_mm: config.searchlight.radius_mm, permutations: config.searchlight.permutations };
}

export function searchlightKey(brainExtractKeys: string[], behavior: string, target: string, params: ReturnType<typeof searchlightParams>): string {
  return contentKey('searchlight', STAGE_VERSIONS.searchlight, { extract: brainExtractKeys, behavior, target, ...params });
}

export function searchlightError(e: DdError): SearchlightEntry {
  return { ok: null, error: { code: e.code, message: e.message, file: e.file ?? null }, mask: new Int32Array(0), scores: new Float32Array(0), p: new Float32Array(0) };
}

/** The runs' whole-brain patterns as one trials × voxels matrix over the voxels every run's mask holds. */
function brainPatterns(entries: ExtractEntry[]): { X: Float32Array; nRows: number; mask: Int32Array } {
  const first = entries[0]!.indices;
  const same = entries.every((e) => e.indices.length === first.length && e.indices.every((v, i) => v === first[i]));
  let mask = first;
  if (!same) {
    // Masks computed per run differ at the edge: keep the voxels of every run.
    const counts = new Map<number, number>();
    for (const e of entries) for (const v of e.indices) counts.set(v, (counts.get(v) ?? 0) + 1);
    mask = Int32Array.from([...counts].filter(([, c]) => c === entries.length).map(([v]) => v).sort((a, b) => a - b));
  }
  const V = mask.length;
  const nRows = entries.reduce((a, e) => a + e.rows.length, 0);
  const X = new Float32Array(nRows * V);
  let o = 0;
  for (const e of entries) {
    if (same) { X.set(e.patterns, o * V); o += e.rows.length; continue; }
    const col = new Map(Array.from(e.indices, (v, q) => [v, q]));
    const cols = Int32Array.from(mask, (v) => col.get(v)!);
    const pe = e.indices.length;
    for (let r = 0; r < e.rows.length; r++, o++) for (let q = 0; q < V; q++) X[o * V + q] = e.patterns[r * pe + cols[q]!]!;
  }
  return { X, nRows, mask };
}

export interface SearchlightRun {
  entries: ExtractEntry[];
  behavior: BehaviorOutput;
  target: string;
  grid: Grid;
  config: Config;
  subject: string;
  host: SearchlightHost;
  signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/** One subject's map for one target; deterministic failures (one class, too few trials) become the entry's error. */
export async function computeSearchlight(s: SearchlightRun): Promise<SearchlightEntry> {
  const { entries, behavior, target, config, grid } = s;
  try {
    const { X, nRows, mask } = brainPatterns(entries);
    const rows: number[] = [], y: number[] = [], groups: number[] = [], onsets: number[] = [];
    let o = 0;
    entries.forEach((e, r) => {
      const vars = new Map(behavior.runs[r]!.trials.map((t) => [t.index, t]));
      for (const row of e.rows) {
        const t = vars.get(row);
        const v = t ? (t as unknown as Record<string, number | null>)[target] : null;
        if (typeof v === 'number' && Number.isFinite(v)) { rows.push(o); y.push(v); groups.push(r); onsets.push(t!.onset); }
        o++;
      }
    });
    if (rows.length === 0) throw new DdError('DECODE_NO_SAMPLES', `sub-${s.subject}: no trial has a value for target '${target}'; no searchlight map.`);
    const params = searchlightParams(config, target, entries.length);
    const res = await searchlight(
      { X, nRows, maskIndices: mask, grid, rows: Int32Array.from(rows), y: Float64Array.from(y), groups: entries.length >= 2 ? Int32Array.from(groups) : null, onsets },
      {
        radiusMm: params.radius_mm, model: params.model, modelOptions: params.modelOptions, metric: params.metric,
        cv: parseCv(params.cv), scaling: config.decoding.scaling === 'none' ? 'none' : 'within-run',
        permutations: config.searchlight.permutations, seed: config.seed, signal: s.signal, onProgress: s.onProgress,
      },
      s.host,
    );
    let sum = 0, cnt = 0, best = -1;
    for (let q = 0; q < res.scores.length; q++) {
      const v = res.scores[q]!;
      if (!Number.isFinite(v)) continue;
      sum += v; cnt++;
      if (best < 0 || v > res.scores[best]!) best = q;
    }
    return {
      ok: {
        target, model: res.model, metric: res.metric, cv: res.cv, chance: chanceLevel(res.metric), radius_mm: res.radiusMm, n_permutations: res.nPermutations,
        n_samples: res.nSamples, n_voxels: res.nVoxels, mean: cnt ? sum / cnt : null,
        peak: best >= 0 ? { score: res.scores[best]!, index: mask[best]! } : null, grid: { dims: [...grid.dims], affine: grid.affine.map((r) => [...r]) },
      },
      error: null, mask, scores: Float32Array.from(res.scores), p: res.pValues ? Float32Array.from(res.pValues) : new Float32Array(0),
    };
  } catch (e) {
    if (e instanceof DdError && e.code === 'SEARCHLIGHT_CANCELLED') throw new DdError('RUN_CANCELLED', 'The run was cancelled; run the same command again to resume from the cache.', { cause: e });
    if (!(e instanceof DdError) || e.code === 'RUN_CANCELLED') throw e;
    return searchlightError(e);
  }
}

export interface GroupSearchlight {
  target: string;
  file: string;
  n: number;
  df: number;
  peak: { t: number; mm: [number, number, number] } | null;
  grid: Grid;
  t: Float32Array;
}

/**
 * The group t map of one target (one-sample t against the metric's chance at each voxel, one-sided),
 * from ≥ 2 subject maps on one grid; null with fewer subjects.
 */
export async function computeGroupSearchlight(target: string, maps: SearchlightEntry[]): Promise<GroupSearchlight | null> {
  const ok = maps.filter((m) => m.ok);
  if (ok.length < 2) return null;
  return groupFromVolumes(target, ok[0]!.ok!.chance, ok.map((m) => ({ grid: m.ok!.grid, data: scoreVolume(m.scores, m.mask, m.ok!.grid) })));
}

/** The group t map of subject score volumes (NaN outside each subject's mask); null with fewer than 2. */
export async function groupFromVolumes(target: string, chance: number, volumes: { grid: Grid; data: Float32Array }[]): Promise<GroupSearchlight | null> {
  if (volumes.length < 2) return null;
  const grid = volumes[0]!.grid;
  for (const v of volumes) {
    if (v.grid.dims.some((d, a) => d !== grid.dims[a]) || v.grid.affine.some((r, a) => r.some((x, b) => Math.abs(x - grid.affine[a]![b]!) > 1e-4))) {
      throw new DdError('SEARCHLIGHT_GRID_MISMATCH', `The subjects' ${target} searchlight maps are on different grids; the group t map needs every BOLD run in one space and resolution.`);
    }
  }
  await statsReady();
  const g = groupTMap(volumes.map((v) => v.data), chance);
  let best = -1;
  for (let v = 0; v < g.t.length; v++) if (Number.isFinite(g.t[v]!) && (best < 0 || g.t[v]! > g.t[best]!)) best = v;
  const n = volumes.length;
  return { target, file: groupMapFile(target), n, df: n - 1, peak: best >= 0 ? { t: g.t[best]!, mm: voxelMm(grid, best) } : null, grid, t: g.t };
}

/** A volume as a gzipped float32 NIfTI-1 file. */
export async function niftiFile(grid: Grid, data: Float32Array, description: string): Promise<Uint8Array> {
  return gzipBytes(encodeNifti1({ dims: grid.dims, affine: grid.affine, datatype: 'float32', data, description: description.slice(0, 79) }));
}
