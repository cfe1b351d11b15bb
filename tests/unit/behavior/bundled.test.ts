import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import { EVENTS_TSV } from '../../../src/core/data/ds004636/events.generated.ts';
import { BUNDLED_SUBJECTS, CLEAN_SUBJECT_IDS, bundledEvents, bundledEventsFile } from '../../../src/core/data/ds004636/index.ts';
import { parseEvents } from '../../../src/core/bids/events.ts';
import { fitHyperbolic } from '../../../src/core/behavior/hyperbolic.ts';
import { eventsText, summary } from './fixtures.ts';

const DATA = new URL('../../../src/core/data/ds004636/', import.meta.url);

describe('bundled ds004636 events', () => {
  it('events.generated.ts equals the TSVs in src/core/data/ds004636 (run scripts/bundle-events.mjs if not)', () => {
    const files = readdirSync(DATA).filter((f) => f.endsWith('_events.tsv')).sort();
    expect(files).toHaveLength(30);
    expect(Object.keys(EVENTS_TSV).sort()).toEqual(files);
    for (const f of files) expect(EVENTS_TSV[f], f).toBe(readFileSync(new URL(f, DATA), 'utf8'));
  });

  it('30 subjects, 20 clean, the same bytes as the test fixtures, volumes from MRIQC', () => {
    expect(BUNDLED_SUBJECTS).toHaveLength(30);
    expect(CLEAN_SUBJECT_IDS).toHaveLength(20);
    expect(BUNDLED_SUBJECTS.filter((s) => s.category === 'clean').map((s) => s.id)).toEqual([...CLEAN_SUBJECT_IDS]);
    for (const row of summary()) {
      const id = row.participant_id!.replace('sub-', '');
      const s = BUNDLED_SUBJECTS.find((b) => b.id === id)!;
      expect(s.session).toBe(row.session);
      expect(s.volumes).toBe(Number(row.mriqc_size_t));
      expect(bundledEvents(id)).toBe(eventsText(id).text);
      expect(bundledEvents(`sub-${id}`)).toBe(eventsText(id).text);
      expect(bundledEventsFile(id)).toBe(eventsText(id).file);
    }
  });

  it('clean subjects parse and fit without flags', () => {
    for (const id of CLEAN_SUBJECT_IDS) {
      const { trials } = parseEvents(bundledEvents(id), bundledEventsFile(id));
      expect(fitHyperbolic(trials).flags, id).toEqual([]);
    }
  });

  it('unknown subject → DATA_UNKNOWN_SUBJECT', () => {
    try { bundledEvents('s000'); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(DdError);
      expect((e as DdError).code).toBe('DATA_UNKNOWN_SUBJECT');
      expect((e as DdError).message).toContain('s061');
    }
  });
});

describe('core conventions in these modules', () => {
  const roots = ['bids', 'behavior', 'data/ds004636'];
  const files = roots.flatMap((r) => readdirSync(new URL(`../../../src/core/${r}/`, import.meta.url))
    .filter((f) => f.endsWith('.ts')).map((f) => new URL(`../../../src/core/${r}/${f}`, import.meta.url)));
  it('no node:* or DOM imports, no Math.random, explicit .ts imports', () => {
    expect(files.length).toBeGreaterThan(6);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      const imports = [...src.matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1]!);
      for (const i of imports) {
        expect(i.startsWith('node:'), `${f.pathname}: ${i}`).toBe(false);
        expect(i.endsWith('.ts'), `${f.pathname}: ${i}`).toBe(true);
      }
      expect(src.includes('Math.random'), f.pathname).toBe(false);
      expect(/\b(document|window|localStorage)\./.test(src), f.pathname).toBe(false);
    }
  });
});
