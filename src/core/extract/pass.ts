import { DdError } from '../errors.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { decodeVolume, streamVolumeBytes, type NiftiHeader } from '../nifti/index.ts';
import type { Projector, ProjectorSpec } from './projector.ts';

/** A named set of voxels (linear NIfTI indices, ascending) whose trial patterns we want. */
export interface VoxelSet {
  name: string;
  indices: Int32Array;
}

export interface StreamPassInput {
  source: ByteSource;
  header: NiftiHeader;
  gzip: boolean;
  /** Projection W (nRows × T, row-major, f64) from the design. */
  W: Float64Array;
  nRows: number;
  /** Voxel sets known before reading (ROIs, a brain mask from a file). */
  sets: VoxelSet[];
  /**
   * A set computed from the data itself: given the mean of the first `volumes` volumes, return its
   * voxels (the EPI brain mask). Filled in the same pass: the first volumes are held back until
   * the mask is known, so the run is still read once.
   */
  fromMean?: { name: string; volumes: number; compute(mean: Float32Array): Int32Array };
  makeProjector(spec: ProjectorSpec): Projector | Promise<Projector>;
  /** Volumes per projection block (default 32): larger blocks, fewer passes over the patterns. */
  blockSize?: number;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
  /** Optional gunzip for the host (e.g. zlib in Node); default DecompressionStream. */
  inflate?: (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

export interface StreamPassResult {
  /** Patterns per set name: nRows × nVoxels, row-major f32. */
  patterns: Map<string, Float32Array>;
  /** Voxel indices per set name (for the computed set: what the data gave). */
  indices: Map<string, Int32Array>;
  /** Mean of the first volumes (what the computed mask was derived from), if any. */
  meanVolume?: Float32Array;
}

/** Sorted union of several ascending index lists, and each list's positions in the union. */
export function unionIndices(lists: Int32Array[]): { union: Int32Array; positions: Int32Array[] } {
  const all = new Set<number>();
  for (const l of lists) for (const v of l) all.add(v);
  const union = Int32Array.from(all).sort();
  const pos = new Map<number, number>();
  union.forEach((v, i) => pos.set(v, i));
  return { union, positions: lists.map((l) => l.map((v) => pos.get(v)!)) };
}

/**
 * The one streaming pass over a run: every volume is decoded once, its analysed voxels gathered,
 * and W's columns for that volume applied. Memory: one block of volumes plus the patterns.
 */
export async function streamPass(input: StreamPassInput): Promise<StreamPassResult> {
  const { header, W, nRows } = input;
  const T = header.nVolumes;
  const B = Math.max(1, Math.min(input.blockSize ?? 32, T));
  if (W.length !== nRows * T) {
    throw new DdError('DESIGN_SIZE_MISMATCH', `${input.source.name}: the design has ${W.length / Math.max(1, nRows)} volumes but the image has ${T}.`, { file: input.source.name });
  }
  const nHeld = Math.min(T, input.fromMean?.volumes ?? 0, 64) || Math.min(T, 8);
  const held: Uint8Array[] = [];
  let projector: Projector | null = null;
  let spec: ProjectorSpec | null = null;
  let setIndices: Map<string, Int32Array> | null = null;
  let meanVolume: Float32Array | undefined;
  const wBlock = new Float32Array(nRows * B);
  let inBlock = 0;
  let blockStart = 0;

  const flush = async () => {
    if (inBlock === 0) return;
    // Columns blockStart..blockStart+inBlock of W, row-major n × inBlock.
    for (let i = 0; i < nRows; i++) {
      for (let s = 0; s < inBlock; s++) wBlock[i * inBlock + s] = W[i * T + blockStart + s]!;
    }
    await projector!.project(wBlock.subarray(0, nRows * inBlock), inBlock);
    blockStart += inBlock;
    inBlock = 0;
  };
  const consume = async (raw: Uint8Array) => {
    projector!.gather(raw, inBlock++);
    if (inBlock === B) await flush();
  };
  const start = async () => {
    // The mean of the held volumes: source of the EPI mask, and the offset subtracted before
    // projection (W annihilates constants, so the result is unchanged but f32 sums stay small).
    const tmp = new Float32Array(header.voxelsPerVolume);
    const mean = new Float32Array(header.voxelsPerVolume);
    for (const raw of held) {
      decodeVolume(raw, header, tmp);
      for (let v = 0; v < mean.length; v++) mean[v]! += tmp[v]!;
    }
    for (let v = 0; v < mean.length; v++) mean[v]! /= held.length;
    meanVolume = mean;
    const sets = [...input.sets];
    if (input.fromMean) sets.push({ name: input.fromMean.name, indices: input.fromMean.compute(mean) });
    const { union } = unionIndices(sets.map((s) => s.indices));
    setIndices = new Map(sets.map((s) => [s.name, s.indices]));
    spec = { header, indices: union, offset: Float32Array.from(union, (v) => mean[v]!), nRows, blockSize: B };
    projector = await input.makeProjector(spec);
    for (const raw of held) await consume(raw);
    held.length = 0;
  };

  let seen = 0;
  try {
    for await (const { bytes } of streamVolumeBytes(input.source, header, input.gzip, { inflate: input.inflate })) {
      if (input.signal?.aborted) throw new DdError('CANCELLED', `${input.source.name}: cancelled.`, { file: input.source.name });
      if (projector) await consume(bytes);
      else {
        held.push(bytes.slice());
        if (held.length === nHeld) await start();
      }
      seen++;
      input.onProgress?.(seen, T);
    }
    if (!projector) await start();
    await flush();
    if (seen !== T) {
      throw new DdError('NIFTI_TRUNCATED', `${input.source.name}: the header promises ${T} volumes but only ${seen} could be read. The file is incomplete; copy or download it again.`, { file: input.source.name });
    }
    const all = projector!.result();
    const V = spec!.indices.length;
    const { positions } = unionIndices([spec!.indices, ...setIndices!.values()]);
    const patterns = new Map<string, Float32Array>();
    [...setIndices!.keys()].forEach((name, s) => {
      const cols = positions[s + 1]!;
      const m = new Float32Array(nRows * cols.length);
      for (let i = 0; i < nRows; i++) {
        const src = all.subarray(i * V, (i + 1) * V);
        const dst = m.subarray(i * cols.length, (i + 1) * cols.length);
        for (let j = 0; j < cols.length; j++) dst[j] = src[cols[j]!]!;
      }
      patterns.set(name, m);
    });
    return { patterns, indices: setIndices!, meanVolume };
  } finally {
    (projector as Projector | null)?.dispose();
  }
}
