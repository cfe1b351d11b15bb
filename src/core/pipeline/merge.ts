/**
 * Merging per-subject results (one SLURM array task each: `ddmvpa run --subject-index I`) into the
 * results of one run over all subjects: the subjects in plan order, their errors, the union of
 * input hashes, and the group stage recomputed over every subject's scores. Apart from timings
 * and cache counts, the merge equals what a single `ddmvpa run` writes (tests check it).
 */
import { DdError } from '../errors.ts';
import { configHash } from './config.ts';
import type { Results } from './results.ts';
import { groupCells } from './runner.ts';
import { computeGroup } from './stages.ts';

export async function mergeResults(parts: { file: string; results: Results }[], order: string[]): Promise<Results> {
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
    provenance: {
      ...first.results.provenance,
      config_hash: configHash(config),
      inputs: [...inputs.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      timings: { total_s: parts.reduce((a, p) => a + p.results.provenance.timings.total_s, 0), stages: sumStages },
      cache: { ...cache, by_stage: byStage },
    },
  };
}
