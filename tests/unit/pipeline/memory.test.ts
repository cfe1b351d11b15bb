/** Admission of subjects within a memory budget: never over it, back-pressure, order kept. */
import { describe, expect, it } from 'vitest';
import { estimateSubjectBytes, runWithinBudget } from '../../../src/core/pipeline/memory.ts';
import { defaultConfig, parseConfig } from '../../../src/core/pipeline/config.ts';
import { downstreamOf } from '../../../src/core/pipeline/graph.ts';

const MB = 1024 * 1024;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runWithinBudget', () => {
  it('keeps the running jobs within the slots and the budget; results in job order', async () => {
    let used = 0, peak = 0, running = 0, peakRunning = 0;
    const needs = [400, 300, 500, 200, 600, 100, 300];
    const jobs = needs.map((need, i) => ({
      need,
      run: async () => {
        used += need; running++;
        peak = Math.max(peak, used); peakRunning = Math.max(peakRunning, running);
        await tick(5 + ((i * 7) % 11));
        used -= need; running--;
        return i;
      },
    }));
    const out = await runWithinBudget(jobs, { slots: 3, budgetBytes: 800 });
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBeLessThanOrEqual(800);
    expect(peakRunning).toBeLessThanOrEqual(3);
    expect(peakRunning).toBeGreaterThanOrEqual(2);
  });

  it('runs a job bigger than the budget alone, and says so', async () => {
    const over: number[] = [];
    let running = 0, maxWithBig = 0;
    const jobs = [100, 5000, 100].map((need, i) => ({
      need, run: async () => { running++; if (i === 1) maxWithBig = running; await tick(5); if (i === 1) maxWithBig = Math.max(maxWithBig, running); running--; return i; },
    }));
    expect(await runWithinBudget(jobs, { slots: 2, budgetBytes: 1000, onOverBudget: (i) => over.push(i) })).toEqual([0, 1, 2]);
    expect(over).toEqual([1]);
    expect(maxWithBig).toBe(1);
  });

  it('raises later estimates when a finished job measured more than estimated', async () => {
    const log: string[] = [];
    // Estimated 100 each, measured 250: once job 0 reports, job 3 (250) must wait for job 1 too.
    const jobs = [1, 20, 40, 5].map((ms, i) => ({ need: 100, run: async () => { log.push(`start ${i}`); await tick(ms); log.push(`end ${i}`); return 250; } }));
    await runWithinBudget(jobs, { slots: 3, budgetBytes: 350 }, (_i, measured) => measured / 100);
    expect(log.indexOf('start 3')).toBeGreaterThan(log.indexOf('end 1'));
    expect(log.slice(0, 3)).toEqual(['start 0', 'start 1', 'start 2']);
  });

  it('fails fast when a job throws', async () => {
    await expect(runWithinBudget([{ need: 1, run: async () => { throw new Error('boom'); } }], { slots: 2, budgetBytes: null })).rejects.toThrow('boom');
  });
});

describe('estimateSubjectBytes', () => {
  it('grows with the grid and the whole-brain ROI', () => {
    const full = { runs: [{ voxelsPerVolume: 100 * 100 * 64, bytesPerVolume: 100 * 100 * 64 * 2, nVolumes: 956, nTrials: 120 }] };
    const small = { runs: [{ voxelsPerVolume: 44 * 48 * 32, bytesPerVolume: 44 * 48 * 32 * 2, nVolumes: 326, nTrials: 120 }] };
    const rois = estimateSubjectBytes(full, defaultConfig());
    const brain = estimateSubjectBytes(full, parseConfig({ rois: ['brain'] }));
    expect(estimateSubjectBytes(small, defaultConfig())).toBeLessThan(rois);
    expect(rois).toBeGreaterThan(150 * MB);
    expect(rois).toBeLessThan(400 * MB);
    expect(brain).toBeGreaterThan(rois + 100 * MB);
  });
});

describe('stage graph', () => {
  it('knows what is downstream', () => {
    expect(downstreamOf('extract')).toEqual(['extract', 'dataset', 'decode', 'group', 'geometry', 'searchlight', 'searchlight_group']);
    expect(downstreamOf('behavior')).toEqual(['behavior', 'dataset', 'decode', 'group', 'geometry', 'searchlight', 'searchlight_group']);
    expect(downstreamOf('group')).toEqual(['group']);
    expect(downstreamOf('geometry')).toEqual(['geometry']);
    expect(downstreamOf('searchlight')).toEqual(['searchlight', 'searchlight_group']);
    expect(downstreamOf('decode', 'geometry')).toEqual(['decode', 'group', 'geometry']);
  });
});
