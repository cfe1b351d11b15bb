/**
 * Merging per-subject results (one SLURM array task each: `ddmvpa run --subject-index I`) into the
 * results of one run over all subjects: the subjects in plan order, their errors, the union of
 * input hashes, and the group stage recomputed over every subject's scores. Apart from timings
 * and cache counts, the merge equals what a single `ddmvpa run` writes (tests check it).
 */
import { DdError, type DdWarning } from '../errors.ts';
import type { Grid } from '../roi/grid.ts';
import { configHash } from './config.ts';
import type { Results } from './results.ts';
import { groupFromVolumes, niftiFile } from './searchlight-stage.ts';
import { groupCells } from './runner.ts';
import { computeGroup } from './stages.ts';

export interface MergeMapOptions {
  /** Reads a subject's searchlight map written by its task (path relative to the results folder). */
  readMap(file: string): Promise<{ grid: Grid; data: Float32Array }>;
  /** Receives the group t maps (as runPipeline's onFile). */
  onFile(path: string, bytes: Uint8Array): void | Promise<void>;
}

export async function mergeResults(parts: { file: string; results: Results }[], order: string[], maps?: MergeMapOptions): Promise<Results> {
  if (parts.length === 0) throw new DdError('GROUP_NO_PARTS', 'No per-subject results to merge. Run the subject tasks first (`ddmvpa slurm --submit`, or `ddmvpa run --subject-index I`).');
  const first = parts[0]!;
  const hash = first.results.provenance.config_hash;
  for (const p of parts) {
    if (p.results.schema_version !== first.results.schema_version || p.results.provenance.config_hash !== hash) {
      throw new DdError('GROUP_MIXED_CONFIGS', `${p.file} was made with another configuration (or schema) than ${first.file}. Delete the stale per-subject results and rerun those subjects with the same options.`, { file: p.file });
    }
  }
  const config = first.results.provenance.config;
  const rank = new Map(order.map((s, i) => [s, i]));
  const subjects = parts.flatMap((p) => p.results.subjects)
    .sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity) || (a.id < b.id ? -1 : 1));
  const ids = new Set<string>();
  for (const s of subjects) {
    if (ids.has(s.id)) throw new DdError('GROUP_DUPLICATE_SUBJECT', `sub-${s.id} appears in more than one per-subject result. Keep one file per subject.`);
    ids.add(s.id);
  }
  // Errors of the plan (e.g. a requested subject that does not exist) are in every part; a
  // subject's own errors only in its part.
  const planErrors = first.results.errors.filter((e) => !first.results.subjects.some((s) => s.id === e.subject));
  const errors = [...planErrors, ...subjects.flatMap((s) => s.errors.map((e) => ({ subject: s.id, ...e })))];
  const inputs = new Map(parts.flatMap((p) => p.results.provenance.inputs.map((i) => [i.path, i] as const)));
  const group = await computeGroup(groupCells(config, subjects), config);
  // Searchlight: every subject's map rows; the group t maps again over all subjects' map files.
  let searchlight = first.results.searchlight;
  const warnings: DdWarning[] = [...first.results.warnings.filter((w) => w.code !== 'SEARCHLIGHT_GRID_MISMATCH')];
  if (searchlight) {
    const rows = parts.flatMap((p) => p.results.searchlight?.maps ?? [])
      .sort((a, b) => (rank.get(a.subject) ?? Infinity) - (rank.get(b.subject) ?? Infinity) || config.searchlight.targets.indexOf(a.target) - config.searchlight.targets.indexOf(b.target));
    const groupRows: NonNullable<Results['searchlight']>['group'] = [];
    if (maps) {
      for (const target of config.searchlight.targets) {
        const mine = rows.filter((m) => m.target === target);
        try {
          const g = await groupFromVolumes(target, mine[0]?.chance ?? 0, await Promise.all(mine.map((m) => maps.readMap(m.file))));
          if (!g) continue;
          await maps.onFile(g.file, await niftiFile(g.grid, g.t, `ddmvpa group t ${target} (df ${g.df})`));
          groupRows.push({ target: g.target, file: g.file, n: g.n, df: g.df, peak: g.peak });
        } catch (e) {
          if (!(e instanceof DdError)) throw e;
          warnings.push({ code: e.code, message: e.message });
        }
      }
    }
    searchlight = { ...searchlight, maps: rows, group: groupRows };
  }

  const sumStages: Record<string, number> = {};
  const byStage: Record<string, { hits: number; misses: number }> = {};
  const cache = { ...first.results.provenance.cache, hits: 0, misses: 0, corrupt: 0, evictions: 0, write_failures: 0 };
  for (const p of parts) {
    const pv = p.results.provenance;
    for (const [k, v] of Object.entries(pv.timings.stages)) sumStages[k] = (sumStages[k] ?? 0) + v;
    for (const [k, v] of Object.entries(pv.cache.by_stage)) {
      const b = (byStage[k] ??= { hits: 0, misses: 0 });
      b.hits += v.hits;
      b.misses += v.misses;
    }
    cache.hits += pv.cache.hits;
    cache.misses += pv.cache.misses;
    cache.corrupt += pv.cache.corrupt;
    cache.evictions += pv.cache.evictions;
    cache.write_failures += pv.cache.write_failures;
  }
  return {
    ...first.results,
    subjects,
    errors,
    group,
    ...(searchlight ? { searchlight } : {}),
    warnings,
    provenance: {
      ...first.results.provenance,
      config_hash: configHash(config),
      inputs: [...inputs.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      timings: { total_s: parts.reduce((a, p) => a + p.results.provenance.timings.total_s, 0), stages: sumStages },
      cache: { ...cache, by_stage: byStage },
    },
  };
}
