import { describe, expect, it } from 'vitest';
import { parseEvents } from '../../../src/core/bids/events.ts';
import { fitHyperbolic } from '../../../src/core/behavior/hyperbolic.ts';
import { TRIAL_VARIABLE_NAMES, trialVariables } from '../../../src/core/behavior/trial-variables.ts';
import { eventsText } from './fixtures.ts';

const trialsOf = (id: string) => { const { file, text } = eventsText(id); return parseEvents(text, file).trials; };
const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe('trialVariables', () => {
  it('s061 first two trials, by hand', () => {
    const trials = trialsOf('s061');
    const fit = fitHyperbolic(trials);
    const k = fit.k!, b = fit.beta!;
    const rows = trialVariables(trials, fit);
    expect(rows).toHaveLength(120);
    // Row 0: $20 now vs $31 in 76 days, chose smaller_sooner.
    const ll0 = 31 / (1 + 76 * k);
    expect(rows[0]).toMatchObject({ index: 0, onset: 3.006, duration: 4, choice: 0, later_delay: 76, large_amount: 31, rt: 1.744 });
    expect(rows[0]!.sv_ll).toBeCloseTo(ll0, 12);
    expect(rows[0]!.sv_ss).toBe(20);
    expect(rows[0]!.sv_diff).toBeCloseTo(ll0 - 20, 12);
    expect(rows[0]!.sv_sum).toBeCloseTo(ll0 + 20, 12);
    expect(rows[0]!.sv_chosen).toBe(20);
    expect(rows[0]!.sv_unchosen).toBeCloseTo(ll0, 12);
    expect(rows[0]!.sv_chosen_minus_unchosen).toBeCloseTo(20 - ll0, 12);
    expect(rows[0]!.abs_sv_diff).toBeCloseTo(Math.abs(ll0 - 20), 12);
    expect(rows[0]!.p_ll).toBeCloseTo(sig(b * (ll0 - 20)), 12);
    // Row 1: $43 in 19 days, chose larger_later.
    const ll1 = 43 / (1 + 19 * k);
    expect(rows[1]!.choice).toBe(1);
    expect(rows[1]!.sv_chosen).toBeCloseTo(ll1, 12);
    expect(rows[1]!.sv_unchosen).toBe(20);
    expect(rows[1]!.sv_chosen_minus_unchosen).toBeCloseTo(ll1 - 20, 12);
  });

  it('log-likelihood from p_ll equals −nll of the fit', () => {
    const trials = trialsOf('s548');
    const fit = fitHyperbolic(trials);
    let ll = 0;
    for (const r of trialVariables(trials, fit)) if (r.choice !== null) ll += Math.log(r.choice === 1 ? r.p_ll! : 1 - r.p_ll!);
    expect(-ll).toBeCloseTo(fit.nll!, 9);
  });

  it('missed trials: SV known, chosen/unchosen and rt null', () => {
    const trials = trialsOf('s524');
    const rows = trialVariables(trials, fitHyperbolic(trials));
    const missed = rows.filter((r) => r.choice === null);
    expect(missed).toHaveLength(36);
    for (const r of missed) {
      expect(r.sv_ll).not.toBeNull();
      expect(r.p_ll).not.toBeNull();
      expect([r.sv_chosen, r.sv_unchosen, r.sv_chosen_minus_unchosen, r.rt]).toEqual([null, null, null, null]);
      expect(r.flags).toContain('missed');
    }
  });

  it('degenerate fit (k null): every SV field null, behaviour kept', () => {
    const trials = trialsOf('s465');
    const fit = fitHyperbolic(trials);
    expect(fit.k).toBeNull();
    for (const r of trialVariables(trials, fit)) {
      expect([r.sv_ll, r.sv_ss, r.sv_diff, r.sv_sum, r.sv_chosen, r.sv_unchosen, r.sv_chosen_minus_unchosen, r.abs_sv_diff, r.p_ll])
        .toEqual(Array(9).fill(null));
      expect(r.choice).toBe(1);
      expect(r.rt).not.toBeNull();
    }
  });

  it('every advertised variable is a field of a row', () => {
    const trials = trialsOf('s061');
    const row = trialVariables(trials, fitHyperbolic(trials))[0]!;
    for (const n of TRIAL_VARIABLE_NAMES) expect(row).toHaveProperty(n);
  });
});
