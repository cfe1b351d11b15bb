import { describe, expect, it } from 'vitest';
import { DTYPE_BYTES, GATHER_DTYPES, checkGatherIndices, type GatherDtype } from '../../../src/core/kernels/index.ts';
import { gatherReference } from '../../../src/core/kernels/reference.ts';
import { DdError } from '../../../src/core/errors.ts';
import { Rng } from '../../../src/core/random.ts';
import { firstDiff, getEngine } from './helpers.ts';

/** A random value across the dtype's whole range (and special floats). */
function randomValue(rng: Rng, dtype: GatherDtype): number {
  switch (dtype) {
    case 'uint8': return rng.int(256);
    case 'int8': return rng.int(256) - 128;
    case 'int16': return rng.int(65536) - 32768;
    case 'uint16': return rng.int(65536);
    case 'int32': return rng.nextU32() | 0;
    case 'uint32': return rng.nextU32();
    case 'float32':
    case 'float64': {
      const r = rng.int(20);
      if (r === 0) return [NaN, Infinity, -Infinity, -0, 0, 1e-40, 3.4e38][rng.int(7)]!;
      return rng.normal() * 10 ** (rng.int(12) - 6);
    }
  }
}

function writeVolume(dtype: GatherDtype, values: number[], bigEndian: boolean): Uint8Array {
  const size = DTYPE_BYTES[dtype];
  const bytes = new Uint8Array(values.length * size);
  const dv = new DataView(bytes.buffer);
  const le = !bigEndian;
  values.forEach((x, k) => {
    const o = k * size;
    switch (dtype) {
      case 'uint8': dv.setUint8(o, x); break;
      case 'int8': dv.setInt8(o, x); break;
      case 'int16': dv.setInt16(o, x, le); break;
      case 'uint16': dv.setUint16(o, x, le); break;
      case 'int32': dv.setInt32(o, x, le); break;
      case 'uint32': dv.setUint32(o, x, le); break;
      case 'float32': dv.setFloat32(o, x, le); break;
      case 'float64': dv.setFloat64(o, x, le); break;
    }
  });
  return bytes;
}

describe('gather kernels', () => {
  for (const dtype of GATHER_DTYPES) {
    for (const swap of [false, true]) {
      it(`${dtype}${swap ? ' byte-swapped' : ''} equals the JS reference bit for bit`, async () => {
        const { kernels, arena } = await getEngine();
        const rng = new Rng(GATHER_DTYPES.indexOf(dtype) * 2 + (swap ? 1 : 0));
        const nVox = 4099;
        const values = Array.from({ length: nVox }, () => randomValue(rng, dtype));
        const raw = writeVolume(dtype, values, swap);
        // Unsorted indices with repeats, both ends of the volume included.
        const nIdx = 3001;
        const idx = Int32Array.from({ length: nIdx }, (_, j) => (j === 0 ? 0 : j === 1 ? nVox - 1 : rng.int(nVox)));
        checkGatherIndices(idx, nVox, dtype);
        const rawP = arena.put(raw), idxP = arena.put(idx), outP = arena.alloc(nIdx * 4);
        try {
          for (const [slope, inter] of [[1, 0], [0.5, -3.25], [Math.fround(1.7e-3), Math.fround(1234.567)], [-2, 1e6]] as const) {
            kernels.gather({ dtype, raw: rawP, idx: idxP, nIdx, slope, inter, swap, out: outP });
            const got = arena.f32(outP, nIdx);
            const want = gatherReference(dtype, raw, idx, slope, inter, swap);
            const k = firstDiff(got, want);
            expect(k, `first difference at ${k}: wasm ${got[k]} vs JS ${want[k]} (raw ${values[idx[k]!]}, slope ${slope}, inter ${inter})`).toBe(-1);
          }
        } finally {
          arena.free(outP); arena.free(idxP); arena.free(rawP);
        }
      });
    }
  }

  it('decodes hand-made big- and little-endian values', async () => {
    const { kernels, arena } = await getEngine();
    const raw = arena.put(new Uint8Array([0x01, 0x02, 0xff, 0xfe]));
    const idx = arena.put(new Int32Array([1, 0]));
    const out = arena.alloc(8);
    kernels.gather({ dtype: 'int16', raw, idx, nIdx: 2, swap: true, out });
    expect(Array.from(arena.f32(out, 2))).toEqual([-2, 258]); // 0xfffe, 0x0102 big-endian
    kernels.gather({ dtype: 'int16', raw, idx, nIdx: 2, out, slope: 2, inter: 1 });
    expect(Array.from(arena.f32(out, 2))).toEqual([2 * -257 + 1, 2 * 513 + 1]); // 0xfeff, 0x0201 little-endian
    kernels.gather({ dtype: 'uint8', raw, idx, nIdx: 2, out });
    expect(Array.from(arena.f32(out, 2))).toEqual([2, 1]);
    arena.free(out); arena.free(idx); arena.free(raw);
  });

  it('rejects bad arguments with DdError', async () => {
    const { kernels, arena } = await getEngine();
    const out = arena.alloc(16);
    expect(() => kernels.gather({ dtype: 'complex64' as GatherDtype, raw: out, idx: out, nIdx: 1, out })).toThrow(DdError);
    expect(() => kernels.gather({ dtype: 'uint8', raw: out, idx: out, nIdx: -1, out })).toThrow(/nIdx/);
    expect(() => kernels.gather({ dtype: 'uint8', raw: out, idx: out, nIdx: 1, out: 2 ** 31 })).toThrow(/outside/);
    expect(() => checkGatherIndices(new Int32Array([0, 5]), 5, 'uint8')).toThrow(/outside the volume/);
    arena.free(out);
  });
});
