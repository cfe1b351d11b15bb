/** Decoding: datasets, scaling and Gram matrices, CV splitters, metrics, permutations, the driver. */
export * from './model.ts';
export * from './dataset.ts';
export * from './scaling.ts';
export * from './splitters.ts';
export * from './metrics.ts';
export * from './permutation.ts';
export * from './decode.ts';
