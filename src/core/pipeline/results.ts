/**
 * results.json (versioned, with provenance) and the TSV tables derived from it. Every export
 * derives from Results; nothing is computed here.
 *
 * Two results of the same inputs, config and seed are identical apart from
 * `provenance.timings` and `provenance.cache` (whatever the number of workers, with or without
 * the cache): `comparableResults` drops exactly those.
 */
import type { DdWarning } from '../errors.ts';
import type { Cache } from '../cache/cache.ts';
import { writeTsv } from '../io/tsv.ts';
import { CONFIG_SCHEMA_VERSION, configHash, type Config } from './config.ts';
import { CACHED_STAGES, STAGE_NAMES, type StageStats } from './graph.ts';
import type { DecodingRow, PipelinePlan, SubjectError, SubjectOutcome } from './runner.ts';
import type { GroupRow, InputHash } from './stages.ts';

export const RESULTS_SCHEMA_VERSION = 1;

export interface SubjectResult {
  id: string;
  runs: SubjectOutcome['runs'];
  behavior: SubjectOutcome['behavior'];
  decoding: DecodingRow[];
  warnings: DdWarning[];
  errors: Omit<SubjectError, 'subject'>[];
}

export interface Results {
  schema_version: number;
  subjects: SubjectResult[];
  /** Every failure of the run: whole subjects (BOLD unreadable, no events) and single decodings. */
  errors: SubjectError[];
  group: GroupRow[];
  /** Dataset-level findings of discovery. */
  warnings: DdWarning[];
  provenance: {
    version: string;
    config_schema_version: number;
    config: Config;
    config_hash: string;
    seed: number;
    /** Content hashes of every input file read. */
    inputs: InputHash[];
    timings: { total_s: number; stages: Record<string, number> };
    cache: {
      enabled: boolean;
      store: string | null;
      hits: number;
      misses: number;
      by_stage: Record<string, { hits: number; misses: number }>;
      corrupt: number;
      evictions: number;
      write_failures: number;
      disabled: string | null;
    };
    [extra: string]: unknown;
  };
}

export interface BuildResultsInput {
  config: Config;
  version: string;
  plan: PipelinePlan;
  outcomes: SubjectOutcome[];
  group: GroupRow[];
  stats: StageStats;
  cache: Cache | null;
  /** What the cache reported during the group stage (subjects report their own). */
  groupCache: SubjectOutcome['cache'] | null;
  totalSeconds: number;
  extra?: Record<string, unknown>;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function buildResults(r: BuildResultsInput): Results {
  const errors: SubjectError[] = [...r.plan.errors];
  for (const o of r.outcomes) errors.push(...o.errors);
  const inputs = new Map<string, InputHash>();
  for (const o of r.outcomes) for (const i of o.inputs) inputs.set(i.path, i);
  const byStage: Record<string, { hits: number; misses: number }> = {};
  let hits = 0, misses = 0;
  for (const s of CACHED_STAGES) {
    byStage[s] = { hits: r.stats[s].hits, misses: r.stats[s].misses };
    hits += r.stats[s].hits;
    misses += r.stats[s].misses;
  }
  const sum = (f: (o: SubjectOutcome) => number) => r.outcomes.reduce((a, o) => a + f(o), 0);
  const disabled = r.groupCache?.disabled ?? r.outcomes.find((o) => o.cache.disabled)?.cache.disabled ?? null;
  return {
    schema_version: RESULTS_SCHEMA_VERSION,
    subjects: r.outcomes.map((o) => ({
      id: o.id, runs: o.runs, behavior: o.behavior, decoding: o.decoding, warnings: o.warnings,
      errors: o.errors.map(({ subject: _s, ...e }) => e),
    })),
    errors,
    group: r.group,
    warnings: r.plan.warnings,
    provenance: {
      ...r.extra,
      version: r.version,
      config_schema_version: CONFIG_SCHEMA_VERSION,
      config: r.config,
      config_hash: configHash(r.config),
      seed: r.config.seed,
      inputs: [...inputs.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
      timings: { total_s: round(r.totalSeconds), stages: Object.fromEntries(STAGE_NAMES.map((s) => [s, round(r.stats[s].seconds)])) },
      cache: {
        enabled: r.cache !== null,
        store: r.cache?.store.kind ?? null,
        hits, misses, by_stage: byStage,
        corrupt: sum((o) => o.cache.corrupt) + (r.groupCache?.corrupt ?? 0),
        evictions: sum((o) => o.cache.evictions) + (r.groupCache?.evictions ?? 0),
        write_failures: sum((o) => o.cache.writeFailures) + (r.groupCache?.writeFailures ?? 0),
        disabled,
      },
    },
  };
}

/** Results without what legitimately differs between equivalent runs (timings, cache counts). */
export function comparableResults(r: Results): Omit<Results, 'provenance'> & { provenance: Omit<Results['provenance'], 'timings' | 'cache'> } {
  const { timings: _t, cache: _c, ...prov } = r.provenance;
  return { ...r, provenance: prov };
}

const BEHAVIOR_COLUMNS = ['subject', 'n_trials', 'n_valid', 'n_missed', 'n_ll', 'n_ss', 'k', 'log_k', 'beta', 'log_beta', 'nll', 'pseudo_r2', 'pseudo_r2_chance', 'aic', 'bic', 'flags'];
const DECODING_COLUMNS = ['subject', 'roi', 'target', 'model', 'cv', 'metric', 'score', 'p_value', 'q_value', 'n_permutations', 'n_samples', 'n_features', 'n_dropped'];
const GROUP_COLUMNS = ['roi', 'target', 'metric', 'chance', 'n', 'mean', 'sd', 't', 'df', 'p_value', 'q_value', 'p_t', 'p_wilcoxon', 'p_sign_flip', 'cohens_d'];
const ERROR_COLUMNS = ['subject', 'stage', 'roi', 'target', 'code', 'file', 'message'];

/** The TSV tables written beside results.json. */
export function resultTables(r: Results): Record<string, string> {
  const behavior = r.subjects.filter((s) => s.behavior).map((s) => ({ ...s.behavior!, subject: s.id, flags: s.behavior!.flags.join(',') || null }));
  const decoding = r.subjects.flatMap((s) => s.decoding.map((d) => ({ ...d, subject: s.id })));
  return {
    'behavior.tsv': writeTsv(BEHAVIOR_COLUMNS, behavior as never),
    'decoding.tsv': writeTsv(DECODING_COLUMNS, decoding as never),
    'group.tsv': writeTsv(GROUP_COLUMNS, r.group as never),
    'errors.tsv': writeTsv(ERROR_COLUMNS, r.errors.map((e) => ({ ...e, message: e.message.replace(/[\t\n]+/g, ' ') })) as never),
  };
}
