import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flagTrialsAgainstScan, parseEvents, type Trial } from '../../../src/core/bids/events.ts';
import {
  choiceData, fitHyperbolic, hyperbolicNll, hyperbolicNllDerivatives, type HyperbolicFit,
} from '../../../src/core/behavior/hyperbolic.ts';
import { Rng } from '../../../src/core/random.ts';
import { eventsText, summary, summaryRow } from './fixtures.ts';

function subjectTrials(id: string): Trial[] {
  const { file, text } = eventsText(id);
  return flagTrialsAgainstScan(parseEvents(text, file).trials, Number(summaryRow(id).scan_duration_s));
}

const fits = new Map<string, HyperbolicFit>();
for (const row of summary()) fits.set(row.participant_id!.replace('sub-', ''), fitHyperbolic(subjectTrials(row.participant_id!)));

describe('hyperbolic fit vs the reference MLE (discountFix_subject_summary.tsv, natural logs)', () => {
  const ok = summary().filter((r) => r.ref_fit_flag === 'ok');
  it('has the expected number of ok rows', () => expect(ok).toHaveLength(24));

  for (const row of ok) {
    const id = row.participant_id!.replace('sub-', '');
    it(`${id}: log k and log β within 0.02, nll within 1e-3`, () => {
      const f = fits.get(id)!;
      expect(Math.abs(f.log_k! - Number(row.ref_log_k_mle))).toBeLessThan(0.02);
      expect(Math.abs(f.log_beta! - Number(row.ref_log_beta_mle))).toBeLessThan(0.02);
      expect(Math.abs(f.nll! - Number(row.ref_nll))).toBeLessThan(1e-3);
      expect(f.k).toBeCloseTo(Math.exp(f.log_k!), 12);
      expect(f.k! / Number(row.ref_k_mle)).toBeGreaterThan(0.98);
      expect(f.k! / Number(row.ref_k_mle)).toBeLessThan(1.02);
      expect(f.flags).not.toContain('at_bound');
      expect(f.flags).not.toContain('near_chance_fit');
      expect(f.flags).not.toContain('degenerate_all_one_choice');
      expect(f.n_valid).toBe(Number(row.n_smaller_sooner) + Number(row.n_larger_later));
      expect(f.n_ll).toBe(Number(row.n_larger_later));
      expect(f.n_missed).toBe(Number(row.n_no_response));
    });
  }

  it('at-bound reference rows are matched too (same optimum, never a worse likelihood)', () => {
    for (const row of summary().filter((r) => r.ref_fit_flag === 'at_bound')) {
      const f = fits.get(row.participant_id!.replace('sub-', ''))!;
      expect(f.log_k).toBeCloseTo(Number(row.ref_log_k_mle), 2);
      expect(f.log_beta).toBeCloseTo(Number(row.ref_log_beta_mle), 2);
      expect(f.nll!).toBeLessThanOrEqual(Number(row.ref_nll) + 1e-4);
      expect(f.flags).toContain('at_bound');
    }
  });
});

describe('flags on the edge cases of the data README', () => {
  const flags = (id: string) => fits.get(id)!.flags;
  it('s465, s586, s513: degenerate_all_one_choice with null parameters', () => {
    for (const id of ['s465', 's586', 's513']) {
      const f = fits.get(id)!;
      expect(f.flags).toContain('degenerate_all_one_choice');
      expect(f.flags).not.toContain('many_missed');
      expect([f.k, f.log_k, f.beta, f.log_beta, f.nll, f.pseudo_r2, f.aic, f.bic]).toEqual([null, null, null, null, null, null, null, null]);
    }
    expect(fits.get('s513')!.n_missed).toBe(6);
  });
  it('s524, s650: many_missed', () => {
    expect(flags('s524')).toContain('many_missed');
    expect(flags('s650')).toContain('many_missed');
    expect(flags('s524')).toContain('at_bound');
    expect(flags('s650')).toContain('at_bound');
  });
  it('s573: at_bound and near_chance_fit', () => {
    expect(flags('s573')).toEqual(['at_bound', 'near_chance_fit']);
    expect(fits.get('s573')!.log_k).toBe(3);
  });
  it('s491, s495: events_after_scan; s556: negative_onset', () => {
    expect(flags('s491')).toEqual(['events_after_scan']);
    expect(flags('s495')).toEqual(['events_after_scan']);
    expect(flags('s556')).toEqual(['negative_onset']);
  });
  it('clean subjects have no flags', () => {
    for (const id of ['s061', 's130', 's251', 's358', 's373', 's471', 's483', 's497', 's512', 's525', 's526', 's541', 's546', 's548', 's549', 's553', 's554', 's555', 's561', 's570']) {
      expect(flags(id), id).toEqual([]);
    }
  });
  it('without scan flags on the trials there are no scan flags on the fit', () => {
    const { file, text } = eventsText('s491');
    expect(fitHyperbolic(parseEvents(text, file).trials).flags).toEqual([]);
  });
  it('no valid trials: no_valid_trials and many_missed', () => {
    const trials = subjectTrials('s061').map((t) => ({ ...t, choice: null }));
    expect(fitHyperbolic(trials).flags).toEqual(['no_valid_trials', 'many_missed']);
  });
});

describe('fit statistics', () => {
  it('McFadden pseudo-R² vs the base-rate null, R² vs chance, AIC, BIC', () => {
    const f = fits.get('s061')!;
    const n = f.n_valid, nll0 = -(84 * Math.log(84 / n) + 36 * Math.log(36 / n));
    expect(f.pseudo_r2).toBeCloseTo(1 - f.nll! / nll0, 12);
    expect(f.pseudo_r2_chance).toBeCloseTo(1 - f.nll! / (n * Math.LN2), 12);
    expect(f.aic).toBeCloseTo(2 * f.nll! + 4, 12);
    expect(f.bic).toBeCloseTo(2 * f.nll! + 2 * Math.log(120), 12);
    expect(f.n_params).toBe(2);
    expect(f.nll).toBeCloseTo(hyperbolicNll(choiceData(subjectTrials('s061')), f.log_k!, f.log_beta!), 12);
  });

  it('analytic gradient and Hessian agree with finite differences', () => {
    const d = choiceData(subjectTrials('s548'));
    for (const [u, v] of [[-4, -2], [-1, 0.5], [-8, -5], [2, 1]] as const) {
      const a = hyperbolicNllDerivatives(d, u, v);
      const h = 1e-5;
      const f = (x: number, y: number) => hyperbolicNll(d, x, y);
      const gu = (f(u + h, v) - f(u - h, v)) / (2 * h);
      const gv = (f(u, v + h) - f(u, v - h)) / (2 * h);
      const scale = (x: number) => Math.max(1, Math.abs(x));
      expect(Math.abs(a.g0 - gu) / scale(gu)).toBeLessThan(1e-5);
      expect(Math.abs(a.g1 - gv) / scale(gv)).toBeLessThan(1e-5);
      const G = (x: number, y: number) => hyperbolicNllDerivatives(d, x, y);
      const huu = (G(u + h, v).g0 - G(u - h, v).g0) / (2 * h);
      const huv = (G(u, v + h).g0 - G(u, v - h).g0) / (2 * h);
      const hvv = (G(u, v + h).g1 - G(u, v - h).g1) / (2 * h);
      expect(Math.abs(a.h00 - huu) / scale(huu)).toBeLessThan(1e-5);
      expect(Math.abs(a.h01 - huv) / scale(huv)).toBeLessThan(1e-5);
      expect(Math.abs(a.h11 - hvv) / scale(hvv)).toBeLessThan(1e-5);
      expect(a.f).toBeCloseTo(f(u, v), 12);
    }
  });

  it('finds the global optimum: never worse than a fine 151 × 131 grid (40 seeded synthetic subjects)', () => {
    const rng = new Rng(1234);
    const base = subjectTrials('s061');
    for (let s = 0; s < 40; s++) {
      const lk = -9 + 11 * rng.next(), lb = -4 + 6 * rng.next();
      const k = Math.exp(lk), b = Math.exp(lb);
      const n = 20 + rng.int(100);
      const trials = base.slice(0, n).map((t) => {
        const aS = 5 + 30 * rng.next(), dS = rng.next() < 0.5 ? 0 : rng.int(30);
        const aL = aS * (1.05 + 2 * rng.next()), dL = dS + 1 + rng.int(200);
        const p = 1 / (1 + Math.exp(-b * (aL / (1 + k * dL) - aS / (1 + k * dS))));
        const choice = rng.next() < 0.05 ? null : rng.next() < p ? 1 : 0;
        return { ...t, amountSooner: aS, delaySooner: dS, amountLater: aL, delayLater: dL, choice } as Trial;
      });
      const f = fitHyperbolic(trials);
      if (f.nll === null) continue;
      const d = choiceData(trials);
      let best = Infinity;
      for (let i = 0; i <= 150; i++) for (let j = 0; j <= 130; j++) best = Math.min(best, hyperbolicNll(d, -12 + i * 0.1, -8 + j * 0.1));
      expect(f.nll, `synthetic subject ${s}`).toBeLessThanOrEqual(best + 1e-9);
    }
  });

  it('is deterministic', () => {
    expect(fitHyperbolic(subjectTrials('s548'))).toEqual(fitHyperbolic(subjectTrials('s548')));
  });

  it('fixedBeta: 1 (older practice) holds β at 1 and fits k only', () => {
    const f = fitHyperbolic(subjectTrials('s061'), { fixedBeta: 1 });
    expect(f.beta).toBe(1);
    expect(f.log_beta).toBe(0);
    expect(f.fixed_beta).toBe(1);
    expect(f.n_params).toBe(1);
    expect(f.aic).toBeCloseTo(2 * f.nll! + 2, 12);
    expect(f.nll!).toBeGreaterThanOrEqual(fits.get('s061')!.nll!);
    expect(() => fitHyperbolic(subjectTrials('s061'), { fixedBeta: 0 })).toThrow(/fixedBeta/);
  });

});

interface GoldenSubject {
  id: string; tsv: string; n_valid: number; n_ll: number;
  fit: { log_k: number; log_beta: number; nll: number };
  fit_fixed_beta_1: { log_k: number; log_beta: number; nll: number };
}
const golden: { subjects: GoldenSubject[] } = JSON.parse(readFileSync(new URL('../../fixtures/golden/behavior_hyperbolic.json', import.meta.url), 'utf8'));

describe('generic layout with sooner delays vs scipy L-BFGS-B (behavior_hyperbolic.json)', () => {
  for (const s of golden.subjects) {
    it(`${s.id}`, () => {
      const { trials, layout } = parseEvents(s.tsv, `${s.id}_events.tsv`);
      expect(layout).toBe('generic');
      expect(trials.some((t) => t.delaySooner > 0)).toBe(true);
      const f = fitHyperbolic(trials);
      expect(f.n_valid).toBe(s.n_valid);
      expect(f.n_ll).toBe(s.n_ll);
      expect(Math.abs(f.log_k! - s.fit.log_k)).toBeLessThan(0.005);
      expect(Math.abs(f.log_beta! - s.fit.log_beta)).toBeLessThan(0.005);
      expect(f.nll!).toBeLessThanOrEqual(s.fit.nll + 1e-6);
      const fb = fitHyperbolic(trials, { fixedBeta: 1 });
      expect(Math.abs(fb.log_k! - s.fit_fixed_beta_1.log_k)).toBeLessThan(0.005);
      expect(fb.nll!).toBeLessThanOrEqual(s.fit_fixed_beta_1.nll + 1e-6);
    });
  }
});
