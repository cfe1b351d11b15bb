/** Writing tab-separated tables (BIDS style: header row, `n/a` for missing). Reading: src/core/bids/table.ts. */
export type Cell = string | number | boolean | null | undefined;

export function formatCell(v: Cell): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return 'n/a';
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

export function writeTsv(columns: string[], rows: Record<string, Cell>[]): string {
  const lines = [columns.join('\t')];
  for (const r of rows) lines.push(columns.map((c) => formatCell(r[c])).join('\t'));
  return lines.join('\n') + '\n';
}
