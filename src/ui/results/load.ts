/**
 * Opening a results.json (made by `ddmvpa run`, e.g. on a cluster, or by this page): parse,
 * check the schema version and the shape the viewer relies on, and derive the TSV tables the
 * same way the CLI writes them (src/core/pipeline/results.ts resultTables).
 */
import { DdError } from '../../core/errors.ts';
import { RESULTS_SCHEMA_VERSION, resultTables, type Results } from '../../core/pipeline/results.ts';

export interface LoadedResults {
  results: Results;
  tables: Record<string, string>;
  /** Where they came from (a file name, or "this browser"). */
  source: string;
  /** The exact JSON text to download again. */
  json: string;
  /** The same as a file, when the worker that ran the analysis made it (the page then never builds the text). */
  jsonBlob?: Blob;
  /** NIfTI maps keyed by their path relative to results.json (searchlight/…nii.gz): a browser run's, or files picked beside results.json. */
  files?: Record<string, Uint8Array>;
}

/** Versions this viewer opens (version 1 files simply have no maps or geometry). */
const READABLE_VERSIONS = new Set([1, 2, RESULTS_SCHEMA_VERSION]);

export function parseResultsJson(text: string, file: string): LoadedResults {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DdError('RESULTS_BAD_JSON', `${file}: not valid JSON (${(e as Error).message}). Choose the results.json that ddmvpa run wrote.`, { file, cause: e });
  }
  const r = raw as Partial<Results> | null;
  if (!r || typeof r !== 'object' || Array.isArray(r) || !('schema_version' in r)) {
    throw new DdError('RESULTS_NOT_RESULTS', `${file}: this JSON has no schema_version, so it is not a ddmvpa results.json (config.json and truth.json are not results). Choose OUT/results.json of ddmvpa run.`, { file });
  }
  if (typeof r.schema_version !== 'number' || !READABLE_VERSIONS.has(r.schema_version)) {
    throw new DdError('RESULTS_UNSUPPORTED_VERSION', `${file}: results schema_version ${JSON.stringify(r.schema_version)}; this page reads versions ${[...READABLE_VERSIONS].join(' and ')}. Open it with the ddmvpa version that wrote it, or run the analysis again.`, { file });
  }
  if (!Array.isArray(r.subjects) || !Array.isArray(r.group) || !Array.isArray(r.errors) || !r.provenance || typeof r.provenance !== 'object') {
    throw new DdError('RESULTS_NOT_RESULTS', `${file}: subjects, group, errors or provenance is missing or of the wrong kind; the file is incomplete or not a ddmvpa results.json.`, { file });
  }
  const results = r as Results;
  results.warnings ??= [];
  for (const s of results.subjects) {
    s.decoding ??= [];
    s.errors ??= [];
    s.warnings ??= [];
  }
  return { results, tables: resultTables(results), source: file, json: text };
}

/** results.json's text, as `ddmvpa run` writes it. */
export function resultsJsonText(results: Results): string {
  return JSON.stringify(results, null, 2) + '\n';
}

export function fromRun(results: Results, tables: Record<string, string>, files?: Record<string, Uint8Array>, jsonBlob?: Blob): LoadedResults {
  // The JSON text is made when first asked for: stringifying a full run's results takes ~20 ms of
  // the main thread, which should not add to the results' first render.
  let json: string | null = null;
  return {
    results, tables, source: 'this browser', files, jsonBlob,
    get json() { return (json ??= resultsJsonText(results)); },
  };
}
