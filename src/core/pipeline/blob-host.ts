/**
 * Dataset files from Blobs (the browser's picked or dropped Files, generated demo files): the
 * HostFile side of a PipelineHost for any host that has Blob (browsers, Node ≥ 18). A file's
 * identity for the hash memo is its path with its size and lastModified, so a file picked again
 * unchanged is not re-hashed, and a changed one is.
 */
import { blobSource } from '../io/byte-source.ts';
import type { HostFile } from './host.ts';

export interface BlobEntry {
  /** Path inside the dataset ('/'-separated, e.g. File.webkitRelativePath minus the root folder). */
  path: string;
  blob: Blob;
  /** File.lastModified (ms); 0 for generated files. */
  lastModified?: number;
}

export function blobFile(e: BlobEntry): HostFile {
  const mtime = e.lastModified ?? (e.blob as File).lastModified ?? 0;
  return {
    path: e.path,
    identity: `blob:${e.path}`,
    size: e.blob.size,
    mtimeMs: mtime,
    source: async () => blobSource(e.blob, e.path),
    text: () => e.blob.text(),
  };
}

export function filesFromBlobs(entries: BlobEntry[]): Map<string, HostFile> {
  return new Map(entries.map((e) => [e.path, blobFile(e)]));
}
