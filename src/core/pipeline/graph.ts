/**
 * The stage graph of one analysis (ARCHITECTURE.md "Data flow"):
 *
 *   discover ─► hash ─┬─► behavior ─┐                ┌─► decode ─► group
 *                     └─► extract ──┴─► dataset ─┼─► geometry
 *                                                └─► searchlight ─► searchlight_group
 *
 * - discover: files → subjects and runs (not cached: a directory listing);
 * - hash: the SHA-256 of every input file (cached by host identity + size + mtime, so a second
 *   run does not re-read the data; a touched file is re-hashed and hits everything downstream);
 * - behavior: the subject's hyperbolic fit and trial variables (events, scan lengths);
 * - extract: one entry per (run, ROI): trial patterns from the stream pass (the BOLD, events,
 *   confounds, design parameters, the ROI and its file);
 * - dataset: trials × voxels of one ROI with one target, over runs (not cached: a join);
 * - decode: CV score and permutation test of one (subject, ROI, target);
 * - group: tests across subjects and FDR over ROI × target;
 * - geometry: RDM, RSA, PCA, MDS and the within/between ratio of one (subject, ROI);
 * - searchlight: the whole-brain score map of one (subject, target), from the `brain` patterns of
 *   the same stream pass as the ROIs;
 * - searchlight_group: the group t map per target across subjects (not cached: a join of maps).
 *
 * A stage's key is the hash of its inputs' content (file hashes, or the keys of the stages it
 * reads), the parameters it uses (PARAM_STAGE below) and its code version (STAGE_VERSIONS).
 * Changing a parameter therefore recomputes exactly the stages downstream of the first stage
 * that reads it.
 */
export type StageName = 'discover' | 'hash' | 'behavior' | 'extract' | 'dataset' | 'decode' | 'group' | 'geometry' | 'searchlight' | 'searchlight_group';

export const STAGE_NAMES: readonly StageName[] = ['discover', 'hash', 'behavior', 'extract', 'dataset', 'decode', 'group', 'geometry', 'searchlight', 'searchlight_group'];

/** Stages whose results are cached. */
export const CACHED_STAGES: readonly StageName[] = ['hash', 'behavior', 'extract', 'decode', 'group', 'geometry', 'searchlight'];

/** Version of each stage's code: bump it when the stage computes something different. */
export const STAGE_VERSIONS: Readonly<Record<StageName, number>> = {
  discover: 1, hash: 1, behavior: 1, extract: 1, dataset: 1, decode: 2, group: 1, geometry: 1, searchlight: 1, searchlight_group: 1,
};

/** Direct inputs of each stage. */
export const STAGE_INPUTS: Readonly<Record<StageName, readonly StageName[]>> = {
  discover: [],
  hash: ['discover'],
  behavior: ['hash'],
  extract: ['hash'],
  dataset: ['behavior', 'extract'],
  decode: ['dataset'],
  group: ['decode'],
  geometry: ['dataset'],
  searchlight: ['dataset'],
  searchlight_group: ['searchlight'],
};

/**
 * The first stages that read each config field (by dotted path prefix; the first matching prefix
 * wins). The searchlight decodes with the ROI decoding's model settings, so those reach it too.
 */
export const PARAM_STAGE: ReadonlyArray<[prefix: string, stages: readonly StageName[]]> = [
  ['data.', ['discover']],
  ['rois', ['extract']],
  ['patterns.', ['extract']],
  ['behavior.', ['behavior']],
  ['decoding.targets', ['dataset']],
  ['decoding.permutations', ['decode']],
  ['decoding.', ['decode', 'searchlight']],
  ['geometry.', ['geometry']],
  ['searchlight.', ['searchlight']],
  ['group.', ['group']],
  ['seed', ['decode', 'geometry', 'searchlight']],
];

/** The stages that first read a config field. */
export function stagesOfParam(path: string): StageName[] {
  for (const [prefix, stages] of PARAM_STAGE) if (path === prefix || path.startsWith(prefix)) return [...stages];
  throw new Error(`no stage reads config field ${path}`);
}

/** The first of them (the earliest in the graph). */
export function stageOfParam(path: string): StageName {
  return stagesOfParam(path)[0]!;
}

/** Stages and every stage that (transitively) reads them. */
export function downstreamOf(...stages: StageName[]): StageName[] {
  const out = new Set<StageName>(stages);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of STAGE_NAMES) {
      if (!out.has(s) && STAGE_INPUTS[s].some((i) => out.has(i))) { out.add(s); grew = true; }
    }
  }
  return STAGE_NAMES.filter((s) => out.has(s));
}

export interface StageStat {
  /** Served from the cache (the stage was not computed). */
  hits: number;
  /** Computed. */
  misses: number;
  /** Wall time spent in the stage (summed over subjects and workers). */
  seconds: number;
}

export type StageStats = Record<StageName, StageStat>;

export function emptyStats(): StageStats {
  return Object.fromEntries(STAGE_NAMES.map((s) => [s, { hits: 0, misses: 0, seconds: 0 }])) as StageStats;
}

export function addStats(into: StageStats, from: StageStats): StageStats {
  for (const s of STAGE_NAMES) {
    into[s].hits += from[s].hits;
    into[s].misses += from[s].misses;
    into[s].seconds += from[s].seconds;
  }
  return into;
}
