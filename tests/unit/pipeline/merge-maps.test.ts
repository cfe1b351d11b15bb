/**
 * Merging SLURM parts with searchlight maps: every subject's map row (plan order), and the group
 * t map recomputed from the subject map files, equal to groupTMap on the same volumes.
 */
import { describe, expect, it } from 'vitest';
import { configHash, parseConfig } from '../../../src/core/pipeline/config.ts';
import { mergeResults } from '../../../src/core/pipeline/merge.ts';
import type { Results, SearchlightMapRow } from '../../../src/core/pipeline/results.ts';
import { groupTMap } from '../../../src/core/searchlight/index.ts';
import { statsReady } from '../../../src/core/stats/index.ts';
import { readNiftiImage } from '../../../src/core/nifti/index.ts';
import { memorySource } from '../../../src/core/io/byte-source.ts';

const config = parseConfig({ rois: ['vmpfc'], searchlight: { enabled: true } });
const grid = { dims: [3, 2, 1] as [number, number, number], affine: [[2, 0, 0, -2], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]] };
const volumes: Record<string, Float32Array> = {
  '01': Float32Array.from([0.6, 0.5, NaN, 0.7, 0.55, 0.5]),
  '02': Float32Array.from([0.7, 0.52, NaN, 0.8, 0.5, 0.45]),
  '03': Float32Array.from([0.65, 0.48, 0.9, 0.75, 0.6, 0.5]),
};

function part(id: string): { file: string; results: Results } {
  const map: SearchlightMapRow = {
    subject: id, target: 'choice', file: `searchlight/sub-${id}_target-choice_score.nii.gz`, p_file: null, n_voxels: 5, peak: null, mean: null,
    model: 'svc', metric: 'balanced_accuracy', chance: 0.5, cv: 'blocked:5:12', n_samples: 10,
  };
  const results = {
    schema_version: 2, subjects: [{ id, runs: [], behavior: null, trials: null, decoding: [], geometry: [], warnings: [], errors: [] }], errors: [], group: [],
    searchlight: { radius_mm: 6, model: 'svc', cv: 'blocked:5:12', metric: 'balanced_accuracy', chance: 0.5, n_permutations: 0, maps: [map], group: [] },
    warnings: [],
    provenance: {
      version: 't', config_schema_version: 1, config, config_hash: configHash(config), seed: 0, inputs: [], timings: { total_s: 1, stages: {} },
      cache: { enabled: false, store: null, hits: 0, misses: 0, by_stage: {}, corrupt: 0, evictions: 0, write_failures: 0, disabled: null },
    },
  } as Results;
  return { file: `subjects/sub-${id}.json`, results };
}

describe('mergeResults with searchlight maps', () => {
  it('keeps every map row in plan order and recomputes the group t map from the map files', async () => {
    await statsReady();
    const written = new Map<string, Uint8Array>();
    const read: string[] = [];
    const merged = await mergeResults([part('03'), part('01'), part('02')], ['01', '02', '03'], {
      readMap: async (file) => { read.push(file); return { grid, data: volumes[/sub-(\d+)/.exec(file)![1]!]! }; },
      onFile: (path, bytes) => { written.set(path, bytes); },
    });
    expect(merged.searchlight!.maps.map((m) => m.subject)).toEqual(['01', '02', '03']);
    expect(read).toHaveLength(3);
    const g = groupTMap([volumes['01']!, volumes['02']!, volumes['03']!], 0.5);
    let best = -1;
    for (let v = 0; v < g.t.length; v++) if (Number.isFinite(g.t[v]!) && (best < 0 || g.t[v]! > g.t[best]!)) best = v;
    expect(merged.searchlight!.group).toEqual([{ target: 'choice', file: 'searchlight/group_target-choice_t.nii.gz', n: 3, df: 2, peak: { t: g.t[best]!, mm: [-2 + 2 * (best % 3), 2 * Math.floor(best / 3), 0] } }]);
    const img = await readNiftiImage(memorySource('t.nii.gz', written.get('searchlight/group_target-choice_t.nii.gz')!));
    expect(Array.from(img.data)).toEqual(Array.from(g.t));
    // Without a map reader (the viewer merging JSON only) the rows are kept and no group map is made.
    const plain = await mergeResults([part('01'), part('02')], ['01', '02']);
    expect(plain.searchlight!.maps).toHaveLength(2);
    expect(plain.searchlight!.group).toEqual([]);
  });
});
