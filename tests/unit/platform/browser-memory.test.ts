// planWorkers: subject workers and memory budget of a run in a tab, from what the browser reports.
import { describe, expect, it } from 'vitest';
import { planWorkers } from '../../../src/platform/browser/memory.ts';

const GB = 1024 ** 3;

describe('planWorkers', () => {
  it('one worker per core, half the device memory as the budget', () => {
    const p = planWorkers({ cores: 4, deviceMemoryGb: 8 });
    expect(p.slots).toBe(4);
    expect(p.budgetBytes).toBe(4 * GB);
    expect(p.why).toBe('4 subject workers (4 logical cores) · memory budget 4.0 GB (half of the 8 GB the browser reports)');
  });

  it('at most 8 workers, and no more than the budget can hold', () => {
    expect(planWorkers({ cores: 32, deviceMemoryGb: 8 }).slots).toBe(8);
    // 0.5 GB device → 256 MB budget → one 192 MB worker floor fits once.
    expect(planWorkers({ cores: 8, deviceMemoryGb: 0.5 }).slots).toBe(1);
    expect(planWorkers({ cores: 8, deviceMemoryGb: 1 }).slots).toBe(2);
  });

  it('assumes 4 GB and 2 cores where the browser does not say, and says so', () => {
    const p = planWorkers({ cores: null, deviceMemoryGb: null });
    expect(p.slots).toBe(2);
    expect(p.budgetBytes).toBe(2 * GB);
    expect(p.why).toContain('does not report device memory; 4 GB assumed');
    expect(p.why).toContain('core count unknown');
  });

  it('overrides win', () => {
    const p = planWorkers({ cores: 2, deviceMemoryGb: 8 }, { workers: 1, budgetMb: 500 });
    expect(p.slots).toBe(1);
    expect(p.budgetBytes).toBe(500 * 1024 ** 2);
    expect(p.why).toBe('1 subject worker (set for this run) · memory budget 0.5 GB (set for this run)');
  });
});
