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
    maps: [{ subject: '01', target: 'choice', file: 'searchlight/sub-01_target-choice_score.nii.gz', p_file: 'searchlight/sub-01_target-choice_p.nii.gz', n_voxels: 10, peak: { score: 0.8, mm: [0, 46, -8] }, mean: 0.5 }],
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
