/**
 * The stage graph of one analysis (ARCHITECTURE.md "Data flow"):
 *
 *   discover ─► hash ─┬─► behavior ─┐
 *                     └─► extract ──┴─► dataset ─► decode ─► group
 *
 * - discover: files → subjects and runs (not cached: a directory listing);
 * - hash: the SHA-256 of every input file (cached by host identity + size + mtime, so a second
 *   run does not re-read the data; a touched file is re-hashed and hits everything downstream);
 * - behavior: the subject's hyperbolic fit and trial variables (events, scan lengths);
 * - extract: one entry per (run, ROI): trial patterns from the stream pass (the BOLD, events,
 *   confounds, design parameters, the ROI and its file);
 * - dataset: trials × voxels of one ROI with one target, over runs (not cached: a join);
 * - decode: CV score and permutation test of one (subject, ROI, target);
 * - group: tests across subjects and FDR over ROI × target.
 *
 * A stage's key is the hash of its inputs' content (file hashes, or the keys of the stages it
 * reads), the parameters it uses (PARAM_STAGE below) and its code version (STAGE_VERSIONS).
 * Changing a parameter therefore recomputes exactly the stages downstream of the first stage
 * that reads it.
 */
export type StageName = 'discover' | 'hash' | 'behavior' | 'extract' | 'dataset' | 'decode' | 'group';

export const STAGE_NAMES: readonly StageName[] = ['discover', 'hash', 'behavior', 'extract', 'dataset', 'decode', 'group'];

/** Stages whose results are cached. */
export const CACHED_STAGES: readonly StageName[] = ['hash', 'behavior', 'extract', 'decode', 'group'];

/** Version of each stage's code: bump it when the stage computes something different. */
export const STAGE_VERSIONS: Readonly<Record<StageName, number>> = {
  discover: 1, hash: 1, behavior: 1, extract: 1, dataset: 1, decode: 2, group: 1,
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
};

/** The first stage that reads each config field (by dotted path prefix). */
export const PARAM_STAGE: ReadonlyArray<[prefix: string, stage: StageName]> = [
  ['data.', 'discover'],
  ['rois', 'extract'],
  ['patterns.', 'extract'],
  ['behavior.', 'behavior'],
  ['decoding.targets', 'dataset'],
  ['decoding.', 'decode'],
  ['group.', 'group'],
  ['seed', 'decode'],
];

export function stageOfParam(path: string): StageName {
  for (const [prefix, stage] of PARAM_STAGE) if (path === prefix || path.startsWith(prefix)) return stage;
  throw new Error(`no stage reads config field ${path}`);
}

/** A stage and every stage that (transitively) reads it. */
export function downstreamOf(stage: StageName): StageName[] {
  const out = new Set<StageName>([stage]);
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
