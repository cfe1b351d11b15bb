/**
 * Dataset discovery by pure path matching: the host lists files (drag-and-drop relative paths in
 * the browser, a directory walk in Node), this module groups them into runs. Host-agnostic: no
 * file is opened here.
 *
 * Understands raw BIDS (`sub-X/[ses-Y/]func/sub-X[_ses-Y]_task-T[_run-Z]_bold.nii[.gz]`,
 * `_events.tsv`, `_bold.json`, inherited `task-T_bold.json`) and fMRIPrep derivatives
 * (`_space-S[_res-N]_desc-preproc_bold.nii.gz`, `_desc-confounds_timeseries.tsv` (and the older
 * `_desc-confounds_regressors.tsv` / `_bold_confounds.tsv`), `_space-S[_res-N]_desc-brain_mask.nii.gz`).
 * Events may live only in the raw tree while BOLD is in derivatives: runs are matched by their
 * entities (sub, ses, task, acq, ce, rec, dir, run), never by folder.
 */
import type { DdWarning } from '../errors.ts';

export interface RunLayout {
  /** Subject label without `sub-` (e.g. `s061`). */
  subject: string;
  session?: string;
  task: string;
  /** Run index (BIDS `run-01` and `run-1` are the same run). */
  run?: number;
  /** e.g. `sub-s061_ses-2_task-discountFix_run-1` (acq/ce/rec/dir included when present). */
  id: string;
  bold: string;
  events?: string;
  confounds?: string;
  brainMask?: string;
  boldJson?: string;
  /** Output space of a derivative BOLD (`MNI152NLin2009cAsym`, `T1w`, …); undefined for raw BOLD. */
  space?: string;
  res?: string;
  /** true when `bold` is an fMRIPrep (derivative) file. */
  derivative: boolean;
}

export interface SubjectLayout {
  subject: string;
  runs: RunLayout[];
}

export interface DiscoverOptions {
  /** Task label to keep; default `discountFix` when present, else every task. `'*'` keeps all. */
  task?: string;
  /** Preferred output space(s), tried before the defaults (MNI152NLin2009cAsym first). */
  space?: string | string[];
  /** Preferred `res-` label (e.g. '2'); default: native/none, then 2, then the rest ascending. */
  res?: string;
}

export interface DiscoverResult {
  subjects: SubjectLayout[];
  problems: DdWarning[];
}

export const DEFAULT_SPACE_PREFERENCE = ['MNI152NLin2009cAsym', 'MNI152NLin6Asym', 'MNI152NLin2009cSym', 'MNI152NLin6Sym', 'T1w'];
const DEFAULT_TASK = 'discountFix';
/** Entities that identify a run (everything else — space, res, desc, echo — is a variant of it). */
const RUN_KEY_ENTITIES = ['sub', 'ses', 'task', 'acq', 'ce', 'rec', 'dir', 'run'] as const;

export interface BidsName {
  path: string;
  basename: string;
  entities: Record<string, string>;
  suffix: string;
  /** `nii`, `nii.gz`, `tsv`, `json`, … (lower case) */
  ext: string;
  underDerivatives: boolean;
}

/** Splits a BIDS file name into entities, suffix and extension; null if it has no suffix. */
export function parseBidsName(path: string): BidsName | null {
  const norm = path.replace(/\\/g, '/');
  const basename = norm.slice(norm.lastIndexOf('/') + 1);
  const m = /^(.*?)\.((?:nii\.gz)|(?:tsv\.gz)|[A-Za-z0-9]+)$/.exec(basename);
  if (!m) return null;
  let stem = m[1]!;
  const ext = m[2]!.toLowerCase();
  // fMRIPrep < 1.2 wrote `…_bold_confounds.tsv`: `bold` there is part of the suffix.
  if (stem.endsWith('_bold_confounds')) stem = stem.slice(0, -'_bold_confounds'.length) + '_confounds';
  const parts = stem.split('_');
  const suffix = parts.pop()!;
  if (!suffix || suffix.includes('-')) return null;
  const entities: Record<string, string> = {};
  for (const p of parts) {
    const dash = p.indexOf('-');
    if (dash <= 0) return null;
    entities[p.slice(0, dash)] = p.slice(dash + 1);
  }
  return { path, basename, entities, suffix, ext, underDerivatives: /(^|\/)derivatives\//.test(norm) };
}

function runNumber(e: Record<string, string>): number | undefined {
  if (e.run === undefined) return undefined;
  const n = Number.parseInt(e.run, 10);
  return Number.isFinite(n) ? n : undefined;
}

function runKey(e: Record<string, string>): string {
  return RUN_KEY_ENTITIES.map((k) => {
    if (e[k] === undefined) return '';
    return k === 'run' ? `run-${runNumber(e) ?? e.run}` : `${k}-${e[k]}`;
  }).join('|');
}

function runId(e: Record<string, string>): string {
  return RUN_KEY_ENTITIES.filter((k) => e[k] !== undefined)
    .map((k) => (k === 'run' ? `run-${runNumber(e) ?? e.run}` : `${k}-${e[k]}`))
    .join('_');
}

/** True when every run-key entity of `general` equals that of `specific` (BIDS inheritance). */
function appliesTo(general: Record<string, string>, specific: Record<string, string>): boolean {
  for (const k of RUN_KEY_ENTITIES) {
    if (general[k] === undefined) continue;
    if (k === 'run') { if (runNumber(general) !== runNumber(specific)) return false; continue; }
    if (general[k] !== specific[k]) return false;
  }
  return true;
}

function specificity(e: Record<string, string>): number {
  return RUN_KEY_ENTITIES.filter((k) => e[k] !== undefined).length;
}

const isNifti = (n: BidsName) => n.ext === 'nii' || n.ext === 'nii.gz';

type Role = 'bold' | 'events' | 'confounds' | 'mask' | 'json';
function roleOf(n: BidsName): Role | null {
  const desc = n.entities.desc;
  if (n.suffix === 'bold' && isNifti(n)) return desc === undefined || desc === 'preproc' ? 'bold' : null;
  if (n.suffix === 'bold' && n.ext === 'json') return desc === undefined || desc === 'preproc' ? 'json' : null;
  if (n.suffix === 'events' && n.ext === 'tsv') return 'events';
  if ((n.suffix === 'timeseries' || n.suffix === 'regressors') && desc === 'confounds' && n.ext === 'tsv') return 'confounds';
  if (n.suffix === 'confounds' && n.ext === 'tsv' && n.basename.endsWith('_bold_confounds.tsv')) return 'confounds';
  if (n.suffix === 'mask' && desc === 'brain' && isNifti(n)) return 'mask';
  return null;
}

function spaceRank(space: string | undefined, prefs: string[]): number {
  if (space === undefined) return prefs.length + 1000; // derivative in native BOLD space
  const i = prefs.indexOf(space);
  return i >= 0 ? i : prefs.length;
}

function resRank(res: string | undefined, pref: string | undefined): number {
  if (pref !== undefined && res === pref) return -1;
  if (res === undefined || res === 'native') return 0;
  if (res === '2') return 1;
  const n = Number.parseFloat(res);
  return 2 + (Number.isFinite(n) ? n : 1000);
}

function variant(n: BidsName): string {
  return `${n.entities.space ?? ''}|${n.entities.res ?? ''}|${n.entities.echo ?? ''}`;
}

/**
 * Groups a flat list of paths into subjects and runs. Never throws: everything odd becomes a
 * problem (a DdWarning naming the file and the fix).
 */
export function discoverDataset(paths: string[], opts: DiscoverOptions = {}): DiscoverResult {
  const problems: DdWarning[] = [];
  const prefs = [...(typeof opts.space === 'string' ? [opts.space] : opts.space ?? []), ...DEFAULT_SPACE_PREFERENCE];

  const byRole: Record<Role, BidsName[]> = { bold: [], events: [], confounds: [], mask: [], json: [] };
  for (const p of [...paths].sort()) {
    const n = parseBidsName(p);
    if (!n) continue;
    const role = roleOf(n);
    if (!role) continue;
    if (role !== 'json' && n.entities.sub === undefined) continue;
    if (n.entities.task === undefined) continue;
    byRole[role].push(n);
  }

  // Task filter.
  const tasks = new Set(byRole.bold.map((b) => b.entities.task!));
  const task = opts.task ?? (tasks.has(DEFAULT_TASK) ? DEFAULT_TASK : '*');
  const keepTask = (n: BidsName) => task === '*' || n.entities.task === task;
  const otherTasks = [...tasks].filter((t) => task !== '*' && t !== task);
  if (otherTasks.length > 0) {
    problems.push({
      code: 'BIDS_OTHER_TASKS_IGNORED',
      message: `Runs of task(s) ${otherTasks.join(', ')} were ignored; only task '${task}' is analysed. Choose another task in the data settings to analyse those.`,
    });
  }
  if (task !== '*' && byRole.bold.length > 0 && !tasks.has(task)) {
    problems.push({
      code: 'BIDS_TASK_NOT_FOUND',
      message: `No BOLD file of task '${task}' was found (tasks present: ${[...tasks].join(', ') || 'none'}). Choose one of those tasks.`,
    });
  }

  // BOLD candidates grouped by run key.
  const boldByKey = new Map<string, BidsName[]>();
  for (const b of byRole.bold.filter(keepTask)) {
    const k = runKey(b.entities);
    (boldByKey.get(k) ?? boldByKey.set(k, []).get(k)!).push(b);
  }

  const eventsFiles = byRole.events.filter(keepTask);
  const usedEvents = new Set<string>();
  const runs: RunLayout[] = [];

  for (const [key, cands] of boldByKey) {
    const derivs = cands.filter((c) => c.entities.desc === 'preproc' || c.entities.space !== undefined);
    const pool = derivs.length > 0 ? derivs : cands;
    const sorted = [...pool].sort((a, b) =>
      spaceRank(a.entities.space, prefs) - spaceRank(b.entities.space, prefs) ||
      resRank(a.entities.res, opts.res) - resRank(b.entities.res, opts.res) ||
      (a.entities.space ?? '').localeCompare(b.entities.space ?? '') ||
      (a.ext === 'nii.gz' ? 0 : 1) - (b.ext === 'nii.gz' ? 0 : 1) ||
      a.path.length - b.path.length || a.path.localeCompare(b.path));
    const bold = sorted[0]!;
    const e = bold.entities;
    const dups = sorted.filter((c) => c !== bold && variant(c) === variant(bold));
    if (dups.length > 0) {
      problems.push({
        code: 'BIDS_DUPLICATE',
        file: bold.path,
        message: `Several BOLD files match run ${runId(e)} (${[bold, ...dups].map((d) => d.path).join(', ')}); using ${bold.path}. Remove the extra copies from the selection.`,
      });
    }
    if (typeof opts.space === 'string' && e.space !== opts.space && derivs.length > 0) {
      problems.push({
        code: 'BIDS_SPACE_FALLBACK', file: bold.path,
        message: `Run ${runId(e)} has no BOLD in space ${opts.space}; using ${e.space ?? 'native'} (${bold.path}). Add the ${opts.space} output of fMRIPrep or choose that space.`,
      });
    }

    const run: RunLayout = {
      subject: e.sub!, task: e.task!, id: runId(e), bold: bold.path, derivative: derivs.length > 0,
    };
    if (e.ses !== undefined) run.session = e.ses;
    const rn = runNumber(e);
    if (rn !== undefined) run.run = rn;
    if (run.derivative) {
      if (e.space !== undefined) run.space = e.space;
      if (e.res !== undefined) run.res = e.res;
    }

    // Events: exact run key first, else the most specific inherited file (BIDS inheritance).
    const exactEv = eventsFiles.filter((ev) => runKey(ev.entities) === key);
    let evCands = exactEv;
    if (evCands.length === 0) {
      const inh = eventsFiles.filter((ev) => appliesTo(ev.entities, e));
      const best = Math.max(-1, ...inh.map((ev) => specificity(ev.entities)));
      evCands = inh.filter((ev) => specificity(ev.entities) === best);
    }
    if (evCands.length > 0) {
      const ranked = [...evCands].sort((a, b) => Number(a.underDerivatives) - Number(b.underDerivatives) || a.path.localeCompare(b.path));
      run.events = ranked[0]!.path;
      for (const ev of ranked) usedEvents.add(ev.path);
      if (ranked.length > 1) {
        problems.push({
          code: 'BIDS_DUPLICATE', file: run.events,
          message: `Several events files match run ${run.id} (${ranked.map((r) => r.path).join(', ')}); using ${run.events}. Keep one events file per run.`,
        });
      }
    } else {
      problems.push({
        code: 'BIDS_NO_EVENTS', file: bold.path,
        message: `${bold.path}: no events file matches run ${run.id}. Add ${run.id}_events.tsv (same sub/ses/task/run entities) to the raw BIDS folder and include that folder with the derivatives, or skip this run.`,
      });
    }

    // Confounds (any space): timeseries > regressors > old _bold_confounds.
    const conf = byRole.confounds.filter((c) => runKey(c.entities) === key);
    if (conf.length > 0) {
      const rank = (c: BidsName) => (c.suffix === 'timeseries' ? 0 : c.suffix === 'regressors' ? 1 : 2);
      const ranked = [...conf].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
      run.confounds = ranked[0]!.path;
      const same = ranked.filter((c) => rank(c) === rank(ranked[0]!));
      if (same.length > 1) {
        problems.push({
          code: 'BIDS_DUPLICATE', file: run.confounds,
          message: `Several confounds files match run ${run.id} (${same.map((s) => s.path).join(', ')}); using ${run.confounds}. Keep one fMRIPrep output folder per subject.`,
        });
      }
    }

    // Brain mask in the same space and resolution as the chosen BOLD.
    if (run.derivative) {
      const masks = byRole.mask.filter((m) => runKey(m.entities) === key && m.entities.space === e.space && m.entities.res === e.res);
      if (masks.length > 0) {
        const ranked = [...masks].sort((a, b) => a.path.localeCompare(b.path));
        run.brainMask = ranked[0]!.path;
        if (ranked.length > 1) {
          problems.push({
            code: 'BIDS_DUPLICATE', file: run.brainMask,
            message: `Several brain masks match run ${run.id} in space ${e.space ?? 'native'} (${ranked.map((r) => r.path).join(', ')}); using ${run.brainMask}. Remove the extra copies.`,
          });
        }
      }
    }

    // Sidecar JSON: derivative JSON of the chosen BOLD > raw / inherited JSON (most specific).
    const dj = byRole.json.find((j) => j.entities.sub !== undefined && runKey(j.entities) === key && j.entities.desc === 'preproc' &&
      j.entities.space === e.space && j.entities.res === e.res && run.derivative);
    if (dj) run.boldJson = dj.path;
    else {
      // Raw sidecars only: a `_bold.json` under derivatives/ without desc is an MRIQC IQM file.
      const raw = byRole.json.filter((j) => !j.underDerivatives && j.entities.desc === undefined && j.entities.space === undefined && appliesTo(j.entities, e));
      if (raw.length > 0) {
        raw.sort((a, b) => specificity(b.entities) - specificity(a.entities) || a.path.localeCompare(b.path));
        run.boldJson = raw[0]!.path;
      }
    }
    runs.push(run);
  }

  for (const ev of eventsFiles) {
    if (usedEvents.has(ev.path)) continue;
    if (ev.entities.sub === undefined) continue;
    problems.push({
      code: 'BIDS_EVENTS_WITHOUT_BOLD', file: ev.path,
      message: `${ev.path}: no BOLD file matches this events file (run ${runId(ev.entities)}). Add the run's BOLD (raw _bold.nii.gz or fMRIPrep _desc-preproc_bold.nii.gz) to the selection, or remove the events file.`,
    });
  }

  const spaces = new Set(runs.filter((r) => r.derivative).map((r) => r.space ?? 'native'));
  if (spaces.size > 1) {
    problems.push({
      code: 'BIDS_MIXED_SPACES',
      message: `Runs are in different spaces (${[...spaces].join(', ')}); group maps need one space. Include the same fMRIPrep output space for every subject or choose the space explicitly.`,
    });
  }
  if (runs.length === 0) {
    problems.push({
      code: 'BIDS_NO_BOLD',
      message: `No BOLD run found among ${paths.length} file(s). Select a BIDS dataset (sub-*/func/*_bold.nii.gz) or fMRIPrep derivatives (*_desc-preproc_bold.nii.gz), or drop one NIfTI and its events.tsv together (single-run mode).`,
    });
  }

  const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  runs.sort((a, b) => natural(a.subject, b.subject) || natural(a.session ?? '', b.session ?? '') || natural(a.task, b.task) ||
    (a.run ?? 0) - (b.run ?? 0) || natural(a.id, b.id));
  const subjects: SubjectLayout[] = [];
  for (const r of runs) {
    const last = subjects[subjects.length - 1];
    if (last && last.subject === r.subject) last.runs.push(r);
    else subjects.push({ subject: r.subject, runs: [r] });
  }
  return { subjects, problems };
}

/** Motion-parameter text files (MCFLIRT .par, SPM rp_*.txt, PyMVPA bold_moest.txt). */
export function isMotionTextPath(path: string): boolean {
  const b = path.replace(/\\/g, '/').split('/').pop()!.toLowerCase();
  return b.endsWith('.par') || /^rp_.*\.txt$/.test(b) || /moest.*\.txt$/.test(b) || /motion.*\.txt$/.test(b);
}

/**
 * Single-run mode for loose files dropped together: one BOLD NIfTI + an events TSV (+ optional
 * confounds TSV or motion .txt/.par, brain mask NIfTI, sidecar JSON). Names need not be BIDS.
 */
export function singleRunFromFiles(paths: string[]): { run: RunLayout | null; problems: DdWarning[] } {
  const problems: DdWarning[] = [];
  const base = (p: string) => p.replace(/\\/g, '/').split('/').pop()!;
  const lower = (p: string) => base(p).toLowerCase();
  const niftis = paths.filter((p) => /\.nii(\.gz)?$/.test(lower(p)));
  const masks = niftis.filter((p) => /mask/.test(lower(p)));
  const bolds = niftis.filter((p) => !/mask/.test(lower(p)));
  const tsvs = paths.filter((p) => lower(p).endsWith('.tsv'));
  const confTsv = tsvs.filter((p) => /confound|regressor/.test(lower(p)));
  const evTsv = tsvs.filter((p) => !/confound|regressor/.test(lower(p)));
  const motion = paths.filter(isMotionTextPath);
  const jsons = paths.filter((p) => lower(p).endsWith('.json'));

  if (bolds.length !== 1) {
    problems.push({
      code: bolds.length === 0 ? 'SINGLE_NO_BOLD' : 'SINGLE_AMBIGUOUS_BOLD',
      file: bolds[0],
      message: bolds.length === 0
        ? 'No BOLD NIfTI (.nii or .nii.gz) among the dropped files. Drop the 4D BOLD image together with its events.tsv.'
        : `Several NIfTI files could be the BOLD run (${bolds.join(', ')}). Drop one run at a time, or name the files as BIDS (sub-X_task-T_bold.nii.gz) so they can be told apart.`,
    });
    return { run: null, problems };
  }
  const bold = bolds[0]!;
  const named = parseBidsName(bold);
  const e = named?.entities ?? {};
  const run: RunLayout = {
    subject: e.sub ?? 'single', task: e.task ?? 'single', id: named && e.sub ? runId(e) : base(bold).replace(/\.nii(\.gz)?$/i, ''),
    bold, derivative: e.desc === 'preproc' || e.space !== undefined,
  };
  if (e.ses !== undefined) run.session = e.ses;
  const rn = runNumber(e);
  if (rn !== undefined) run.run = rn;
  if (e.space !== undefined) run.space = e.space;
  if (e.res !== undefined) run.res = e.res;
  const pickOne = (list: string[], what: string): string | undefined => {
    if (list.length > 1) {
      problems.push({ code: 'SINGLE_AMBIGUOUS', file: list[0], message: `Several ${what} files were dropped (${list.join(', ')}); using ${list[0]}. Drop only the one that belongs to ${base(bold)}.` });
    }
    return list[0];
  };
  run.events = pickOne(evTsv, 'events');
  if (!run.events) {
    problems.push({ code: 'BIDS_NO_EVENTS', file: bold, message: `${bold}: no events .tsv was dropped with the BOLD file. Drop the run's events.tsv (onset, duration, choice and amounts) together with it.` });
  }
  const conf = pickOne([...confTsv, ...motion], 'confounds / motion');
  if (conf) run.confounds = conf;
  const mask = pickOne(masks, 'mask');
  if (mask) run.brainMask = mask;
  const js = pickOne(jsons, 'JSON sidecar');
  if (js) run.boldJson = js;
  if (run.events === undefined) delete run.events;
  return { run, problems };
}

/**
 * Convenience for hosts: BIDS discovery, and when that finds no BOLD run, single-run mode.
 */
export function discoverAny(paths: string[], opts: DiscoverOptions = {}): DiscoverResult & { mode: 'bids' | 'single' } {
  const res = discoverDataset(paths, opts);
  if (res.subjects.length > 0) return { ...res, mode: 'bids' };
  const single = singleRunFromFiles(paths);
  if (!single.run) return { subjects: [], problems: [...res.problems, ...single.problems], mode: 'single' };
  return { subjects: [{ subject: single.run.subject, runs: [single.run] }], problems: single.problems, mode: 'single' };
}
