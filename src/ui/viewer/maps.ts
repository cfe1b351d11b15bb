/**
 * The NIfTI maps a results.json refers to (searchlight score / p maps per subject × target, group
 * t maps) and where their bytes come from: a browser run keeps them in memory keyed by the
 * contract's `file` path; a results.json opened from disk gets them from files the user drops or
 * picks beside it, matched by file name.
 */
import type { ResultsV2, SearchlightResults } from './types.ts';

export type MapKind = 'score' | 'p' | 't';

export interface MapEntry {
  /** Path relative to results.json, e.g. searchlight/sub-01_target-choice_score.nii.gz. */
  file: string;
  kind: MapKind;
  target: string;
  subject: string | null;
  /** What the viewer's menus and buttons call it. */
  label: string;
  /** Units of the voxel values, for the threshold and the colour bar. */
  unit: string;
  /** Default threshold: chance for scores, t of 3 for group maps (voxels below are not drawn). */
  threshold: number;
  peak: { value: number; mm: [number, number, number] } | null;
}

export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export function listMaps(sl: SearchlightResults | undefined): MapEntry[] {
  if (!sl) return [];
  const out: MapEntry[] = [];
  for (const g of sl.group) {
    out.push({ file: g.file, kind: 't', target: g.target, subject: null, label: `Group t map · ${g.target} (n = ${g.n})`, unit: `t (df ${g.df})`, threshold: 3, peak: g.peak?.mm ? { value: g.peak.t, mm: g.peak.mm } : null });
  }
  for (const m of sl.maps) {
    const metric = m.metric ?? sl.metric;
    out.push({ file: m.file, kind: 'score', target: m.target, subject: m.subject, label: `sub-${m.subject} · ${m.target} · ${metric}`, unit: metric.replace(/_/g, ' '), threshold: m.chance ?? sl.chance, peak: m.peak?.mm ? { value: m.peak.score, mm: m.peak.mm } : null });
    if (m.p_file) out.push({ file: m.p_file, kind: 'p', target: m.target, subject: m.subject, label: `sub-${m.subject} · ${m.target} · permutation p`, unit: 'p', threshold: 0.05, peak: null });
  }
  return out;
}

/** Maps the viewer can draw (p maps are offered as downloads only: small is significant there). */
export const viewable = (m: MapEntry) => m.kind !== 'p';

export function hasMaps(r: ResultsV2): boolean {
  return !!r.searchlight && (r.searchlight.maps.length > 0 || r.searchlight.group.length > 0);
}

/**
 * Bytes of picked files keyed by the contract path they stand for (matched by file name); files
 * that match no map are returned in `unmatched` so the page can say so.
 */
export function matchMapFiles(maps: MapEntry[], picked: { name: string; bytes: Uint8Array }[]): { files: Record<string, Uint8Array>; unmatched: string[] } {
  const byName = new Map(maps.map((m) => [baseName(m.file), m.file]));
  const files: Record<string, Uint8Array> = {};
  const unmatched: string[] = [];
  for (const p of picked) {
    const path = byName.get(baseName(p.name));
    if (path) files[path] = p.bytes;
    else unmatched.push(p.name);
  }
  return { files, unmatched };
}
