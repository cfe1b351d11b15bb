/**
 * Test fixtures of the pipeline: a small demo dataset in memory, a host over it (jsProjector,
 * memory cache), and a small stand-in decoding stage (nearest class mean / least squares on the
 * mean pattern, blocked folds, seeded label permutations) that counts its calls.
 */
import { Cache } from '../../../src/core/cache/cache.ts';
import { memoryStore, type Store } from '../../../src/core/cache/store.ts';
import { writeDemoDataset } from '../../../src/core/demo/dataset.ts';
import { jsProjector } from '../../../src/core/extract/projector.ts';
import { memorySource } from '../../../src/core/io/byte-source.ts';
import { memorySink } from '../../../src/core/io/file-sink.ts';
import { Rng } from '../../../src/core/random.ts';
import { DdError } from '../../../src/core/errors.ts';
import type { DecodeStageFn } from '../../../src/core/pipeline/decode-stage.ts';
import type { HostFile, PipelineHost } from '../../../src/core/pipeline/host.ts';

export interface MemFile { bytes: Uint8Array; mtimeMs: number; identity: string }

let demoCache: Promise<Map<string, Uint8Array>> | null = null;

/** The 2-subject small demo (seed 5), generated once per test file. */
export function demoFiles(): Promise<Map<string, Uint8Array>> {
  demoCache ??= (async () => {
    const sink = memorySink();
    await writeDemoDataset(sink, { subjects: 2, size: 'small', seed: 5 });
    return sink.files;
  })();
  return demoCache;
}

/** A dataset whose files can be edited, touched and moved between runs. */
export async function memDataset(): Promise<Map<string, MemFile>> {
  const files = new Map<string, MemFile>();
  for (const [p, b] of await demoFiles()) files.set(p, { bytes: b, mtimeMs: 1000, identity: `mem:/data/${p}` });
  return files;
}

export function memHost(files: Map<string, MemFile>, cache: Cache | null, extra: Map<string, MemFile> = new Map()): PipelineHost {
  const hf = (path: string, f: MemFile): HostFile => ({
    path, identity: f.identity, size: f.bytes.length, mtimeMs: f.mtimeMs,
    source: async () => memorySource(path, f.bytes),
    text: async () => new TextDecoder().decode(f.bytes),
  });
  return {
    files: new Map([...files].map(([p, f]) => [p, hf(p, f)])),
    resolveFile: async (path) => {
      const f = extra.get(path);
      if (!f) throw new DdError('FILE_NOT_FOUND', `${path}: no such file`);
      return hf(path, f);
    },
    loadImage: async (path) => {
      const { readNiftiImage } = await import('../../../src/core/nifti/index.ts');
      const f = extra.get(path);
      if (!f) throw new DdError('FILE_NOT_FOUND', `${path}: no such file`);
      const img = await readNiftiImage(memorySource(path, f.bytes));
      const d = img.header.dims;
      return { dims: [d[0]!, d[1] ?? 1, d[2] ?? 1], affine: img.header.affine, data: img.data };
    },
    makeProjector: jsProjector,
    // The searchlight in this realm, single-threaded (the kernels from public/wasm).
    searchlight: async () => ({ module: await (kernelModule ??= import('../../../src/platform/node/pool.ts').then((m) => m.loadKernelModule())) }),
    cache,
  };
}

let kernelModule: Promise<WebAssembly.Module> | null = null;

export function memCache(store: Store = memoryStore()): Cache {
  return new Cache(store);
}

/**
 * Stand-in decoding: K = 5 contiguous folds; classification by the nearer training class mean,
 * regression by least squares on the patterns' mean over voxels. Balanced accuracy / R².
 * Permutations shuffle y with Rng(seed).
 */
export function standInDecode(calls: { n: number } = { n: 0 }): DecodeStageFn {
  return (task, ctx) => {
    calls.n++;
    const { X, n, p } = task;
    const K = Math.min(5, n);
    const fold = Int32Array.from({ length: n }, (_, i) => Math.floor((i * K) / n));
    const cvScore = (y: Float64Array): { mean: number; folds: number[] } => {
      const folds: number[] = [];
      for (let k = 0; k < K; k++) {
        if (task.kind === 'classification') {
          const m = [new Float64Array(p), new Float64Array(p)];
          const c = [0, 0];
          for (let i = 0; i < n; i++) if (fold[i] !== k) { const cl = y[i]!; c[cl]!++; for (let j = 0; j < p; j++) m[cl]![j]! += X[i * p + j]!; }
          for (const cl of [0, 1]) for (let j = 0; j < p; j++) m[cl]![j]! /= Math.max(1, c[cl]!);
          const hit = [0, 0], tot = [0, 0];
          for (let i = 0; i < n; i++) {
            if (fold[i] !== k) continue;
            let d0 = 0, d1 = 0;
            for (let j = 0; j < p; j++) { const v = X[i * p + j]!; d0 += (v - m[0]![j]!) ** 2; d1 += (v - m[1]![j]!) ** 2; }
            const pred = d1 < d0 ? 1 : 0;
            tot[y[i]!]!++;
            if (pred === y[i]) hit[y[i]!]!++;
          }
          const recalls = [0, 1].filter((cl) => tot[cl]! > 0).map((cl) => hit[cl]! / tot[cl]!);
          folds.push(recalls.reduce((a, b) => a + b, 0) / recalls.length);
        } else {
          const f = (i: number) => { let s = 0; for (let j = 0; j < p; j++) s += X[i * p + j]!; return s / p; };
          let sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
          for (let i = 0; i < n; i++) if (fold[i] !== k) { const x = f(i); sx += x; sy += y[i]!; sxx += x * x; sxy += x * y[i]!; m++; }
          const b = (sxy - (sx * sy) / m) / Math.max(1e-12, sxx - (sx * sx) / m);
          const a = (sy - b * sx) / m;
          let ssr = 0, sst = 0, my = 0, mt = 0;
          for (let i = 0; i < n; i++) if (fold[i] === k) { my += y[i]!; mt++; }
          my /= mt;
          for (let i = 0; i < n; i++) if (fold[i] === k) { ssr += (y[i]! - (a + b * f(i))) ** 2; sst += (y[i]! - my) ** 2; }
          folds.push(sst > 0 ? 1 - ssr / sst : 0);
        }
      }
      return { mean: folds.reduce((a, b) => a + b, 0) / K, folds };
    };
    const obs = cvScore(task.y);
    const rng = new Rng(task.seed, 7);
    const nulls = new Float64Array(task.permutations);
    const yp = Float64Array.from(task.y);
    for (let b = 0; b < task.permutations; b++) {
      if (ctx.signal?.aborted) throw new DdError('DECODE_CANCELLED', 'cancelled');
      rng.shuffle(yp);
      nulls[b] = cvScore(yp).mean;
      ctx.onProgress?.(b + 1, task.permutations);
    }
    const ge = nulls.filter((v) => v >= obs.mean).length;
    return {
      metric: task.metric, score: obs.mean, foldScores: obs.folds, pValue: task.permutations > 0 ? (1 + ge) / (1 + task.permutations) : null,
      nPermutations: task.permutations, nullScores: nulls, nSamples: n, nFeatures: p, model: task.model, cv: task.cv, nNotConverged: 0,
    };
  };
}
