// pooledExecutor: tasks placed on idle workers only, a dead worker fails its task (not the run).
import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import { deadWorkerResult, pooledExecutor, type Task, type TaskResult, type TaskRunner } from '../../../src/core/pipeline/executor.ts';
import type { CellResult, PreparedSubject, SubjectJob } from '../../../src/core/pipeline/runner.ts';
import { defaultConfig } from '../../../src/core/pipeline/config.ts';

const job = (subject: string): SubjectJob => ({ subject, runs: [], config: defaultConfig() });

function fakeRunner(name: string, log: string[], behaviour: (t: Task) => Promise<TaskResult>): TaskRunner & { busy: number; maxBusy: number } {
  const r = {
    busy: 0,
    maxBusy: 0,
    async run(task: Task) {
      r.busy++;
      r.maxBusy = Math.max(r.maxBusy, r.busy);
      log.push(`${name}:${task.kind === 'prepare' ? task.job.subject : task.cell.cell.roi}`);
      try {
        return await behaviour(task);
      } finally {
        r.busy--;
      }
    },
  };
  return r;
}

const tick = () => new Promise((res) => setTimeout(res, 5));

describe('pooledExecutor', () => {
  it('runs at most one task per worker and every task once', async () => {
    const log: string[] = [];
    const ok = async (t: Task) => {
      await tick();
      return deadWorkerResult(t, 'unused') as TaskResult; // any well-formed result
    };
    const runners = [fakeRunner('a', log, ok), fakeRunner('b', log, ok)];
    const ex = pooledExecutor({ runners, budgetBytes: null, sharedCache: true, diedHint: '', close: async () => {} });
    expect(ex.slots).toBe(2);
    const subjects = ['01', '02', '03', '04', '05'];
    const out = await Promise.all(subjects.map((s) => ex.prepare(job(s), false, () => {})));
    expect(out.map((p) => p.outcome.id)).toEqual(subjects);
    expect(log).toHaveLength(5);
    expect(new Set(log.map((l) => l.split(':')[1]))).toEqual(new Set(subjects));
    for (const r of runners) expect(r.maxBusy).toBe(1);
  });

  it('turns a dead worker into a failed subject or decoding, and keeps going', async () => {
    const log: string[] = [];
    const dies = async () => {
      throw new DdError('WORKER_DIED', 'the worker stopped (out of memory)');
    };
    const ex = pooledExecutor({ runners: [fakeRunner('a', log, dies)], budgetBytes: null, sharedCache: false, diedHint: 'Close other tabs.', close: async () => {} });
    const p: PreparedSubject = await ex.prepare(job('07'), true, () => {});
    expect(p.outcome.failed).toBe(true);
    expect(p.outcome.errors[0]!.code).toBe('WORKER_DIED');
    expect(p.outcome.errors[0]!.message).toContain('sub-07');
    expect(p.outcome.errors[0]!.message).toContain('Close other tabs.');
    const c: CellResult = await ex.decodeCell({ job: job('07'), cell: { roi: 'vmpfc', target: 'choice' } as never, behaviorKey: '' }, () => {});
    expect(c.entry.ok).toBeNull();
    expect(c.entry.error?.code).toBe('WORKER_DIED');
    expect(log).toEqual(['a:07', 'a:vmpfc']);
  });

  it('passes other errors through', async () => {
    const ex = pooledExecutor({
      runners: [fakeRunner('a', [], async () => { throw new DdError('RUN_CANCELLED', 'cancelled'); })],
      budgetBytes: null, sharedCache: false, diedHint: '', close: async () => {},
    });
    await expect(ex.prepare(job('01'), true, () => {})).rejects.toMatchObject({ code: 'RUN_CANCELLED' });
  });
});
