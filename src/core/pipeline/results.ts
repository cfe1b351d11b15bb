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
import { CONFIG_SCHEMA_VERSION, configHash, decodingFor, type Config } from './config.ts';
import type { GeometryRow, SubjectTrials } from './geometry-stage.ts';
import { subjectMapFile, voxelMm } from './map-files.ts';
import type { GroupSearchlight } from './searchlight-stage.ts';
import { CACHED_STAGES, STAGE_NAMES, type StageStats } from './graph.ts';
import type { DecodingRow, PipelinePlan, SubjectError, SubjectOutcome } from './runner.ts';
import type { GroupRow, InputHash } from './stages.ts';
import { chanceLevel } from '../mvpa/metrics.ts';

/** 2: subjects[].trials, subjects[].geometry and searchlight (optional when reading version 1). */
export const RESULTS_SCHEMA_VERSION = 2;

export type { GeometryRow, SubjectTrials } from './geometry-stage.ts';

export interface SubjectResult {
  id: string;
  runs: SubjectOutcome['runs'];
  behavior: SubjectOutcome['behavior'];
  /** Per-trial behaviour (all trials of all runs, in run then onset order); absent in version 1. */
  trials?: SubjectTrials | null;
  decoding: DecodingRow[];
  /** One row per ROI when geometry is enabled; absent in version 1. */
  geometry?: GeometryRow[];
  warnings: DdWarning[];
  errors: Omit<SubjectError, 'subject'>[];
}

export interface SearchlightMapRow {
  subject: string;
  target: string;
  /** NIfTI file beside results.json (CLI: OUT/searchlight/…; browser: offered as a download). */
  file: string;
  p_file: string | null;
  n_voxels: number;
  peak: { score: number; mm: [number, number, number] } | null;
  mean: number | null;
  /** This map's model, metric (and its chance), CV and samples: targets may differ in kind. */
  model: string;
  metric: string;
  chance: number;
  cv: string;
  n_samples: number;
}

export interface SearchlightGroupRow {
  target: string;
  file: string;
  n: number;
  df: number;
  peak: { t: number; mm: [number, number, number] } | null;
}

export interface SearchlightResults {
  radius_mm: number;
  /** Of the first target (each map row has its own). */
  model: string;
  cv: string;
  metric: string;
  chance: number;
  n_permutations: number;
  maps: SearchlightMapRow[];
  group: SearchlightGroupRow[];
}

export interface Results {
  schema_version: number;
  subjects: SubjectResult[];
  /** Every failure of the run: whole subjects (BOLD unreadable, no events) and single decodings. */
  errors: SubjectError[];
  group: GroupRow[];
  /** Whole-brain searchlight maps, when enabled (absent in version 1). */
  searchlight?: SearchlightResults;
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
  /** Searchlight group t maps (runPipeline). */
  searchlightGroups?: GroupSearchlight[];
  /** Run-level findings besides discovery's (e.g. maps on different grids). */
  warnings?: DdWarning[];
}

/** The searchlight section from the subjects' maps and the group maps. */
function searchlightResults(r: BuildResultsInput): SearchlightResults | undefined {
  const c = r.config;
  if (!c.searchlight.enabled) return undefined;
  const maps: SearchlightMapRow[] = r.outcomes.flatMap((o) => o.searchlight.map((m) => {
    const i = m.ok!;
    return {
      subject: o.id, target: i.target, file: subjectMapFile(o.id, i.target, 'score'), p_file: m.p.length > 0 ? subjectMapFile(o.id, i.target, 'p') : null,
      n_voxels: i.n_voxels, peak: i.peak ? { score: i.peak.score, mm: voxelMm(i.grid, i.peak.index) } : null, mean: i.mean,
      model: i.model, metric: i.metric, chance: i.chance, cv: i.cv, n_samples: i.n_samples,
    };
  }));
  const first = decodingFor(c, c.searchlight.targets[0]!);
  const m0 = maps[0];
  return {
    radius_mm: c.searchlight.radius_mm, model: m0?.model ?? first.model, cv: m0?.cv ?? c.decoding.cv, metric: m0?.metric ?? first.metric,
    chance: m0?.chance ?? chanceLevel(first.metric), n_permutations: c.searchlight.permutations, maps,
    group: (r.searchlightGroups ?? []).map((g) => ({ target: g.target, file: g.file, n: g.n, df: g.df, peak: g.peak })),
  };
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
      id: o.id, runs: o.runs, behavior: o.behavior, trials: o.trials, decoding: o.decoding, geometry: o.geometry, warnings: o.warnings,
      errors: o.errors.map(({ subject: _s, ...e }) => e),
    })),
    errors,
    group: r.group,
    ...(r.config.searchlight.enabled ? { searchlight: searchlightResults(r) } : {}),
    warnings: [...r.plan.warnings, ...(r.warnings ?? [])],
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
const GEOMETRY_COLUMNS = ['subject', 'roi', 'rdm_method', 'n_trials', 'n_voxels', 'model', 'rho', 'p_value', 'q_value', 'participation_ratio', 'ratio', 'ratio_p'];

/** The TSV tables written beside results.json. */
export function resultTables(r: Results): Record<string, string> {
  const behavior = r.subjects.filter((s) => s.behavior).map((s) => ({ ...s.behavior!, subject: s.id, flags: s.behavior!.flags.join(',') || null }));
  const decoding = r.subjects.flatMap((s) => s.decoding.map((d) => ({ ...d, subject: s.id })));
  // One row per subject × ROI × model (version 1 results have none).
  const geometry = r.subjects.flatMap((s) => (s.geometry ?? []).flatMap((g) => g.rsa.map((x) => ({
    subject: s.id, roi: g.roi, rdm_method: g.rdm_method, n_trials: g.n_trials, n_voxels: g.n_voxels, model: x.model, rho: x.rho, p_value: x.p_value,
    q_value: x.q_value, participation_ratio: g.pca.participation_ratio, ratio: g.ratio?.ratio ?? null, ratio_p: g.ratio?.p_value ?? null,
  }))));
  return {
    'behavior.tsv': writeTsv(BEHAVIOR_COLUMNS, behavior as never),
    'decoding.tsv': writeTsv(DECODING_COLUMNS, decoding as never),
    'group.tsv': writeTsv(GROUP_COLUMNS, r.group as never),
    'errors.tsv': writeTsv(ERROR_COLUMNS, r.errors.map((e) => ({ ...e, message: e.message.replace(/[\t\n]+/g, ' ') })) as never),
    'geometry.tsv': writeTsv(GEOMETRY_COLUMNS, geometry as never),
  };
}
