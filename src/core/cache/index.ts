/** Content-addressed cache: keys, the Store seam, checksummed entries, the record format. */
export * from './sha256.ts';
export * from './canonical.ts';
export * from './store.ts';
export * from './record.ts';
export * from './cache.ts';
