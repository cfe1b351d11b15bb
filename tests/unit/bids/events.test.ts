import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import { countTrialFlags, decodeChoice, flagTrialsAgainstScan, parseEvents } from '../../../src/core/bids/events.ts';
import { eventsFiles, eventsText, summary, summaryRow } from '../behavior/fixtures.ts';

function catchDd(fn: () => unknown): DdError {
  try { fn(); } catch (e) { if (e instanceof DdError) return e; throw e; }
  throw new Error('expected a DdError');
}

/** Independent reading of onsets: plain split, no parser under test. */
function rawOnsets(text: string): number[] {
  return text.trim().split('\n').slice(1).map((l) => Number(l.split('\t')[0]));
}

describe('parseEvents on the 30 real ds004636 files', () => {
  it('has one fixture per summary row', () => {
    expect(eventsFiles()).toHaveLength(30);
    expect(summary()).toHaveLength(30);
  });

  for (const row of summary()) {
    const id = row.participant_id!;
    it(`${id}: counts and onsets match the summary`, () => {
      const { file, text } = eventsText(id);
      const { trials, layout, warnings } = parseEvents(text, file);
      expect(layout).toBe('discountFix');
      expect(warnings).toEqual([]);
      expect(trials).toHaveLength(Number(row.n_events));
      expect(trials.filter((t) => t.choice === 0)).toHaveLength(Number(row.n_smaller_sooner));
      expect(trials.filter((t) => t.choice === 1)).toHaveLength(Number(row.n_larger_later));
      expect(trials.filter((t) => t.choice === null)).toHaveLength(Number(row.n_no_response));
      expect(trials[0]!.onset).toBeCloseTo(Number(row.first_onset_s), 6);
      expect(trials[trials.length - 1]!.onset).toBeCloseTo(Number(row.last_onset_s), 6);
      for (const t of trials) {
        expect(t.amountSooner).toBe(20);
        expect(t.delaySooner).toBe(0);
        // 4.0 s everywhere except sub-s491, whose file says 5.0 s.
        expect(t.duration).toBe(id === 'sub-s491' ? 5 : 4);
        expect(t.amountLater).toBeGreaterThanOrEqual(22);
        expect(t.amountLater).toBeLessThanOrEqual(85);
        expect(t.delayLater).toBeGreaterThanOrEqual(19);
        expect(t.delayLater).toBeLessThanOrEqual(180);
      }
      const flagged = flagTrialsAgainstScan(trials, Number(row.scan_duration_s));
      const c = countTrialFlags(flagged);
      expect(c.after_scan ?? 0).toBe(Number(row.n_events_ending_after_scan));
      expect(c.negative_onset ?? 0).toBe(Number(row.n_negative_onsets));
    });
  }

  it('maps the first s061 row field by field (sooner = small_amount now)', () => {
    const { file, text } = eventsText('s061');
    const t = parseEvents(text, file).trials[0]!;
    expect(t).toEqual({
      index: 0, onset: 3.006, duration: 4, choice: 0, amountSooner: 20, delaySooner: 0, amountLater: 31, delayLater: 76,
      rt: 1.744, keyPress: 71, flags: [],
    });
    expect(parseEvents(text, file).trials[1]!.choice).toBe(1);
  });

  it('s524: missed trials (choice false) have choice null, rt null, key -1 and the missed flag', () => {
    const { file, text } = eventsText('s524');
    const { trials } = parseEvents(text, file);
    const missed = trials.filter((t) => t.choice === null);
    expect(missed).toHaveLength(36);
    for (const t of missed) {
      expect(t.rt).toBeNull();
      expect(t.keyPress).toBe(-1);
      expect(t.flags).toContain('missed');
    }
    expect(trials.filter((t) => t.choice !== null).every((t) => t.rt !== null && t.rt > 0)).toBe(true);
  });

  it('s650: 57 missed of 120', () => {
    const { file, text } = eventsText('s650');
    expect(parseEvents(text, file).trials.filter((t) => t.choice === null)).toHaveLength(57);
  });

  it('s465 / s586 / s513: one choice only', () => {
    const get = (s: string) => { const { file, text } = eventsText(s); return parseEvents(text, file).trials; };
    expect(get('s465').every((t) => t.choice === 1)).toBe(true);
    expect(get('s586').every((t) => t.choice === 0)).toBe(true);
    const s513 = get('s513');
    expect(s513.filter((t) => t.choice === 0)).toHaveLength(114);
    expect(s513.filter((t) => t.choice === null)).toHaveLength(6);
    expect(s513.filter((t) => t.choice === 1)).toHaveLength(0);
  });

  it('s556: 119 rows, first onset negative → negative_onset flag, not an error', () => {
    const { file, text } = eventsText('s556');
    const { trials } = parseEvents(text, file);
    expect(trials).toHaveLength(119);
    expect(trials[0]!.onset).toBe(-1.274);
    const flagged = flagTrialsAgainstScan(trials, 628.32);
    expect(flagged[0]!.flags).toEqual(['negative_onset']);
    expect(flagged.slice(1).every((t) => t.flags.length === 0)).toBe(true);
  });

  it('s491 / s495: events after the scan are flagged (after_scan, starts_after_scan)', () => {
    for (const [s, nAfter] of [['s491', 22], ['s495', 3]] as const) {
      const { file, text } = eventsText(s);
      const scanEnd = 1065 * 0.68;
      const onsets = rawOnsets(text);
      const flagged = flagTrialsAgainstScan(parseEvents(text, file).trials, scanEnd);
      const after = flagged.filter((t) => t.flags.includes('after_scan'));
      const starts = flagged.filter((t) => t.flags.includes('starts_after_scan'));
      expect(after).toHaveLength(nAfter);
      expect(starts).toHaveLength(onsets.filter((o) => o >= scanEnd).length);
      expect(starts.length).toBeGreaterThan(0);
      expect(starts.every((t) => t.flags.includes('after_scan'))).toBe(true);
      // The one that ends after the scan but starts inside it: after_scan only.
      const partial = flagged.filter((t) => t.onset < scanEnd && t.onset + t.duration > scanEnd);
      for (const t of partial) expect(t.flags).toEqual(['after_scan']);
    }
  });

  it('flagTrialsAgainstScan is pure and idempotent', () => {
    const { file, text } = eventsText('s491');
    const trials = parseEvents(text, file).trials;
    const before = JSON.stringify(trials);
    const once = flagTrialsAgainstScan(trials, 724.2);
    const twice = flagTrialsAgainstScan(once, 724.2);
    expect(JSON.stringify(trials)).toBe(before);
    expect(twice).toEqual(once);
    // Re-flagging against a longer scan clears the scan flags.
    expect(countTrialFlags(flagTrialsAgainstScan(once, 2000)).after_scan).toBeUndefined();
  });
});

describe('parseEvents text handling', () => {
  const { file, text } = eventsText('s061');
  const reference = parseEvents(text, file).trials;

  it('CRLF, BOM and trailing blank lines give the same trials', () => {
    const variant = '\uFEFF' + text.replace(/\n/g, '\r\n') + '\r\n\r\n  \r\n';
    expect(parseEvents(variant, file).trials).toEqual(reference);
  });

  it('old Mac CR line ends and blank lines in between', () => {
    const lines = text.trim().split('\n');
    const variant = [lines[0], '', ...lines.slice(1)].join('\r');
    expect(parseEvents(variant, file).trials).toEqual(reference);
  });
});

describe('generic intertemporal layout', () => {
  const tsv = [
    'onset\tduration\tamount_sooner\tdelay_sooner\tamount_later\tdelay_later\tchoice\trt',
    '0.5\t3\t10\t0\t25\t30\t1\t1.2',
    '6.0\t3\t12.5\t7\t30\t60\t0\t0.9',
    '11.5\t3\t15\t14\t20\t21\tn/a\tn/a',
  ].join('\n');

  it('reads amounts, delays, choice 1 = later, n/a = missed', () => {
    const { trials, layout, columnMap } = parseEvents(tsv, 'gen_events.tsv');
    expect(layout).toBe('generic');
    expect(columnMap.rt).toBe('rt');
    expect(columnMap.delaySooner).toBe('delay_sooner');
    expect(trials.map((t) => t.choice)).toEqual([1, 0, null]);
    expect(trials[1]).toMatchObject({ amountSooner: 12.5, delaySooner: 7, amountLater: 30, delayLater: 60, rt: 0.9 });
    expect(trials[2]!.rt).toBeNull();
    expect(trials[0]!.keyPress).toBeUndefined();
  });

  it('column overrides through the same mapping table', () => {
    const renamed = tsv.replace('\tchoice\t', '\tresp\t');
    expect(catchDd(() => parseEvents(renamed, 'r.tsv')).code).toBe('EVENTS_MISSING_COLUMN');
    const { trials } = parseEvents(renamed, 'r.tsv', { columns: { choice: 'resp' } });
    expect(trials.map((t) => t.choice)).toEqual([1, 0, null]);
  });

  it('discountFix layout falls back to trial_type when choice is absent', () => {
    const { file: f, text: t } = eventsText('s524');
    const lines = t.trim().split('\n').map((l) => l.split('\t').filter((_, i) => i !== 2).join('\t'));
    const { trials, columnMap } = parseEvents(lines.join('\n'), f);
    expect(columnMap.choice).toBe('trial_type');
    expect(trials.filter((x) => x.choice === null)).toHaveLength(36);
  });

  it('decodes choice labels case-insensitively and rejects unknown ones', () => {
    expect(decodeChoice('Larger_Later')).toBe(1);
    expect(decodeChoice('SS')).toBe(0);
    expect(decodeChoice('false')).toBeNull();
    expect(decodeChoice('n/a')).toBeNull();
    expect(decodeChoice('maybe')).toBeUndefined();
    expect(decodeChoice('constructor')).toBeUndefined();
    expect(decodeChoice('__proto__')).toBeUndefined();
  });

  it('warns about unsorted onsets and missing durations', () => {
    const t = tsv.replace('6.0\t3', '0.1\tn/a');
    const { warnings, trials } = parseEvents(t, 'w.tsv');
    expect(warnings.map((w) => w.code).sort()).toEqual(['EVENTS_DURATION_MISSING', 'EVENTS_UNSORTED']);
    expect(trials[1]!.duration).toBe(0);
  });
});

describe('bad events inputs get their code and name the file', () => {
  const { text } = eventsText('s061');
  const file = 'sub-x_task-discountFix_events.tsv';
  const lines = text.trim().split('\n');

  it('missing required column → EVENTS_MISSING_COLUMN naming the column and the fix', () => {
    const col = lines[0]!.split('\t').indexOf('large_amount');
    const t = lines.map((l) => l.split('\t').filter((_, i) => i !== col).join('\t')).join('\n');
    const e = catchDd(() => parseEvents(t, file));
    expect(e.code).toBe('EVENTS_MISSING_COLUMN');
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.message).toContain("'large_amount'");
    expect(e.message).toMatch(/Add the column|map/);
  });

  it('a header with neither layout → EVENTS_MISSING_COLUMN', () => {
    const e = catchDd(() => parseEvents('onset\tduration\ttrial_type\n1\t2\tface\n', file));
    expect(e.code).toBe('EVENTS_MISSING_COLUMN');
    expect(e.message).toContain(file);
  });

  it('non-numeric amount → EVENTS_NOT_NUMERIC with the line number', () => {
    const bad = [...lines];
    bad[2] = bad[2]!.replace('\t43.0\t', '\t$43\t');
    const e = catchDd(() => parseEvents(bad.join('\n'), file));
    expect(e.code).toBe('EVENTS_NOT_NUMERIC');
    expect(e.message).toContain(file);
    expect(e.message).toContain('line 3');
    expect(e.message).toContain('large_amount');
  });

  it('non-numeric onset → EVENTS_NOT_NUMERIC', () => {
    const bad = [...lines];
    bad[5] = 'abc' + bad[5]!.slice(bad[5]!.indexOf('\t'));
    const e = catchDd(() => parseEvents(bad.join('\n'), file));
    expect(e.code).toBe('EVENTS_NOT_NUMERIC');
    expect(e.message).toContain('line 6');
    expect(e.message).toContain("'onset'");
  });

  it('empty file, blank file, header only → EVENTS_EMPTY', () => {
    for (const t of ['', '\n\n', '\uFEFF  \r\n', lines[0]! + '\n']) {
      const e = catchDd(() => parseEvents(t, file));
      expect(e.code).toBe('EVENTS_EMPTY');
      expect(e.message).toContain(file);
      expect(e.file).toBe(file);
    }
  });

  it('unknown choice label → EVENTS_BAD_CHOICE; ragged row → EVENTS_BAD_ROW', () => {
    const bad = [...lines];
    bad[4] = bad[4]!.replace(/\t(larger_later|smaller_sooner)\t/, '\tmaybe\t');
    expect(catchDd(() => parseEvents(bad.join('\n'), file)).code).toBe('EVENTS_BAD_CHOICE');
    const ragged = [...lines];
    ragged[3] = ragged[3]!.split('\t').slice(0, 5).join('\t');
    const e = catchDd(() => parseEvents(ragged.join('\n'), file));
    expect(e.code).toBe('EVENTS_BAD_ROW');
    expect(e.message).toContain('line 4');
  });

  it('negative delay → EVENTS_BAD_VALUE with the line', () => {
    const bad = [...lines];
    bad[7] = bad[7]!.replace(/\t(\d+\.0)\t(\d+\.0)\t/, '\t$1\t-$2\t');
    const e = catchDd(() => parseEvents(bad.join('\n'), file));
    expect(e.code).toBe('EVENTS_BAD_VALUE');
    expect(e.message).toContain('line 8');
    expect(e.message).toContain('later_delay');
  });

  it('trailing empty cells beyond the header are tolerated', () => {
    const t = lines.map((l, i) => (i === 1 ? l + '\t\t' : l)).join('\n');
    expect(parseEvents(t, file).trials).toHaveLength(120);
  });
});
