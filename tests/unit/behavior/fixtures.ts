/** Test helpers: the real ds004636 events and the reference summary (tests/fixtures/behavior). */
import { readFileSync, readdirSync } from 'node:fs';

const DIR = new URL('../../fixtures/behavior/', import.meta.url);

export function eventsFiles(): string[] {
  return readdirSync(new URL('events/', DIR)).filter((f) => f.endsWith('_events.tsv')).sort();
}

export function eventsText(subject: string): { file: string; text: string } {
  const id = subject.replace(/^sub-/, '');
  const file = eventsFiles().find((f) => f.startsWith(`sub-${id}_`));
  if (!file) throw new Error(`no fixture events for ${subject}`);
  return { file, text: readFileSync(new URL(`events/${file}`, DIR), 'utf8') };
}

export type SummaryRow = Record<string, string>;

export function summary(): SummaryRow[] {
  const lines = readFileSync(new URL('discountFix_subject_summary.tsv', DIR), 'utf8').trim().split('\n');
  const header = lines[0]!.split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cells[i]!]));
  });
}

export function summaryRow(subject: string): SummaryRow {
  const id = subject.startsWith('sub-') ? subject : `sub-${subject}`;
  const r = summary().find((x) => x.participant_id === id);
  if (!r) throw new Error(`no summary row for ${subject}`);
  return r;
}
