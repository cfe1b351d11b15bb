/**
 * Node's native SHA-256 (OpenSSL, ~2 GB/s here against ~230 MB/s for the TypeScript one): the
 * same digests as src/core/cache/sha256.ts, so cache keys and the input hashes in results.json
 * agree between hosts.
 */
import { createHash } from 'node:crypto';
import type { IncrementalHash } from '../../core/cache/sha256.ts';

export function nodeSha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function createNodeSha256(): IncrementalHash {
  const h = createHash('sha256');
  return {
    update: (bytes) => { h.update(bytes); },
    digest: () => h.digest('hex'),
  };
}
