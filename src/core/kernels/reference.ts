/**
 * Plain-JS reference versions of the kernels (tests, the self-test, benchmarks). Slow on purpose:
 * straightforward loops whose semantics are easy to read.
 */
import { DTYPE_BYTES, type GatherDtype } from './abi.ts';

/** out[j] = fround(slope * decode(raw[idx[j]]) + inter), decode in the given byte order. */
export function gatherReference(dtype: GatherDtype, raw: Uint8Array, idx: Int32Array, slope = 1, inter = 0, swap = false): Float32Array {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = !swap; // the kernels run on little-endian wasm: swap means the file is big-endian
  const size = DTYPE_BYTES[dtype];
  const s = Math.fround(slope), c = Math.fround(inter);
  const out = new Float32Array(idx.length);
  for (let j = 0; j < idx.length; j++) {
    const o = idx[j]! * size;
    let x: number;
    switch (dtype) {
      case 'uint8': x = dv.getUint8(o); break;
      case 'int8': x = dv.getInt8(o); break;
      case 'int16': x = dv.getInt16(o, le); break;
      case 'uint16': x = dv.getUint16(o, le); break;
      case 'int32': x = dv.getInt32(o, le); break;
      case 'uint32': x = dv.getUint32(o, le); break;
      case 'float32': x = dv.getFloat32(o, le); break;
      case 'float64': x = dv.getFloat64(o, le); break;
    }
    out[j] = s * x + c;
  }
  return out;
}

/**
 * out[i, v] += sum_b W[i,b] Y[b,v] with the kernel's exact f32 semantics (product rounded to
 * f32, then the sum rounded to f32, b in order): the wasm result must equal this bit for bit.
 */
export function projectAccumulateF32(Y: Float32Array, B: number, V: number, W: Float32Array, n: number, out: Float32Array, vStart = 0, vEnd = V): void {
  const fr = Math.fround;
  for (let i = 0; i < n; i++) {
    for (let v = vStart; v < vEnd; v++) {
      let acc = out[i * V + v]!;
      for (let b = 0; b < B; b++) acc = fr(acc + fr(W[i * B + b]! * Y[b * V + v]!));
      out[i * V + v] = acc;
    }
  }
}

/** The same in f64 (accuracy reference). */
export function projectAccumulateF64(Y: ArrayLike<number>, B: number, V: number, W: ArrayLike<number>, n: number, out: Float64Array, vStart = 0, vEnd = V): void {
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < B; b++) {
      const wib = W[i * B + b]!;
      const yo = b * V, oo = i * V;
      for (let v = vStart; v < vEnd; v++) out[oo + v]! += wib * Y[yo + v]!;
    }
  }
}

/**
 * The plain JS loop a programmer would write (the benchmark baseline): Float32Array storage,
 * loop order i, b, v so the inner loop is contiguous.
 */
export function projectAccumulateJs(Y: Float32Array, B: number, V: number, W: Float32Array, n: number, out: Float32Array, vStart = 0, vEnd = V): void {
  for (let i = 0; i < n; i++) {
    const oo = i * V;
    for (let b = 0; b < B; b++) {
      const wib = W[i * B + b]!;
      const yo = b * V;
      for (let v = vStart; v < vEnd; v++) out[oo + v] += wib * Y[yo + v]!;
    }
  }
}

/** X X^T in f64 (n x n) for X n x p. */
export function gramReference(X: ArrayLike<number>, n: number, p: number): Float64Array {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += X[i * p + k]! * X[j * p + k]!;
      K[i * n + j] = s;
      K[j * n + i] = s;
    }
  }
  return K;
}
