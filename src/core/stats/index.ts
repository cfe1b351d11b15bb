/** Group statistics: distributions (Cephes), FDR, one-sample tests against chance, effect sizes. */
export * from './distributions.ts';
export * from './fdr.ts';
export * from './group.ts';
