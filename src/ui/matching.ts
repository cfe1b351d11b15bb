/**
 * From the files the user gave to runs ready for the extract worker: BIDS matching by name
 * (discoverAny: BIDS / fMRIPrep trees, else one loose run), each run's files as named Blobs,
 * and every matching problem as a coded Problem (error or warning).
 */
import { discoverAny, type RunLayout } from '../core/bids/layout.ts';
import type { NamedBlob, Problem, RunFiles } from '../platform/browser/extract-client.ts';
import type { PickedFile } from '../platform/browser/picked-files.ts';

export interface MatchedRun {
  layout: RunLayout;
  /** null when the run cannot be extracted (no events file). */
  files: RunFiles | null;
  partial: Partial<RunFiles>;
}

export interface Matching {
  mode: 'bids' | 'single' | 'none';
  runs: MatchedRun[];
  problems: Problem[];
}

/** Discovery codes that stop a run (the rest are warnings: something was ignored or chosen). */
const BLOCKING = new Set(['BIDS_NO_BOLD', 'BIDS_NO_EVENTS', 'SINGLE_NO_BOLD', 'SINGLE_AMBIGUOUS_BOLD']);

export function matchRuns(picked: readonly PickedFile[]): Matching {
  if (picked.length === 0) return { mode: 'none', runs: [], problems: [] };
  const byPath = new Map(picked.map((p) => [p.path, p.file]));
  const found = discoverAny([...byPath.keys()]);
  const named = (path: string | undefined): NamedBlob | undefined => {
    if (path === undefined) return undefined;
    const blob = byPath.get(path);
    return blob ? { name: path, blob } : undefined;
  };
  const runs: MatchedRun[] = [];
  for (const s of found.subjects) {
    for (const layout of s.runs) {
      const partial: Partial<RunFiles> = {
        bold: named(layout.bold), events: named(layout.events), confounds: named(layout.confounds),
        mask: named(layout.brainMask), boldJson: named(layout.boldJson),
      };
      for (const k of Object.keys(partial) as (keyof RunFiles)[]) if (partial[k] === undefined) delete partial[k];
      const files = partial.bold && partial.events ? (partial as RunFiles) : null;
      runs.push({ layout, files, partial });
    }
  }
  // With no run at all, discoverAny reports both the BIDS and the single-run reading of "no BOLD":
  // the BIDS message already names both ways out.
  const noBold = found.problems.some((p) => p.code === 'BIDS_NO_BOLD');
  const problems: Problem[] = found.problems.filter((p) => !(noBold && p.code === 'SINGLE_NO_BOLD')).map((w) => ({
    code: w.code, file: w.file ?? null, message: w.message, severity: BLOCKING.has(w.code) ? 'error' : 'warning',
  }));
  return { mode: found.mode, runs, problems };
}

/** Splits a message "file: what is wrong. What to do." into its cause and its fix (last sentence). */
export function splitFix(message: string, file: string | null): { what: string; fix: string | null } {
  let m = message.trim();
  if (file && m.startsWith(`${file}: `)) m = m.slice(file.length + 2);
  m = m.charAt(0).toUpperCase() + m.slice(1);
  const re = /[.)]\s+(?=[A-Z`'"])/g;
  let last = -1;
  let match: RegExpExecArray | null;
  while ((match = re.exec(m))) last = match.index + 1;
  if (last < 0) return { what: m, fix: null };
  return { what: m.slice(0, last).trim(), fix: m.slice(last).trim() };
}
