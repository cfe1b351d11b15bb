import { DdError, type DdWarning } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { parseEvents, flagTrialsAgainstScan } from '../bids/events.ts';
import { parseConfounds, parseMotionText, confoundRegressors, type ConfoundPreset, type ConfoundTable } from '../bids/confounds.ts';
import { fitHyperbolic, type HyperbolicFit } from '../behavior/hyperbolic.ts';
import { trialVariables, type TrialVariables } from '../behavior/trial-variables.ts';
import { buildProjection, type Estimator } from '../design/index.ts';
import { openNifti, readNiftiImage, type NiftiHeader } from '../nifti/index.ts';
import { computeEpiMask, maskIndices, nearestSourceIndex, resolveRois, type Grid, type LoadImage } from '../roi/index.ts';
import { streamPass, type VoxelSet } from './pass.ts';
import type { Projector, ProjectorSpec } from './projector.ts';

/** The ROI name that means "the whole brain mask" (fMRIPrep's, else computed from the data). */
export const WHOLE_BRAIN = 'brain';

export interface TextFile {
  file: string;
  text: string;
}

export interface ExtractRunInput {
  bold: ByteSource;
  events: TextFile;
  /** fMRIPrep confounds TSV, or a 6-column motion text file (e.g. MCFLIRT .par, Haxby bold_moest.txt). */
  confounds?: TextFile;
  /** BIDS `*_bold.json`: its RepetitionTime overrides the header's (a disagreement is a warning). */
  boldJson?: TextFile;
  /** fMRIPrep `*_desc-brain_mask.nii.gz`; without it the brain mask is computed from the data. */
  brainMask?: ByteSource;
  /** Confound preset; default motion6+wm+csf with a confounds file, none without. */
  preset?: ConfoundPreset;
  spikeFd?: number | null;
  estimator: Estimator;
  /** High-pass period of the cosine drift (s, default 128), slice-time reference (fraction of a TR, default 0.5), lag window (s after onset, default [4, 8]). */
  highPassS?: number;
  sliceTimeRef?: number;
  lagWindowS?: readonly [number, number];
  /** ROI specs (CLI syntax); `brain` adds the whole brain mask. */
  rois: string[];
  loadImage: LoadImage;
  makeProjector(spec: ProjectorSpec): Projector | Promise<Projector>;
  inflate?: (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
}

export interface ExtractRunResult {
  header: NiftiHeader;
  tr: number;
  /** One row per pattern row (the modelled, non-missed trials), with the trial variables. */
  trials: TrialVariables[];
  fit: HyperbolicFit;
  /** Patterns per ROI name: trials × voxels, row-major f32. */
  patterns: Map<string, Float32Array>;
  /** Voxel indices (NIfTI order on the BOLD grid) per ROI name. */
  indices: Map<string, Int32Array>;
  roiSources: Map<string, string>;
  brainMaskSource: 'file' | 'computed' | null;
  warnings: DdWarning[];
  /** Frees the projector memory behind the largest pattern matrix (a view, see StreamPassResult). */
  release(): void;
}

/** Everything that happens for one run: plan (events → behaviour → design → W, ROIs) then one stream pass. */
export async function extractRun(input: ExtractRunInput): Promise<ExtractRunResult> {
  const warnings: DdWarning[] = [];
  const opened = await openNifti(input.bold);
  const header = opened.header;
  warnings.push(...opened.warnings);
  if (header.dims.length < 4 || header.nVolumes < 2) {
    throw new DdError('NIFTI_NOT_4D', `${input.bold.name}: a BOLD run must be 4D with several volumes; this image is ${header.dims.join('×')}. Pass the preprocessed 4D BOLD file.`, { file: input.bold.name });
  }
  const tr = resolveTr(header, input, warnings);
  const T = header.nVolumes;

  const parsed = parseEvents(input.events.text, input.events.file);
  warnings.push(...parsed.warnings);
  const trials = flagTrialsAgainstScan(parsed.trials, T * tr);
  const fit = fitHyperbolic(trials);
  const vars = trialVariables(trials, fit);

  const { names: confNames, columns: confCols } = confoundsFor(input, T, warnings);
  const projection = buildProjection({
    trials: trials.map((t) => ({ index: t.index, onset: t.onset, duration: t.duration, missed: t.choice === null })),
    tr, nVolumes: T, confounds: confCols, confoundNames: confNames, estimator: input.estimator,
    highPassS: input.highPassS, sliceTimeRef: input.sliceTimeRef, lagWindowS: input.lagWindowS,
  });
  warnings.push(...projection.warnings);
  const nRows = projection.rows.length;
  if (nRows === 0) {
    throw new DdError('EVENTS_NO_TRIALS', `${input.events.file}: no trial with a response falls inside the scan (${(T * tr).toFixed(1)} s), so there is nothing to estimate. Check that the events belong to this run.`, { file: input.events.file });
  }
  const byIndex = new Map(vars.map((v) => [v.index, v]));

  const grid: Grid = { dims: [header.dims[0]!, header.dims[1]!, header.dims[2] ?? 1], affine: header.affine };
  const wantBrain = input.rois.includes(WHOLE_BRAIN);
  const resolved = await resolveRois(input.rois.filter((r) => r !== WHOLE_BRAIN), grid, input.loadImage);
  const sets: VoxelSet[] = resolved.map((r) => ({ name: r.name, indices: r.indices }));
  const roiSources = new Map(resolved.map((r) => [r.name, r.source]));
  let brainMaskSource: ExtractRunResult['brainMaskSource'] = null;
  let fromMean: Parameters<typeof streamPass>[0]['fromMean'];
  if (wantBrain && input.brainMask) {
    const img = await readNiftiImage(input.brainMask);
    const src = { dims: [img.header.dims[0]!, img.header.dims[1]!, img.header.dims[2] ?? 1] as [number, number, number], affine: img.header.affine };
    const idx = nearestSourceIndex(src, grid);
    const mask = new Uint8Array(idx.length);
    for (let o = 0; o < idx.length; o++) if (idx[o]! >= 0 && img.data[idx[o]!]! > 0) mask[o] = 1;
    const indices = maskIndices(mask);
    if (indices.length === 0) {
      throw new DdError('ROI_EMPTY', `${input.brainMask.name}: the brain mask does not overlap the BOLD grid of ${input.bold.name}. Check that both are in the same space.`, { file: input.brainMask.name });
    }
    sets.push({ name: WHOLE_BRAIN, indices });
    roiSources.set(WHOLE_BRAIN, `brain mask ${input.brainMask.name}`);
    brainMaskSource = 'file';
  } else if (wantBrain) {
    fromMean = {
      name: WHOLE_BRAIN,
      volumes: Math.min(T, 20),
      compute: (mean) => maskIndices(computeEpiMask({ dims: grid.dims, data: mean }, { name: input.bold.name })),
    };
    roiSources.set(WHOLE_BRAIN, 'brain mask computed from the mean of the first volumes (nilearn compute_epi_mask rule)');
    brainMaskSource = 'computed';
  }

  const pass = await streamPass({
    source: input.bold, header, gzip: opened.gzip, W: new Float64Array(projection.W), nRows,
    sets, fromMean, makeProjector: input.makeProjector, inflate: input.inflate,
    onProgress: input.onProgress, signal: input.signal,
  });
  return {
    header, tr,
    trials: projection.rows.map((i) => byIndex.get(i)!),
    fit, patterns: pass.patterns, indices: pass.indices, roiSources, brainMaskSource, warnings, release: pass.release,
  };
}

function resolveTr(header: NiftiHeader, input: ExtractRunInput, warnings: DdWarning[]): number {
  let tr = header.trSeconds ?? NaN;
  if (input.boldJson) {
    let rt: unknown;
    try { rt = JSON.parse(input.boldJson.text).RepetitionTime; } catch (e) {
      throw new DdError('JSON_INVALID', `${input.boldJson.file}: not valid JSON (${(e as Error).message}). Fix or remove the file.`, { file: input.boldJson.file });
    }
    if (typeof rt === 'number' && rt > 0) {
      if (Number.isFinite(tr) && Math.abs(tr - rt) > 1e-3) {
        warnings.push({ code: 'TR_MISMATCH', file: input.boldJson.file, message: `${input.boldJson.file} says RepetitionTime ${rt} s but the header of ${input.bold.name} says ${tr} s; using ${rt} s from the JSON.` });
      }
      tr = rt;
    }
  }
  if (!(tr > 0) || !Number.isFinite(tr)) {
    throw new DdError('NIFTI_NO_TR', `${input.bold.name}: no usable repetition time in the header. Put the BIDS *_bold.json with RepetitionTime next to it.`, { file: input.bold.name });
  }
  if (tr > 30) {
    warnings.push({ code: 'TR_SUSPICIOUS', file: input.bold.name, message: `${input.bold.name}: TR ${tr} s is implausible (a TR stored in ms?). Provide the *_bold.json with RepetitionTime in seconds.` });
  }
  return tr;
}

function confoundsFor(input: ExtractRunInput, T: number, warnings: DdWarning[]): { names: string[]; columns: Float64Array[] } {
  if (!input.confounds) {
    if (input.preset && input.preset !== 'none') {
      throw new DdError('CONFOUNDS_MISSING', `confound preset '${input.preset}' needs the run's confounds file, but none was given for ${input.bold.name}. Pass --confounds FILE or --preset none.`, { file: input.bold.name });
    }
    return { names: [], columns: [] };
  }
  const { file, text } = input.confounds;
  const isTsv = /\.tsv$/i.test(file);
  const table: ConfoundTable = isTsv ? parseConfounds(text, file) : parseMotionText(text, file);
  warnings.push(...table.warnings);
  if (table.length !== T) {
    throw new DdError('CONFOUNDS_LENGTH', `${file}: ${table.length} rows but the BOLD run has ${T} volumes. Use the confounds file of this run.`, { file });
  }
  const preset = input.preset ?? (isTsv ? 'motion6+wm+csf' : 'motion6');
  return confoundRegressors(table, preset, { spikeFd: input.spikeFd ?? null });
}
