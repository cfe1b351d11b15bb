import { parseEvents, flagTrialsAgainstScan } from '../bids/events.ts';
import { fitHyperbolic } from '../behavior/hyperbolic.ts';
import { trialVariables } from '../behavior/trial-variables.ts';
import { BUNDLED_SUBJECTS, CLEAN_SUBJECT_IDS, DS004636_DOI, bundledEvents } from '../data/ds004636/index.ts';
import { eventRegressor, makeRegressorGrid } from '../design/index.ts';
import type { FileSink } from '../io/file-sink.ts';
import { formatCell } from '../io/tsv.ts';
import { encodeNifti1, encodeNifti1Header, gzipBytes } from '../nifti/index.ts';
import { Rng } from '../random.ts';
import { makeAnatomy, sphereMembers } from './anatomy.ts';
import { DEFAULT_EFFECTS, PLANTED, demoGrid, type DemoEffects, type DemoSize } from './spec.ts';
import { simulateConfounds, simulateVolumes, type SimTrial } from './subject.ts';

export interface DemoOptions {
  subjects: number;
  size: DemoSize;
  seed: number;
  effects?: Partial<DemoEffects>;
  /** gzip transform for the BOLD stream; default CompressionStream('gzip'). Node passes zlib level 1 (as nibabel writes). */
  gzip?: () => TransformStream<Uint8Array, Uint8Array>;
  onProgress?(p: { subject: string; done: number; total: number }): void;
}

export interface DemoTruth {
  generator: string;
  seed: number;
  size: DemoSize;
  grid: { dims: number[]; voxel_mm: number; tr_s: number; affine: number[][] };
  effects: DemoEffects;
  planted: { effect: string; target: string; centre_mm: number[]; radius_mm: number; n_voxels: number }[];
  control_rois: string[];
  subjects: {
    id: string;
    events_source: string;
    n_volumes: number;
    n_trials: number;
    n_ll: number;
    n_ss: number;
    n_missed: number;
    k: number | null;
    log_k: number | null;
    beta: number | null;
  }[];
  sources: string;
}

export const DEMO_TASK = 'discountFix';
export const DEMO_SPACE = 'MNI152NLin2009cAsym';

/** Relative paths of one demo subject's files (raw BIDS events, fMRIPrep derivatives). */
export function demoPaths(sub: string) {
  const prep = `derivatives/fmriprep/sub-${sub}/func/sub-${sub}_task-${DEMO_TASK}_space-${DEMO_SPACE}`;
  return {
    events: `sub-${sub}/func/sub-${sub}_task-${DEMO_TASK}_events.tsv`,
    bold: `${prep}_desc-preproc_bold.nii.gz`,
    mask: `${prep}_desc-brain_mask.nii.gz`,
    confounds: `derivatives/fmriprep/sub-${sub}/func/sub-${sub}_task-${DEMO_TASK}_desc-confounds_timeseries.tsv`,
  };
}

/**
 * Writes a synthetic BIDS + fMRIPrep-style dataset built on real discountFix events, with choice
 * and value effects planted at known places (truth.json). Same options, same bytes.
 */
export async function writeDemoDataset(sink: FileSink, opts: DemoOptions): Promise<DemoTruth> {
  const grid = demoGrid(opts.size);
  const effects = { ...DEFAULT_EFFECTS, ...opts.effects };
  const anatomy = makeAnatomy(grid);
  const choiceVoxels = unionPositions(PLANTED.filter((p) => p.effect === 'choice').map((p) => sphereMembers(grid, anatomy, p)));
  const valueVoxels = unionPositions(PLANTED.filter((p) => p.effect === 'value').map((p) => sphereMembers(grid, anatomy, p)));
  const gzip = opts.gzip ?? (() => new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);

  await sink.write('dataset_description.json', JSON.stringify({
    Name: 'ddmvpa synthetic discountFix demo', BIDSVersion: '1.8.0', DatasetType: 'raw',
    License: 'CC0', GeneratedBy: [{ Name: 'ddmvpa demo', Description: `seed ${opts.seed}, size ${opts.size}` }],
    SourceDatasets: [{ DOI: DS004636_DOI, Description: 'real events of OpenNeuro ds004636 (CC0)' }],
  }, null, 2));
  await sink.write(`task-${DEMO_TASK}_bold.json`, JSON.stringify({ RepetitionTime: grid.tr, TaskName: DEMO_TASK }, null, 2));
  await sink.write('derivatives/fmriprep/dataset_description.json', JSON.stringify({
    Name: 'ddmvpa synthetic fMRIPrep-style derivatives', BIDSVersion: '1.8.0', DatasetType: 'derivative',
    GeneratedBy: [{ Name: 'ddmvpa demo' }],
  }, null, 2));
  const maskBytes = encodeNifti1({ dims: grid.dims, affine: grid.affine, datatype: 'uint8', data: anatomy.mask, description: 'ddmvpa demo brain mask' });

  const truth: DemoTruth = {
    generator: 'ddmvpa demo', seed: opts.seed, size: opts.size,
    grid: { dims: [...grid.dims], voxel_mm: grid.voxelMm, tr_s: grid.tr, affine: grid.affine },
    effects,
    planted: PLANTED.map((p) => ({ effect: p.effect, target: p.target, centre_mm: p.centreMm, radius_mm: p.radiusMm, n_voxels: sphereMembers(grid, anatomy, p).length })),
    control_rois: ['pcc', 'dlpfc_l', 'dlpfc_r'],
    subjects: [],
    sources: `Events: OpenNeuro ds004636 (doi:${DS004636_DOI}, CC0), real discountFix runs; BOLD simulated.`,
  };
  const participants: string[] = ['participant_id\tevents_source'];

  for (let s = 0; s < opts.subjects; s++) {
    const sub = String(s + 1).padStart(2, '0');
    const source = CLEAN_SUBJECT_IDS[s % CLEAN_SUBJECT_IDS.length]!;
    const meta = BUNDLED_SUBJECTS.find((b) => b.id === source)!;
    const eventsText = bundledEvents(source);
    const paths = demoPaths(sub);
    const parsed = parseEvents(eventsText, paths.events);
    const lastEnd = Math.max(...parsed.trials.map((t) => t.onset + t.duration));
    const nVolumes = Math.max(Math.ceil((meta.volumes * 0.68) / grid.tr), Math.ceil((lastEnd + 16) / grid.tr));
    const trials = flagTrialsAgainstScan(parsed.trials, nVolumes * grid.tr);
    const fit = fitHyperbolic(trials);
    const vars = trialVariables(trials, fit);
    const simTrials: SimTrial[] = vars.map((v) => ({ onset: v.onset, duration: v.duration, choice: v.choice, svDiff: v.sv_diff }));
    const regGrid = makeRegressorGrid(grid.tr, nVolumes);
    const regressors = simTrials.map((t) => eventRegressor(regGrid, [{ onset: t.onset, duration: t.duration }]));
    const rng = new Rng(opts.seed, 1000 + s);
    const confounds = simulateConfounds(nVolumes, rng);

    await sink.write(paths.events, eventsText);
    await sink.write(paths.mask, await gzipBytes(maskBytes));
    await sink.write(paths.confounds, confoundsTsv(confounds.columns, nVolumes));

    const volumes = simulateVolumes(
      { grid, anatomy, trials: simTrials, nVolumes, regressors, choiceVoxels, valueVoxels, effects, seed: opts.seed * 7919 + s },
      confounds,
    );
    const header = encodeNifti1Header({
      dims: [...grid.dims, nVolumes], affine: grid.affine, datatype: 'int16', trSeconds: grid.tr,
      description: 'ddmvpa synthetic BOLD',
    });
    let t = 0;
    let headerSent = false;
    const raw = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (!headerSent) { headerSent = true; ctrl.enqueue(header); return; }
        const next = volumes.next();
        if (next.done) return ctrl.close();
        ctrl.enqueue(new Uint8Array(next.value.buffer.slice(0)));
        opts.onProgress?.({ subject: sub, done: ++t, total: nVolumes });
      },
    }, { highWaterMark: 2 });
    await sink.write(paths.bold, raw.pipeThrough(gzip()));

    const n = (c: 1 | 0 | null) => trials.filter((x) => x.choice === c).length;
    truth.subjects.push({
      id: sub, events_source: `sub-${source}`, n_volumes: nVolumes, n_trials: trials.length,
      n_ll: n(1), n_ss: n(0), n_missed: n(null), k: fit.k, log_k: fit.log_k, beta: fit.beta,
    });
    participants.push(`sub-${sub}\tsub-${source}`);
  }
  await sink.write('participants.tsv', participants.join('\n') + '\n');
  await sink.write('truth.json', JSON.stringify(truth, null, 2));
  return truth;
}

function unionPositions(lists: Int32Array[]): Int32Array {
  return Int32Array.from(new Set(lists.flatMap((l) => [...l]))).sort();
}

function confoundsTsv(columns: Record<string, Float64Array>, T: number): string {
  const names = Object.keys(columns);
  const lines = [names.join('\t')];
  for (let t = 0; t < T; t++) lines.push(names.map((n) => formatCell(roundTo(columns[n]![t]!))).join('\t'));
  return lines.join('\n') + '\n';
}

function roundTo(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(8)) : NaN;
}
