/**
 * What the pipeline needs from its host (Node CLI, browser worker, tests): the dataset's files,
 * image loading for ROI masks, the stream-pass projector, a SHA-256 and a cache. Everything else
 * is core.
 */
import type { Cache } from '../cache/cache.ts';
import type { IncrementalHash } from '../cache/sha256.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { Projector, ProjectorSpec } from '../extract/projector.ts';
import type { LoadImage } from '../roi/index.ts';
import type { SearchlightHost } from '../searchlight/index.ts';

export interface HostFile {
  /** Path inside the dataset as discovery saw it ('/'-separated; derivatives under `derivatives/`). */
  path: string;
  /**
   * Where the file lives for this host (absolute path, or picked-file path + lastModified): only
   * used, with size and mtime, to remember an already computed content hash. Never in a key.
   */
  identity: string;
  size: number;
  mtimeMs: number;
  /** A ByteSource named as users should read it in messages. */
  source(): Promise<ByteSource>;
  text(): Promise<string>;
}

export interface PipelineHost {
  /** Every file of the dataset (raw BIDS and derivatives) by path. */
  files: ReadonlyMap<string, HostFile>;
  /** A file named in the config (ROI masks and atlases), as written there. */
  resolveFile(path: string): Promise<HostFile>;
  /** Reads a 3D image named in an ROI spec (same path as resolveFile). */
  loadImage: LoadImage;
  makeProjector(spec: ProjectorSpec): Projector | Promise<Projector>;
  inflate?: (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
  /**
   * gunzip for the whole-file stream pass of a file of `compressedBytes` (default, or undefined:
   * `inflate`). The browser's runs big files on a worker of its own, which inflates ahead of its
   * reader: fine for a pass, not for a header read, which must not meet damage far past the
   * header (DecompressionStream drops inflated bytes on an error). Its chunks may be lent: valid
   * until the next read (the stream pass copies each into its volume buffer before reading on).
   */
  passInflate?: (compressedBytes: number) => ((s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>) | undefined;
  /** Incremental SHA-256 for input files (default: the TypeScript one). */
  createHash?: () => IncrementalHash;
  /**
   * The kernels (and worker pool) the searchlight stage runs on; without it a searchlight is an
   * error (SEARCHLIGHT_UNAVAILABLE). Called once per map: return the same pool each time.
   */
  searchlight?(): Promise<SearchlightHost>;
  /** The cache, or null to compute everything (`--no-cache`). */
  cache: Cache | null;
}
