/**
 * Trial variables from a subject's hyperbolic fit (SCIENCE.md "Behaviour"): decoding targets and
 * RSA model variables. SV fields are null when the fit has no k (degenerate subject); chosen /
 * unchosen fields and rt are null for missed trials.
 */
import type { Trial } from '../bids/events.ts';
import type { HyperbolicFit } from './hyperbolic.ts';
import { exp } from '../math/fdlibm.ts';

export interface TrialVariables {
  /** Row index in the events file. */
  index: number;
  onset: number;
  duration: number;
  /** 1 = larger-later, 0 = smaller-sooner, null = missed. */
  choice: 1 | 0 | null;
  sv_ll: number | null;
  sv_ss: number | null;
  /** sv_ll − sv_ss */
  sv_diff: number | null;
  sv_sum: number | null;
  sv_chosen: number | null;
  sv_unchosen: number | null;
  sv_chosen_minus_unchosen: number | null;
  /** |sv_ll − sv_ss|: difficulty (small = hard). */
  abs_sv_diff: number | null;
  /** Model P(LL) = σ(β·sv_diff). */
  p_ll: number | null;
  later_delay: number;
  large_amount: number;
  sooner_delay: number;
  small_amount: number;
  rt: number | null;
  /** Trial flags carried over (missed, negative_onset, after_scan, starts_after_scan). */
  flags: string[];
}

/** Names of the numeric trial variables usable as targets (besides any numeric events column). */
export const TRIAL_VARIABLE_NAMES = [
  'choice', 'sv_ll', 'sv_ss', 'sv_diff', 'sv_sum', 'sv_chosen', 'sv_unchosen', 'sv_chosen_minus_unchosen',
  'abs_sv_diff', 'p_ll', 'later_delay', 'large_amount', 'rt',
] as const;

export function trialVariables(trials: readonly Trial[], fit: Pick<HyperbolicFit, 'k' | 'beta'>): TrialVariables[] {
  const k = fit.k;
  const beta = fit.beta;
  return trials.map((t) => {
    let svL: number | null = null, svS: number | null = null;
    if (k !== null && Number.isFinite(k)) {
      svL = t.amountLater / (1 + k * t.delayLater);
      svS = t.amountSooner / (1 + k * t.delaySooner);
    }
    const diff = svL !== null && svS !== null ? svL - svS : null;
    let chosen: number | null = null, unchosen: number | null = null;
    if (svL !== null && svS !== null && t.choice !== null) {
      chosen = t.choice === 1 ? svL : svS;
      unchosen = t.choice === 1 ? svS : svL;
    }
    let pll: number | null = null;
    if (diff !== null && beta !== null && Number.isFinite(beta)) {
      const z = beta * diff;
      pll = z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z));
    }
    return {
      index: t.index,
      onset: t.onset,
      duration: t.duration,
      choice: t.choice,
      sv_ll: svL,
      sv_ss: svS,
      sv_diff: diff,
      sv_sum: svL !== null && svS !== null ? svL + svS : null,
      sv_chosen: chosen,
      sv_unchosen: unchosen,
      sv_chosen_minus_unchosen: chosen !== null && unchosen !== null ? chosen - unchosen : null,
      abs_sv_diff: diff !== null ? Math.abs(diff) : null,
      p_ll: pll,
      later_delay: t.delayLater,
      large_amount: t.amountLater,
      sooner_delay: t.delaySooner,
      small_amount: t.amountSooner,
      rt: t.choice === null ? null : t.rt,
      flags: [...t.flags],
    };
  });
}
