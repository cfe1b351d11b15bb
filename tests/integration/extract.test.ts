/**
 * The stream pass against dense least squares (NumPy golden files): LSS, LSA and lag patterns of
 * a real Haxby run read from its .nii.gz, and of a small demo subject generated in memory, through
 * the whole extract plan (events → design → ROIs → one pass).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProjection, type Estimator } from '../../src/core/design/index.ts';
import { streamPass } from '../../src/core/extract/pass.ts';
import { extractRun } from '../../src/core/extract/extract-run.ts';
import { jsProjector, type Projector, type ProjectorSpec } from '../../src/core/extract/projector.ts';
import { writeDemoDataset, demoPaths } from '../../src/core/demo/dataset.ts';
import { memorySink } from '../../src/core/io/file-sink.ts';
import { memorySource } from '../../src/core/io/byte-source.ts';
import { openNifti } from '../../src/core/nifti/index.ts';
import { fileSource } from '../../src/platform/node/file-source.ts';
import { nodeProjectorFactory } from '../../src/platform/node/projector.ts';

const ESTIMATORS: Estimator[] = ['lss', 'lsa', 'lag'];
const golden = (name: string) => JSON.parse(readFileSync(`tests/fixtures/golden/${name}`, 'utf8'));

/** max |a − b| relative to max |b|: the 1e-4 criterion of the issue. */
function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let maxAbs = 0, maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(expected[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
  }
  return maxDiff / maxAbs;
}

type Factory = { name: string; make: () => Promise<{ make: (s: ProjectorSpec) => Projector | Promise<Projector>; close: () => Promise<void> }> };
const PROJECTORS: Factory[] = [
  { name: 'js', make: async () => ({ make: jsProjector, close: async () => {} }) },
  { name: 'host', make: () => nodeProjectorFactory({ jobs: 2 }) },
];

describe.each(PROJECTORS)('stream pass ($name projector)', ({ make }) => {
  it('equals dense least squares on Haxby run 1 (real .nii.gz) for LSS, LSA and lag', async () => {
    const g = golden('design_haxby_run1.json').cases[0];
    const src = await fileSource('tests/fixtures/haxby/haxby2001/sub001/BOLD/task001_run001/bold_1slice.nii.gz');
    const { header, gzip } = await openNifti(src);
    const factory = await make();
    try {
      for (const estimator of ESTIMATORS) {
        const p = buildProjection({
          trials: g.trials, tr: g.tr, nVolumes: g.nVolumes, estimator,
          confounds: g.confounds.map((c: number[]) => Float64Array.from(c)),
        });
        expect(p.rows).toEqual(g.expected[estimator].rows);
        const res = await streamPass({
          source: src, header, gzip, W: p.W, nRows: p.rows.length,
          sets: [{ name: 'mask', indices: Int32Array.from(g.voxelIndices) }], makeProjector: factory.make,
        });
        expect(relError(res.patterns.get('mask')!, g.expected[estimator].patterns)).toBeLessThan(1e-4);
      }
    } finally {
      await factory.close();
    }
  });

  it('equals dense least squares on a small demo subject, through the whole extract plan', async () => {
    const g = golden('extract_demo_small.json');
    const sink = memorySink();
    await writeDemoDataset(sink, { subjects: 1, size: 'small', seed: g.seed });
    const paths = demoPaths('01');
    const text = (p: string) => ({ file: p, text: new TextDecoder().decode(sink.files.get(p)!) });
    const factory = await make();
    try {
      for (const estimator of ESTIMATORS) {
        const r = await extractRun({
          bold: memorySource(paths.bold, sink.files.get(paths.bold)!),
          events: text(paths.events), confounds: text(paths.confounds),
          estimator, rois: Object.keys(g.rois),
          loadImage: () => Promise.reject(new Error('no files needed')),
          makeProjector: factory.make,
        });
        for (const [roi, exp] of Object.entries<any>(g.rois)) {
          expect([...r.indices.get(roi)!]).toEqual(exp.voxelIndices);
          expect(r.trials.map((t) => t.index)).toEqual(exp[estimator].rows);
          expect(relError(r.patterns.get(roi)!, exp[estimator].patterns)).toBeLessThan(1e-4);
        }
      }
    } finally {
      await factory.close();
    }
  });
});
