/**
 * Files the user gave the page, with the relative path they were matched by: from a file input
 * (a folder pick has webkitRelativePath, a multi-file pick only names) or from drag-and-drop
 * (folders walked through the File System entries API).
 */
export interface PickedFile {
  /** '/'-separated relative path (BIDS matching works on it). */
  path: string;
  file: File;
}

export function filesFromInput(list: FileList | readonly File[] | null): PickedFile[] {
  if (!list) return [];
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/**
 * The files of a drop, folders included. Must be called inside the drop handler: the entries are
 * taken synchronously (a DataTransfer is emptied when the event returns), then walked.
 */
export function filesFromDrop(dt: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (entries.length === 0 && loose.length === 0) loose.push(...Array.from(dt.files ?? []));
  return (async () => {
    const out: PickedFile[] = loose.map((file) => ({ path: file.name, file }));
    for (const e of entries) await walk(e, out);
    return out;
  })();
}

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\/+/, '') || entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push({ path, file });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
}

/** Adds `more` to `current`; a later file with the same path replaces the earlier one. */
export function mergePicked(current: readonly PickedFile[], more: readonly PickedFile[]): PickedFile[] {
  const byPath = new Map(current.map((p) => [p.path, p]));
  for (const p of more) byPath.set(p.path, p);
  return [...byPath.values()];
}
