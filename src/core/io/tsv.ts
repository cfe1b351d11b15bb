/** Tab-separated tables (BIDS style: header row, `n/a` for missing). */
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

/** Parses a TSV with a header row into string cells (BOM, CRLF and trailing blank lines tolerated). */
export function readTsv(text: string): { columns: string[]; rows: Record<string, string>[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return { columns: [], rows: [] };
  const columns = lines[0]!.split('\t').map((c) => c.trim());
  const rows = lines.slice(1).map((l) => {
    const cells = l.split('\t');
    const r: Record<string, string> = {};
    columns.forEach((c, i) => (r[c] = (cells[i] ?? '').trim()));
    return r;
  });
  return { columns, rows };
}
