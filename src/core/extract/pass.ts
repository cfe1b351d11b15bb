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
  /** Volumes per projection block (default 16): larger blocks, fewer passes over the patterns, more memory. */
  blockSize?: number;
  onProgress?(done: number, total: number): void;
  signal?: AbortSignal;
  /** Optional gunzip for the host (e.g. zlib in Node); default DecompressionStream. */
  inflate?: (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
}

export interface StreamPassResult {
  /**
   * Patterns per set name: nRows × nVoxels, row-major f32. The largest set's array may be a view
   * into the projector's memory (no second copy of a whole-brain matrix): use the patterns, then
   * call release().
   */
  patterns: Map<string, Float32Array>;
  /** Voxel indices per set name (for the computed set: what the data gave). */
  indices: Map<string, Int32Array>;
  /** Mean of the first volumes (what the computed mask was derived from). */
  meanVolume: Float32Array;
  /** Frees the projector's memory; the patterns that were views become invalid. */
  release(): void;
}

/**
 * The analysed voxels in projection order: the largest set first (so its columns are a prefix of
 * every row and its patterns can be compacted in place), then the other sets' remaining voxels.
 */
export function unionIndices(sets: VoxelSet[]): { union: Int32Array; largest: string | null } {
  if (sets.length === 0) return { union: new Int32Array(0), largest: null };
  const largest = sets.reduce((a, b) => (b.indices.length > a.indices.length ? b : a));
  const inLargest = new Set(largest.indices);
  const extra = new Set<number>();
  for (const s of sets) for (const v of s.indices) if (!inLargest.has(v)) extra.add(v);
  const union = new Int32Array(largest.indices.length + extra.size);
  union.set(largest.indices);
  union.set(Int32Array.from(extra).sort(), largest.indices.length);
  return { union, largest: largest.name };
}

/**
 * The one streaming pass over a run: every volume is decoded once, its analysed voxels gathered,
 * and W's columns for that volume applied. Memory: a few held volumes, one block, the patterns.
 */
export async function streamPass(input: StreamPassInput): Promise<StreamPassResult> {
  const { header, W, nRows } = input;
  const T = header.nVolumes;
  const file = input.source.name;
  const B = Math.max(1, Math.min(input.blockSize ?? 16, T));
  if (W.length !== nRows * T) {
    throw new DdError('DESIGN_SIZE_MISMATCH', `${file}: the design has ${W.length / Math.max(1, nRows)} volumes but the image has ${T}.`, { file });
  }
  // Volumes held back before projecting: their mean gives the computed mask and the per-voxel
  // offset subtracted before projection (W annihilates constants, so the result is unchanged
  // but the f32 sums stay small).
  const nHeld = Math.min(T, Math.max(input.fromMean?.volumes ?? 0, 8));
  const held: Uint8Array[] = [];
  let projector: Projector | null = null;
  let union: Int32Array = new Int32Array(0);
  let largest: string | null = null;
  let sets: VoxelSet[] = [];
  const meanVolume = new Float32Array(header.voxelsPerVolume);
  const wBlock = new Float32Array(nRows * B);
  let inBlock = 0;
  let blockStart = 0;

  const flush = async () => {
    if (inBlock === 0) return;
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
    const tmp = new Float32Array(header.voxelsPerVolume);
    for (const raw of held) {
      decodeVolume(raw, header, tmp);
      for (let v = 0; v < meanVolume.length; v++) meanVolume[v]! += tmp[v]!;
    }
    for (let v = 0; v < meanVolume.length; v++) meanVolume[v]! /= held.length;
    sets = [...input.sets];
    if (input.fromMean) sets.push({ name: input.fromMean.name, indices: input.fromMean.compute(meanVolume) });
    ({ union, largest } = unionIndices(sets));
    projector = await input.makeProjector({
      header, indices: union, offset: Float32Array.from(union, (v) => meanVolume[v]!), nRows, blockSize: B,
    });
    for (const raw of held) await consume(raw);
    held.length = 0;
  };

  let seen = 0;
  try {
    for await (const { bytes } of streamVolumeBytes(input.source, header, input.gzip, { inflate: input.inflate, signal: input.signal })) {
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
  } catch (e) {
    (projector as Projector | null)?.dispose();
    if (input.signal?.aborted) throw new DdError('CANCELLED', `${file}: cancelled.`, { file, cause: e });
    throw e;
  }
  if (seen !== T) {
    projector!.dispose();
    throw new DdError('NIFTI_TRUNCATED', `${file}: the header promises ${T} volumes but only ${seen} could be read. The file is incomplete; copy or download it again.`, { file });
  }
  return { ...splitPatterns(projector!.result(), nRows, union, sets, largest), meanVolume, release: () => projector!.dispose() };
}

/** Per-set patterns from the n × |union| matrix: the others copied first, then the largest compacted in place. */
function splitPatterns(all: Float32Array, n: number, union: Int32Array, sets: VoxelSet[], largest: string | null) {
  const V = union.length;
  const position = new Map<number, number>();
  union.forEach((v, j) => position.set(v, j));
  const copies = new Map<string, Float32Array>();
  for (const s of sets) {
    if (s.name === largest) continue;
    const m = new Float32Array(n * s.indices.length);
    const cols = s.indices.map((v) => position.get(v)!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < cols.length; j++) m[i * cols.length + j] = all[i * V + cols[j]!]!;
    }
    copies.set(s.name, m);
  }
  if (largest !== null) {
    // Its voxels are columns 0..Vl-1 of every row: move rows together (forward copies never overlap badly).
    const Vl = sets.find((s) => s.name === largest)!.indices.length;
    for (let i = 1; i < n; i++) all.copyWithin(i * Vl, i * V, i * V + Vl);
    copies.set(largest, all.subarray(0, n * Vl));
  }
  const patterns = new Map(sets.map((s) => [s.name, copies.get(s.name)!]));
  return { patterns, indices: new Map(sets.map((s) => [s.name, s.indices])) };
}
