import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import type { ByteSource } from '../../../src/core/io/byte-source.ts';
import {
  openNifti,
  readNiftiImage,
  streamVolumeBytes,
  gzipBytes,
  parseNiftiHeader,
  type Inflate,
} from '../../../src/core/nifti/index.ts';
import { bytesSource, fixtureBytes, golden } from './helpers.ts';

async function codeOf(p: Promise<unknown>): Promise<DdError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DdError);
    return e as DdError;
  }
  throw new Error('expected a DdError, got success');
}

async function drain(src: ByteSource, inflate?: Inflate): Promise<number> {
  const { header, gzip } = await openNifti(src, { inflate });
  let n = 0;
  for await (const _ of streamVolumeBytes(src, header, gzip, { inflate })) n++;
  return n;
}

const functional = () => fixtureBytes('nifti/functional.nii');

describe('bad inputs give coded DdErrors that name the file', () => {
  it('0-byte file → NIFTI_EMPTY', async () => {
    const e = await codeOf(openNifti(bytesSource('empty.nii.gz', new Uint8Array(0))));
    expect(e.code).toBe('NIFTI_EMPTY');
    expect(e.message).toContain('empty.nii.gz');
    expect(e.file).toBe('empty.nii.gz');
    expect((await codeOf(Promise.resolve().then(() => parseNiftiHeader(new Uint8Array(0), 'x.nii')))).code).toBe('NIFTI_EMPTY');
  });

  it('a gzip that inflates to nothing → NIFTI_EMPTY', async () => {
    const e = await codeOf(openNifti(bytesSource('nothing.nii.gz', await gzipBytes(new Uint8Array(0)))));
    expect(e.code).toBe('NIFTI_EMPTY');
  });

  it('wrong magic / not NIfTI → NIFTI_BAD_MAGIC (plain and gzip)', async () => {
    const text = new TextEncoder().encode('onset\tduration\ttrial_type\n'.repeat(40));
    let e = await codeOf(openNifti(bytesSource('events.nii', text)));
    expect(e.code).toBe('NIFTI_BAD_MAGIC');
    expect(e.message).toContain('events.nii');
    e = await codeOf(openNifti(bytesSource('events.nii.gz', await gzipBytes(text))));
    expect(e.code).toBe('NIFTI_BAD_MAGIC');
    // sizeof_hdr 348 but no "n+1" magic (Analyze 7.5)
    const analyze = functional().slice(0, 2000);
    analyze.set([0, 0, 0, 0], 344);
    e = await codeOf(openNifti(bytesSource('analyze.nii', analyze)));
    expect(e.code).toBe('NIFTI_BAD_MAGIC');
  });

  it('.hdr/.img pair header → NIFTI_PAIR_UNSUPPORTED', async () => {
    const b = functional();
    b.set([0x6e, 0x69, 0x31, 0], 344); // "ni1"
    const e = await codeOf(openNifti(bytesSource('pair.hdr', b)));
    expect(e.code).toBe('NIFTI_PAIR_UNSUPPORTED');
  });

  it('truncated gzip (a real .nii.gz cut in half) → NIFTI_TRUNCATED while streaming', async () => {
    const full = fixtureBytes('haxby/bold.nii.gz');
    const src = bytesSource('bold_cut.nii.gz', full.slice(0, full.length >> 1));
    const { header } = await openNifti(src); // the header itself is intact
    expect(header.dims).toEqual([40, 20, 1, 1452]);
    const e = await codeOf(drain(src));
    expect(e.code).toBe('NIFTI_TRUNCATED');
    expect(e.message).toContain('bold_cut.nii.gz');
    // readNiftiImage as well
    expect((await codeOf(readNiftiImage(src))).code).toBe('NIFTI_TRUNCATED');
  });

  it('gzip missing only its 8-byte trailer → NIFTI_TRUNCATED (the stream is drained to the end)', async () => {
    const full = fixtureBytes('nifti/example4d.nii.gz');
    const e = await codeOf(drain(bytesSource('no_trailer.nii.gz', full.slice(0, full.length - 8))));
    expect(e.code).toBe('NIFTI_TRUNCATED');
  });

  it('gzip cut inside the header → NIFTI_TRUNCATED from openNifti', async () => {
    const full = fixtureBytes('nifti/example4d.nii.gz');
    const e = await codeOf(openNifti(bytesSource('stub.nii.gz', full.slice(0, 40))));
    expect(e.code).toBe('NIFTI_TRUNCATED');
  });

  it('corrupt gzip data → NIFTI_CORRUPT', async () => {
    const full = fixtureBytes('haxby/bold.nii.gz');
    const bad = full.slice();
    for (let i = 5000; i < 5400; i++) bad[i] = (bad[i]! * 31 + 7) & 0xff;
    const e = await codeOf(drain(bytesSource('corrupt.nii.gz', bad)));
    expect(['NIFTI_CORRUPT', 'NIFTI_TRUNCATED']).toContain(e.code);
    expect(e.message).toContain('corrupt.nii.gz');
  });

  it('header dims larger than the data, plain .nii → NIFTI_TRUNCATED up front, with expected vs found bytes', async () => {
    const full = functional();
    const cut = full.slice(0, full.length - 1000);
    const e = await codeOf(openNifti(bytesSource('short.nii', cut)));
    expect(e.code).toBe('NIFTI_TRUNCATED');
    const g = golden.files['nifti/functional.nii']!;
    const imageBytes = g.values.n * 2;
    expect(e.message).toContain(String(imageBytes)); // promised
    expect(e.message).toContain(String(imageBytes - 1000)); // found
    expect(e.message).toContain('short.nii');
  });

  it('header dims larger than the data, gzip → NIFTI_TRUNCATED when the stream ends early', async () => {
    const b = functional(); // 17×21×3×20 int16
    new DataView(b.buffer).setInt16(40 + 2 * 4, 30, true); // claim 30 volumes
    const src = bytesSource('more_dims.nii.gz', await gzipBytes(b));
    const { header } = await openNifti(src);
    expect(header.nVolumes).toBe(30);
    const seen: number[] = [];
    const e = await codeOf((async () => {
      for await (const { index } of streamVolumeBytes(src, header, true)) seen.push(index);
    })());
    expect(e.code).toBe('NIFTI_TRUNCATED');
    expect(seen.length).toBe(20); // the 20 real volumes came through first
    const bpv = 17 * 21 * 3 * 2;
    expect(e.message).toContain(String(30 * bpv));
    expect(e.message).toContain(String(20 * bpv));
  });

  it('unsupported datatype → NIFTI_UNSUPPORTED_DATATYPE', async () => {
    const b = functional();
    new DataView(b.buffer).setInt16(70, 32, true); // complex64
    const e = await codeOf(openNifti(bytesSource('complex.nii', b)));
    expect(e.code).toBe('NIFTI_UNSUPPORTED_DATATYPE');
    expect(e.message).toContain('complex64');
    expect(e.message).toContain('complex.nii');
  });

  it('header cut short → NIFTI_TRUNCATED', async () => {
    const e = await codeOf(openNifti(bytesSource('cut.nii', functional().slice(0, 200))));
    expect(e.code).toBe('NIFTI_TRUNCATED');
  });

  it('bad dim[0] → NIFTI_BAD_HEADER', async () => {
    const b = functional();
    new DataView(b.buffer).setInt16(40, 9, true);
    expect((await codeOf(openNifti(bytesSource('dim0.nii', b)))).code).toBe('NIFTI_BAD_HEADER');
  });

  it('a volume range outside the image → NIFTI_BAD_RANGE', async () => {
    const src = bytesSource('f.nii', functional());
    const { header } = await openNifti(src);
    const e = await codeOf((async () => {
      for await (const _ of streamVolumeBytes(src, header, false, { startVolume: 3, endVolume: 21 })) { /* */ }
    })());
    expect(e.code).toBe('NIFTI_BAD_RANGE');
  });
});

describe('content sniffing, not file names', () => {
  it('accepts a plain .nii under a .nii.gz name', async () => {
    const src = bytesSource('functional.nii.gz', functional());
    const { header, gzip } = await openNifti(src);
    expect(gzip).toBe(false);
    expect(header.dims).toEqual([17, 21, 3, 20]);
    const img = await readNiftiImage(src);
    const g = golden.files['nifti/functional.nii']!;
    g.values.indices.forEach((idx, k) => expect(img.data[idx]).toBeCloseTo(g.values.values[k]!, 3));
  });

  it('accepts a gzip file under a .nii name', async () => {
    const src = bytesSource('example4d.nii', fixtureBytes('nifti/example4d.nii.gz'));
    const { header, gzip } = await openNifti(src);
    expect(gzip).toBe(true);
    expect(await drain(src)).toBe(header.nVolumes);
  });
});

describe('the stream pipeline never hangs and is cancelled', () => {
  /** A source over bytes whose stream records cancellation and can fail after `failAfter` chunks. */
  function trackedSource(name: string, bytes: Uint8Array, chunk: number, failAfter = Infinity, repeat = 1) {
    const state = { cancelled: false, pulled: 0 };
    const src: ByteSource = {
      name,
      size: bytes.byteLength,
      async slice(s, e) {
        return bytes.slice(s, e);
      },
      stream() {
        let pos = 0;
        let rep = 0;
        return new ReadableStream<Uint8Array>({
          pull(ctrl) {
            if (state.pulled >= failAfter) {
              ctrl.error(new Error('disk read failed (simulated)'));
              return;
            }
            if (pos >= bytes.byteLength && ++rep < repeat) pos = 0;
            if (pos >= bytes.byteLength) return ctrl.close();
            ctrl.enqueue(bytes.slice(pos, pos + chunk));
            pos += chunk;
            state.pulled++;
          },
          cancel() {
            state.cancelled = true;
          },
        });
      },
    };
    return { src, state };
  }

  it('a source error mid-stream propagates as a DdError', async () => {
    const { src } = trackedSource('failing.nii.gz', fixtureBytes('haxby/bold.nii.gz'), 4096, 20);
    const e = await codeOf(drain(src));
    expect(e.file).toBe('failing.nii.gz');
    expect(e.message).toContain('failing.nii.gz');
  });

  it('an exception inside an injected inflater propagates and the source is cancelled', async () => {
    // many gzip members back to back: an inflater that reads ahead cannot finish the source first
    const { src, state } = trackedSource('bold.nii.gz', fixtureBytes('haxby/bold.nii.gz'), 4096, Infinity, 1000);
    let calls = 0;
    const inflate: Inflate = (s) => {
      calls++;
      const ds = s.pipeThrough(new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
      if (calls === 1) return ds; // header read is fine
      let n = 0;
      return ds.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, ctrl) {
            if (++n === 10) throw new Error('boom inside the pipeline');
            ctrl.enqueue(chunk);
          },
        }),
      );
    };
    const e = await codeOf(drain(src, inflate));
    expect(e.message).toContain('boom inside the pipeline');
    await new Promise((r) => setTimeout(r, 10));
    expect(state.cancelled).toBe(true);
  });

  it('breaking out of the loop cancels the gzip source stream', async () => {
    const { src, state } = trackedSource('bold.nii.gz', fixtureBytes('haxby/bold.nii.gz'), 4096);
    const { header, gzip } = await openNifti(src);
    let n = 0;
    for await (const _ of streamVolumeBytes(src, header, gzip)) if (++n === 3) break;
    await new Promise((r) => setTimeout(r, 10));
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(Math.ceil(src.size / 4096));
  });

  it('an aborted signal stops the stream with its reason', async () => {
    const src = bytesSource('bold.nii.gz', fixtureBytes('haxby/bold.nii.gz'));
    const { header, gzip } = await openNifti(src);
    const ac = new AbortController();
    let n = 0;
    await expect((async () => {
      for await (const _ of streamVolumeBytes(src, header, gzip, { signal: ac.signal })) if (++n === 2) ac.abort(new Error('user cancelled'));
    })()).rejects.toThrow('user cancelled');
    expect(n).toBe(2);
  });
});
