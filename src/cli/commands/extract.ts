import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DdError } from '../../core/errors.ts';
import { CONFOUND_PRESETS, type ConfoundPreset } from '../../core/bids/confounds.ts';
import { extractRun, WHOLE_BRAIN, type TextFile } from '../../core/extract/extract-run.ts';
import { writeExtractOutputs } from '../../core/extract/outputs.ts';
import { dirSink } from '../../platform/node/dir-sink.ts';
import { fileSource } from '../../platform/node/file-source.ts';
import { loadVolume3D } from '../../platform/node/load-image.ts';
import { nodeProjectorFactory } from '../../platform/node/projector.ts';
import { flag, flagAll, requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';

async function readText(path: string, what: string): Promise<TextFile> {
  try {
    return { file: path, text: await readFile(path, 'utf8') };
  } catch (e) {
    throw new DdError('FILE_NOT_FOUND', `${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path.`, { file: path, cause: e });
  }
}

/** `ddmvpa extract --bold B --events E --roi SPEC… --out DIR [--estimator] [--confounds] [--preset] [--mask] [--json]` */
export async function extract(args: Args): Promise<CommandResult> {
  const boldPath = requireFlag(args, 'bold', 'the 4D BOLD NIfTI of one run');
  const eventsPath = requireFlag(args, 'events', 'the BIDS events.tsv of that run');
  const out = requireFlag(args, 'out', 'the folder for <roi>.npy and trials.tsv');
  const rois = flagAll(args, 'roi');
  if (rois.length === 0) throw new DdError('ARGS_MISSING', '--roi is required: a built-in name (e.g. nacc_l), NAME=mask.nii.gz, NAME=atlas.nii.gz:LABEL or NAME=sphere:X,Y,Z,R; `brain` for the whole brain mask.');
  const estimator = (flag(args, 'estimator') ?? 'lss') as 'lss' | 'lsa' | 'lag';
  if (!['lss', 'lsa', 'lag'].includes(estimator)) throw new DdError('ARGS_BAD_VALUE', `--estimator must be lss, lsa or lag, got "${estimator}".`);
  const preset = flag(args, 'preset') as ConfoundPreset | undefined;
  if (preset !== undefined && !CONFOUND_PRESETS.includes(preset)) throw new DdError('ARGS_BAD_VALUE', `--preset must be one of ${CONFOUND_PRESETS.join(', ')}, got "${preset}".`);
  const confPath = flag(args, 'confounds');
  const maskPath = flag(args, 'mask');
  const jsonPath = flag(args, 'bold-json');

  const started = performance.now();
  const projector = await nodeProjectorFactory({ jobs: Number(flag(args, 'jobs') ?? 0) || undefined });
  let lastReport = 0;
  try {
    const result = await extractRun({
      bold: await fileSource(boldPath),
      events: await readText(eventsPath, 'events file'),
      confounds: confPath ? await readText(confPath, 'confounds file') : undefined,
      boldJson: jsonPath ? await readText(jsonPath, 'BOLD JSON sidecar') : undefined,
      brainMask: maskPath ? await fileSource(maskPath) : undefined,
      preset, estimator, rois,
      loadImage: loadVolume3D,
      makeProjector: projector.make,
      inflate: projector.inflate,
      onProgress: (done, total) => {
        if (performance.now() - lastReport > 2000 || done === total) {
          lastReport = performance.now();
          process.stderr.write(`extract: ${basename(boldPath)} volume ${done}/${total}\n`);
        }
      },
    });
    const summary = await writeExtractOutputs(dirSink(out), result);
    result.release();
    const seconds = (performance.now() - started) / 1000;
    for (const w of result.warnings) process.stderr.write(`warning ${w.code}: ${w.message}\n`);
    const json = { out, bold: boldPath, estimator, n_trials: result.trials.length, n_volumes: result.header.nVolumes, tr_s: result.tr, rois: summary.rois, warnings: result.warnings, seconds };
    const lines = summary.rois.map((r) => `  ${r.name}: ${r.n_voxels} voxels → ${join(out, r.file)}`);
    return { json, text: `extracted ${result.trials.length} trial patterns (${estimator}) in ${seconds.toFixed(1)} s\n${lines.join('\n')}\n  trials → ${join(out, 'trials.tsv')}` };
  } finally {
    await projector.close();
  }
}

export { WHOLE_BRAIN };
