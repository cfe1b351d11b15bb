import type { FileSink } from '../io/file-sink.ts';
import { npyStream } from '../io/npy.ts';
import { writeTsv } from '../io/tsv.ts';
import { encodeNifti1, gzipBytes } from '../nifti/index.ts';
import { TRIAL_VARIABLE_NAMES } from '../behavior/trial-variables.ts';
import type { ExtractRunResult } from './extract-run.ts';

export const TRIAL_COLUMNS = ['trial', 'onset', 'duration', ...TRIAL_VARIABLE_NAMES.filter((c) => c !== 'choice'), 'choice', 'flags'];

/** Writes `<roi>.npy` (trials × voxels f32), `<roi>_mask.nii.gz`, `trials.tsv` and `extract.json`. */
export async function writeExtractOutputs(sink: FileSink, r: ExtractRunResult) {
  const rois: { name: string; file: string; n_voxels: number; source: string }[] = [];
  const n = r.trials.length;
  const grid = r.header.dims.slice(0, 3);
  for (const [name, data] of r.patterns) {
    const idx = r.indices.get(name)!;
    const file = `${name}.npy`;
    await sink.write(file, npyStream({ dtype: 'float32', shape: [n, idx.length], data }));
    const mask = new Uint8Array(grid.reduce((a, b) => a * b, 1));
    for (const v of idx) mask[v] = 1;
    await sink.write(`${name}_mask.nii.gz`, await gzipBytes(encodeNifti1({ dims: grid, affine: r.header.affine, datatype: 'uint8', data: mask, description: `ddmvpa ROI ${name}` })));
    rois.push({ name, file, n_voxels: idx.length, source: r.roiSources.get(name) ?? '' });
  }
  const rows = r.trials.map((t) => ({ ...t, trial: t.index, flags: t.flags.join(',') || null }));
  await sink.write('trials.tsv', writeTsv(TRIAL_COLUMNS, rows as never));
  await sink.write('extract.json', JSON.stringify({
    n_trials: n, n_volumes: r.header.nVolumes, tr_s: r.tr, rois, brain_mask: r.brainMaskSource,
    behavior: r.fit, warnings: r.warnings,
  }, null, 2));
  return { rois };
}
