import { describe, expect, it } from 'vitest';
import { condensedAt, displayOrder, rowLabels } from '../../../src/ui/results/geometry-view.ts';
import { baseName, listMaps, matchMapFiles } from '../../../src/ui/viewer/maps.ts';
import type { GeometryRow, SearchlightResults } from '../../../src/ui/viewer/types.ts';

describe('geometry view helpers', () => {
  it('reads the condensed upper triangle like scipy squareform', () => {
    // 4 × 4: pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3)
    const rdm = [1, 2, 3, 4, 5, 6];
    expect([condensedAt(rdm, 4, 0, 1), condensedAt(rdm, 4, 2, 0), condensedAt(rdm, 4, 1, 3), condensedAt(rdm, 4, 3, 2), condensedAt(rdm, 4, 2, 2)]).toEqual([1, 2, 5, 6, 0]);
  });
  it('orders rows by choice (SS, LL, missing) then sv_diff, through trial_index', () => {
    const g = { n_trials: 4, trial_index: [3, 0, 2, 1] } as GeometryRow;
    const trials = { run: [], onset: [], delay: [], ss_amount: [], ll_amount: [], choice: [1, 0, null, 1], sv_diff: [5, -2, 0, -1] } as never;
    const lab = rowLabels(g, trials);
    expect(lab.choice).toEqual([1, 1, null, 0]);
    expect(lab.svDiff).toEqual([-1, 5, 0, -2]);
    expect(displayOrder(lab)).toEqual([3, 0, 1, 2]);
  });
});

describe('map files', () => {
  const sl: SearchlightResults = {
    radius_mm: 6, model: 'svc', cv: 'loro', metric: 'balanced_accuracy', chance: 0.5, n_permutations: 100,
    maps: [{ subject: '01', target: 'choice', file: 'searchlight/sub-01_target-choice_score.nii.gz', p_file: 'searchlight/sub-01_target-choice_p.nii.gz', n_voxels: 10, peak: { score: 0.8, mm: [0, 46, -8] }, mean: 0.5, model: 'svc', metric: 'balanced_accuracy', chance: 0.5, cv: 'loro', n_samples: 120 }],
    group: [{ target: 'choice', file: 'searchlight/group_target-choice_t.nii.gz', n: 3, df: 2, peak: { t: 5, mm: [0, 44, -6] } }],
  };
  it('lists group t, score and p maps with units and default thresholds', () => {
    const maps = listMaps(sl);
    expect(maps.map((m) => [m.kind, m.unit, m.threshold])).toEqual([['t', 't (df 2)', 3], ['score', 'balanced accuracy', 0.5], ['p', 'p', 0.05]]);
  });
  it('matches dropped files to the contract paths by file name', () => {
    const b = new Uint8Array([1]);
    const m = matchMapFiles(listMaps(sl), [{ name: 'sub-01_target-choice_p.nii.gz', bytes: b }, { name: 'other.nii.gz', bytes: b }]);
    expect(Object.keys(m.files)).toEqual(['searchlight/sub-01_target-choice_p.nii.gz']);
    expect(m.unmatched).toEqual(['other.nii.gz']);
    expect(baseName('a/b/c.nii.gz')).toBe('c.nii.gz');
  });
});

describe('built-in ROI label image for the viewer', () => {
  it('labels every built-in ROI where the analysis masks are, one value each', async () => {
    const { roiLabelNifti, VIEWER_ROIS, roiLegend } = await import('../../../src/ui/viewer/roi-volume.ts');
    const { readNiftiImage } = await import('../../../src/core/nifti/index.ts');
    const { memorySource } = await import('../../../src/core/io/byte-source.ts');
    const { listBuiltinRois } = await import('../../../src/core/roi/index.ts');
    const img = await readNiftiImage(memorySource('rois.nii', roiLabelNifti()));
    const [nx, ny] = [img.header.dims[0]!, img.header.dims[1]!];
    const aff = img.header.affine;
    const at = (mm: number[]) => {
      const ijk = [0, 1, 2].map((a) => Math.round((mm[a]! - aff[a]![3]!) / aff[a]![a]!));
      return img.data[ijk[0]! + nx * (ijk[1]! + ny * ijk[2]!)];
    };
    expect(VIEWER_ROIS.map((r) => r.name)).toEqual(listBuiltinRois().map((r) => r.name));
    for (const r of listBuiltinRois()) {
      const v = VIEWER_ROIS.find((x) => x.name === r.name)!.value;
      const count = img.data.filter((x) => x === v).length;
      expect(count, r.name).toBeGreaterThan(100);
      if (r.kind === 'sphere') expect(at(r.centre_mm), r.name).toBe(v);
    }
    // Left and right share a colour; the six structures differ.
    const legend = roiLegend();
    expect(legend.map((e) => e.structure)).toEqual(['nacc', 'caudate', 'putamen', 'vmpfc', 'pcc', 'dlpfc']);
    expect(new Set(legend.map((e) => e.colour)).size).toBe(6);
  });
});

describe('ROI label image equals the analysis masks', () => {
  it('each atlas ROI labels exactly the voxels builtinRoiMask selects on the same grid', async () => {
    const { roiLabelNifti, VIEWER_ROIS } = await import('../../../src/ui/viewer/roi-volume.ts');
    const { readNiftiImage } = await import('../../../src/core/nifti/index.ts');
    const { memorySource } = await import('../../../src/core/io/byte-source.ts');
    const { builtinRoiMask, listBuiltinRois } = await import('../../../src/core/roi/index.ts');
    const img = await readNiftiImage(memorySource('rois.nii', roiLabelNifti()));
    const grid = { dims: img.header.dims.slice(0, 3) as [number, number, number], affine: img.header.affine };
    for (const r of listBuiltinRois().filter((x) => x.kind === 'atlas')) {
      const v = VIEWER_ROIS.find((x) => x.name === r.name)!.value;
      const mask = builtinRoiMask(r.name, grid);
      let diff = 0;
      for (let i = 0; i < mask.length; i++) if ((mask[i] === 1) !== (img.data[i] === v)) diff++;
      expect(diff, r.name).toBe(0);
    }
  });
});
