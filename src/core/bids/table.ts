/**
 * Internal BIDS TSV reader for events and confounds: keeps the file line number of every row so
 * errors can point at it. Tolerates a UTF-8 BOM, CRLF / CR line ends, blank lines (anywhere,
 * including trailing ones), spaces around cells, and trailing empty cells beyond the header.
 */
import { DdError } from '../errors.ts';

export interface RawTable {
  columns: string[];
  /** One string[] per data row, same length as `columns` (cells trimmed). */
  rows: string[][];
  /** 1-based line number in the file of each row (the header is line 1 unless blank lines precede it). */
  lines: number[];
}

/** Cells that BIDS (and pandas' defaults that fMRIPrep writes) use for "missing". */
export function isMissingCell(s: string): boolean {
  return s === '' || s === 'n/a' || s === 'N/A' || s === 'NA' || s === 'nan' || s === 'NaN';
}

/** Strict number parse: the whole cell must be a finite decimal number ("1e-3", "-0.5", "3."). */
export function parseNumberCell(s: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return NaN;
  return Number(s);
}

/**
 * Splits a tab-separated table. `emptyCode` is the DdError code for a file without a header
 * (e.g. EVENTS_EMPTY); `badRowCode` for a row whose cell count disagrees with the header.
 */
export function readRawTable(text: string, file: string, codes: { empty: string; badRow: string }, what: string): RawTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const all = src.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < all.length && all[i]!.trim() === '') i++;
  if (i >= all.length) {
    throw new DdError(codes.empty, `${file}: the ${what} file is empty (no header row). Export it again as a tab-separated table with a header row, or remove it from the inputs.`, { file });
  }
  const columns = all[i]!.split('\t').map((c) => c.trim());
  while (columns.length > 1 && columns[columns.length - 1] === '') columns.pop();
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let j = i + 1; j < all.length; j++) {
    const line = all[j]!;
    if (line.trim() === '') continue;
    const cells = line.split('\t').map((c) => c.trim());
    while (cells.length > columns.length && cells[cells.length - 1] === '') cells.pop();
    if (cells.length !== columns.length) {
      // A single column separated by spaces instead of tabs is the usual cause.
      throw new DdError(
        codes.badRow,
        `${file}, line ${j + 1}: ${cells.length} tab-separated cells but the header has ${columns.length} columns. ` +
          `Make sure the ${what} file is tab-separated (not spaces or commas) and every row has one cell per column (use n/a for missing values).`,
        { file },
      );
    }
    rows.push(cells);
    lines.push(j + 1);
  }
  return { columns, rows, lines };
}
