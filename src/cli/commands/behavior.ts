import { readFile } from 'node:fs/promises';
import { fitHyperbolic } from '../../core/behavior/hyperbolic.ts';
import { flagTrialsAgainstScan, parseEvents } from '../../core/bids/events.ts';
import { parseBidsName } from '../../core/bids/layout.ts';
import { DdError } from '../../core/errors.ts';
import type { Args } from '../args.ts';
import type { CommandResult } from '../main.ts';

/** One row of `ddmvpa behavior --json` (CLI.md "behavior"). */
export interface BehaviorRow {
  file: string;
  /** BIDS participant id (`sub-…`) from the file name, null when the name has none. */
  subject: string | null;
  n_trials: number;
  n_valid: number;
  n_ll: number;
  n_ss: number;
  k: number | null;
  log_k: number | null;
  beta: number | null;
  log_beta: number | null;
  nll: number | null;
  pseudo_r2: number | null;
  aic: number | null;
  bic: number | null;
  flags: string[];
}

function fmt(v: number | null, digits = 4): string {
  return v === null ? 'n/a' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(digits - 1) : v.toFixed(digits);
}

/** `ddmvpa behavior EVENTS.tsv… [--json]`: the hyperbolic fit of each events file. */
export async function behavior(args: Args): Promise<CommandResult> {
  const files = args.positional;
  if (files.length === 0) throw new DdError('ARGS_MISSING', 'give one or more BIDS events files: ddmvpa behavior sub-01_task-discountFix_events.tsv … [--json]');
  const rows: BehaviorRow[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new DdError('FILE_NOT_FOUND', `${file}: cannot read the events file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path.`, { file, cause: e });
    }
    const parsed = parseEvents(text, file);
    for (const w of parsed.warnings) process.stderr.write(`warning ${w.code}: ${w.message}\n`);
    // No scan here: only the events' own flags (negative onsets); events after the scan need the BOLD.
    const fit = fitHyperbolic(flagTrialsAgainstScan(parsed.trials, NaN));
    const sub = parseBidsName(file)?.entities.sub;
    rows.push({
      file, subject: sub ? `sub-${sub}` : null,
      n_trials: fit.n_trials, n_valid: fit.n_valid, n_ll: fit.n_ll, n_ss: fit.n_ss,
      k: fit.k, log_k: fit.log_k, beta: fit.beta, log_beta: fit.log_beta, nll: fit.nll,
      pseudo_r2: fit.pseudo_r2, aic: fit.aic, bic: fit.bic, flags: [...fit.flags],
    });
  }
  const head = 'subject\tn_valid\tn_ll\tn_ss\tlog_k\tk\tbeta\tnll\tpseudo_r2\tflags';
  const lines = rows.map((r) => [r.subject ?? r.file, r.n_valid, r.n_ll, r.n_ss, fmt(r.log_k), fmt(r.k), fmt(r.beta), fmt(r.nll), fmt(r.pseudo_r2), r.flags.join(',') || '-'].join('\t'));
  return { json: rows, text: [head, ...lines].join('\n') };
}
