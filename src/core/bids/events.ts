/**
 * BIDS `*_events.tsv` for intertemporal choice → one Trial per row.
 *
 * Two layouts are read through ONE column-mapping table (`EVENTS_LAYOUTS`):
 *  - `discountFix` (OpenNeuro ds004636): `small_amount` now (delay 0) vs `large_amount` in
 *    `later_delay` days; `choice` ∈ larger_later / smaller_sooner, a miss is `false` or `n/a`
 *    (then `key_press` −1 and `response_time` n/a).
 *  - `generic`: `amount_sooner delay_sooner amount_later delay_later choice`, choice 1 = later.
 * Choice cells of either layout go through one decoder (`decodeChoice`).
 *
 * Negative onsets and events that end after the scan are flagged (`flagTrialsAgainstScan`), never
 * errors: the trial table stays honest and downstream code models what can be modelled.
 */
import { DdError, type DdWarning } from '../errors.ts';
import { isMissingCell, parseNumberCell, readRawTable } from './table.ts';

export interface Trial {
  /** 0-based row index in the events file (after blank lines are skipped). */
  index: number;
  onset: number;
  duration: number;
  /** 1 = larger-later, 0 = smaller-sooner, null = missed (no response). */
  choice: 1 | 0 | null;
  amountSooner: number;
  delaySooner: number;
  amountLater: number;
  delayLater: number;
  /** Response time in seconds; null when missed or not recorded. */
  rt: number | null;
  /** Raw key code when the file has one (discountFix: 71 middle, 89 index, −1 none). */
  keyPress?: number | null;
  /**
   * Trial-level flags: `missed` (from parsing); `negative_onset`, `after_scan` (onset + duration
   * > scan end), `starts_after_scan` (onset ≥ scan end: cannot be modelled) from
   * `flagTrialsAgainstScan`.
   */
  flags: string[];
}

export type EventsLayoutName = 'discountFix' | 'generic';
export type EventsField =
  | 'onset' | 'duration' | 'choice' | 'amountSooner' | 'delaySooner' | 'amountLater' | 'delayLater' | 'rt' | 'keyPress';

/** Where a Trial field comes from: the first present column among `columns`, or a constant. */
export interface FieldSource {
  columns?: readonly string[];
  constant?: number;
  required: boolean;
}

export interface EventsLayout {
  name: EventsLayoutName;
  description: string;
  fields: Record<EventsField, FieldSource>;
}

/** The one column-mapping table. Column names are matched case-sensitively, as BIDS requires. */
export const EVENTS_LAYOUTS: Record<EventsLayoutName, EventsLayout> = {
  discountFix: {
    name: 'discountFix',
    description: 'ds004636 discountFix: small_amount today vs large_amount in later_delay days',
    fields: {
      onset: { columns: ['onset'], required: true },
      duration: { columns: ['duration'], required: true },
      choice: { columns: ['choice', 'trial_type'], required: true },
      amountSooner: { columns: ['small_amount'], required: true },
      delaySooner: { constant: 0, required: true },
      amountLater: { columns: ['large_amount'], required: true },
      delayLater: { columns: ['later_delay'], required: true },
      rt: { columns: ['response_time', 'rt', 'reaction_time'], required: false },
      keyPress: { columns: ['key_press'], required: false },
    },
  },
  generic: {
    name: 'generic',
    description: 'generic intertemporal choice: amount_sooner delay_sooner amount_later delay_later choice (1 = later)',
    fields: {
      onset: { columns: ['onset'], required: true },
      duration: { columns: ['duration'], required: true },
      choice: { columns: ['choice'], required: true },
      amountSooner: { columns: ['amount_sooner'], required: true },
      delaySooner: { columns: ['delay_sooner'], required: true },
      amountLater: { columns: ['amount_later'], required: true },
      delayLater: { columns: ['delay_later'], required: true },
      rt: { columns: ['response_time', 'rt', 'reaction_time'], required: false },
      keyPress: { columns: ['key_press'], required: false },
    },
  },
};

/** Choice cell → 1 (later), 0 (sooner), null (missed), undefined (not recognised). Case-insensitive. */
const CHOICE_TOKENS: Record<string, 1 | 0 | null> = {
  larger_later: 1, ll: 1, later: 1, larger: 1, '1': 1, '1.0': 1,
  smaller_sooner: 0, ss: 0, sooner: 0, smaller: 0, '0': 0, '0.0': 0,
  false: null, 'n/a': null, na: null, nan: null, '': null, missed: null, none: null, no_response: null,
};

export function decodeChoice(cell: string): 1 | 0 | null | undefined {
  const key = cell.trim().toLowerCase();
  return Object.hasOwn(CHOICE_TOKENS, key) ? CHOICE_TOKENS[key] : undefined;
}

export interface ParseEventsOptions {
  /** Force a layout; default 'auto' (the layout with the most of its columns present). */
  layout?: 'auto' | EventsLayoutName;
  /** Override the column of any field, e.g. `{ choice: 'response' }`. */
  columns?: Partial<Record<EventsField, string>>;
}

export interface ParsedEvents {
  trials: Trial[];
  warnings: DdWarning[];
  layout: EventsLayoutName;
  /** The column each field was read from (null for a constant or an absent optional field). */
  columnMap: Record<EventsField, string | null>;
}

const FIELDS: EventsField[] = ['onset', 'duration', 'choice', 'amountSooner', 'delaySooner', 'amountLater', 'delayLater', 'rt', 'keyPress'];

function resolve(layout: EventsLayout, header: Set<string>, overrides: Partial<Record<EventsField, string>>) {
  const map = {} as Record<EventsField, string | null>;
  const missing: { field: EventsField; columns: readonly string[] }[] = [];
  for (const f of FIELDS) {
    const src = layout.fields[f];
    const ov = overrides[f];
    if (ov !== undefined) {
      if (header.has(ov)) map[f] = ov;
      else { map[f] = null; missing.push({ field: f, columns: [ov] }); }
      continue;
    }
    if (src.constant !== undefined) { map[f] = null; continue; }
    const col = (src.columns ?? []).find((c) => header.has(c));
    map[f] = col ?? null;
    if (!col && src.required) missing.push({ field: f, columns: src.columns ?? [] });
  }
  return { map, missing };
}

/**
 * Parses an events TSV. Throws DdError EVENTS_EMPTY (no header or no rows),
 * EVENTS_MISSING_COLUMN, EVENTS_NOT_NUMERIC (with line number), EVENTS_BAD_VALUE (negative amount or
 * delay), EVENTS_BAD_CHOICE, EVENTS_BAD_ROW.
 */
export function parseEvents(text: string, file: string, opts: ParseEventsOptions = {}): ParsedEvents {
  const table = readRawTable(text, file, { empty: 'EVENTS_EMPTY', badRow: 'EVENTS_BAD_ROW' }, 'events');
  const header = new Set(table.columns);
  const overrides = opts.columns ?? {};

  let chosen: EventsLayout;
  let resolved: ReturnType<typeof resolve>;
  if (opts.layout && opts.layout !== 'auto') {
    chosen = EVENTS_LAYOUTS[opts.layout];
    resolved = resolve(chosen, header, overrides);
  } else {
    // The layout missing the fewest required columns; ties go to discountFix (listed first).
    let best: { l: EventsLayout; r: ReturnType<typeof resolve> } | null = null;
    for (const l of Object.values(EVENTS_LAYOUTS)) {
      const r = resolve(l, header, overrides);
      if (!best || r.missing.length < best.r.missing.length) best = { l, r };
    }
    chosen = best!.l;
    resolved = best!.r;
  }
  if (resolved.missing.length > 0) {
    const m = resolved.missing[0]!;
    const names = m.columns.map((c) => `'${c}'`).join(' or ');
    const other = chosen.name === 'discountFix' ? EVENTS_LAYOUTS.generic : EVENTS_LAYOUTS.discountFix;
    const otherCols = FIELDS.filter((f) => other.fields[f].required && other.fields[f].columns).map((f) => other.fields[f].columns![0]).join(' ');
    throw new DdError(
      'EVENTS_MISSING_COLUMN',
      `${file}: missing required column ${names} (${m.field}) for the ${chosen.name} events layout` +
        (resolved.missing.length > 1 ? ` (also missing: ${resolved.missing.slice(1).map((x) => x.columns[0] ?? x.field).join(', ')})` : '') +
        `. The file has columns: ${table.columns.join(', ')}. Add the column, map an existing column to it (events column mapping), ` +
        `or use the ${other.name} layout (${otherCols}).`,
      { file },
    );
  }
  if (table.rows.length === 0) {
    throw new DdError('EVENTS_EMPTY', `${file}: the events file has a header but no trials. Use the events file of the run that holds the choice trials.`, { file });
  }

  const idx = {} as Record<EventsField, number>;
  for (const f of FIELDS) idx[f] = resolved.map[f] === null ? -1 : table.columns.indexOf(resolved.map[f]!);

  const warnings: DdWarning[] = [];
  const trials: Trial[] = [];
  let missingDur = 0;
  let keyConflicts = 0;

  const num = (row: string[], line: number, f: EventsField): number => {
    const src = chosen.fields[f];
    if (idx[f] < 0) return src.constant ?? NaN;
    const cell = row[idx[f]]!;
    const v = parseNumberCell(cell);
    if (!Number.isFinite(v)) {
      throw new DdError(
        'EVENTS_NOT_NUMERIC',
        `${file}, line ${line}: column '${resolved.map[f]}' (${f}) is '${cell}', not a number. ` +
          `Fix that cell (a plain number such as 4.0; amounts in dollars, delays in days, times in seconds) or remove the row.`,
        { file },
      );
    }
    return v;
  };
  const optNum = (row: string[], f: EventsField): number | null => {
    if (idx[f] < 0) return null;
    const v = parseNumberCell(row[idx[f]]!);
    return Number.isFinite(v) ? v : null;
  };

  table.rows.forEach((row, i) => {
    const line = table.lines[i]!;
    const onset = num(row, line, 'onset');
    let duration: number;
    if (isMissingCell(row[idx.duration]!)) { duration = 0; missingDur++; } else duration = num(row, line, 'duration');
    const choiceCell = row[idx.choice]!;
    const choice = decodeChoice(choiceCell);
    if (choice === undefined) {
      throw new DdError(
        'EVENTS_BAD_CHOICE',
        `${file}, line ${line}: column '${resolved.map.choice}' is '${choiceCell}', which is not a choice. ` +
          `Use larger_later / smaller_sooner (or 1 = later, 0 = sooner), and n/a or false for a missed response.`,
        { file },
      );
    }
    const amountSooner = num(row, line, 'amountSooner');
    const delaySooner = num(row, line, 'delaySooner');
    const amountLater = num(row, line, 'amountLater');
    const delayLater = num(row, line, 'delayLater');
    for (const [f, v] of [['amountSooner', amountSooner], ['delaySooner', delaySooner], ['amountLater', amountLater], ['delayLater', delayLater]] as const) {
      if (v < 0) {
        throw new DdError(
          'EVENTS_BAD_VALUE',
          `${file}, line ${line}: column '${resolved.map[f]}' (${f}) is ${v}; amounts and delays cannot be negative. Fix that cell or remove the row.`,
          { file },
        );
      }
    }
    const keyPress = idx.keyPress >= 0 ? optNum(row, 'keyPress') : undefined;
    const rtRaw = optNum(row, 'rt');
    const flags: string[] = [];
    if (choice === null) flags.push('missed');
    if (choice !== null && keyPress === -1) keyConflicts++;
    const t: Trial = {
      index: i, onset, duration, choice, amountSooner, delaySooner, amountLater, delayLater,
      rt: choice === null ? null : rtRaw, flags,
    };
    if (keyPress !== undefined) t.keyPress = keyPress;
    trials.push(t);
  });

  if (missingDur > 0) {
    warnings.push({ code: 'EVENTS_DURATION_MISSING', file, message: `${file}: ${missingDur} trial(s) have duration n/a; modelled as impulses (duration 0). Fill in the stimulus duration if it is known.` });
  }
  if (keyConflicts > 0) {
    warnings.push({ code: 'EVENTS_CHOICE_KEY_CONFLICT', file, message: `${file}: ${keyConflicts} trial(s) have a choice but key_press −1 (no response); the choice column was used. Check the export of this run.` });
  }
  for (let i = 1; i < trials.length; i++) {
    if (trials[i]!.onset < trials[i - 1]!.onset) {
      warnings.push({ code: 'EVENTS_UNSORTED', file, message: `${file}: onsets are not in increasing order (line ${table.lines[i]}); trials are kept in file order. Sort the file by onset if that is not intended.` });
      break;
    }
  }
  const neg = trials.filter((t) => t.duration < 0).length;
  if (neg > 0) {
    warnings.push({ code: 'EVENTS_NEGATIVE_DURATION', file, message: `${file}: ${neg} trial(s) have a negative duration; modelled as impulses. Fix the durations in the events file.` });
    for (const t of trials) if (t.duration < 0) t.duration = 0;
  }
  return { trials, warnings, layout: chosen.name, columnMap: resolved.map };
}

/**
 * Flags trials against the scan: `negative_onset` (onset < 0), `after_scan` (onset + duration >
 * scan end), `starts_after_scan` (onset ≥ scan end: nothing of it was scanned, cannot be modelled).
 * Returns new Trial objects; idempotent (flags are not duplicated); never throws for these cases.
 */
export function flagTrialsAgainstScan(trials: readonly Trial[], scanDurationS: number): Trial[] {
  return trials.map((t) => {
    const flags = t.flags.filter((f) => f !== 'negative_onset' && f !== 'after_scan' && f !== 'starts_after_scan');
    if (t.onset < 0) flags.push('negative_onset');
    if (Number.isFinite(scanDurationS)) {
      if (t.onset + t.duration > scanDurationS) flags.push('after_scan');
      if (t.onset >= scanDurationS) flags.push('starts_after_scan');
    }
    return { ...t, flags };
  });
}

/** Counts of the scan-related trial flags (for QC tables and warnings). */
export function countTrialFlags(trials: readonly Trial[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of trials) for (const f of t.flags) out[f] = (out[f] ?? 0) + 1;
  return out;
}
