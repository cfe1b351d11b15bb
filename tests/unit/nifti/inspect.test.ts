import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inspect } from '../../../src/cli/commands/inspect.ts';
import { parseArgs } from '../../../src/cli/args.ts';
import { DdError } from '../../../src/core/errors.ts';
import { close, fixtureBytes, fixturePath, golden } from './helpers.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('ddmvpa inspect', () => {
  for (const rel of ['nifti/example4d.nii.gz', 'nifti/example_nifti2.nii.gz', 'nifti/anatomical.nii', 'nifti/functional.nii', 'atlases/CIT168.nii.gz', 'haxby/bold.nii.gz']) {
    it(`JSON per CLI.md: ${rel}`, async () => {
      const g = golden.files[rel]!;
      const { json, text } = await inspect(parseArgs([fixturePath(rel), '--json', '--verify']));
      expect(json.nifti_version).toBe(g.nifti_version);
      expect(json.dims).toEqual(g.dims);
      expect(json.datatype).toBe(g.datatype);
      expect(json.voxel_mm).toHaveLength(3);
      json.voxel_mm.forEach((v, k) => expect(close(v, Math.abs(g.zooms[k]!))).toBe(true));
      if (g.dims.length >= 4) expect(json.tr_s).toBeCloseTo(g.zooms[3]!, 5);
      else expect(json.tr_s).toBeNull();
      json.affine.forEach((row, i) => row.forEach((x, j) => expect(close(x, g.affine[i]![j]!, 1e-6, 1e-5)).toBe(true)));
      expect(json.orientation).toBe(g.axcodes.join(''));
      expect(json.scl_slope).toBeCloseTo(g.scl_slope, 7);
      expect(json.scl_inter).toBeCloseTo(g.scl_inter, 4);
      expect(json.byte_order).toBe(g.byte_order);
      expect(json.gzip).toBe(g.gzip);
      expect(json.verified?.volumes).toBe(g.dims.slice(3).reduce((a, b) => a * b, 1));
      if (g.datatype !== 'rgba32') {
        expect(json.verified?.min).toBeCloseTo(g.values.min, 3);
        expect(json.verified?.max).toBeCloseTo(g.values.max, 3);
      }
      expect(text).toContain(g.dims.join(' × '));
      JSON.parse(JSON.stringify(json)); // plain JSON (no NaN/undefined surprises)
    });
  }

  it('reports the TR-units warning for example4d', async () => {
    const { json, text } = await inspect(parseArgs([fixturePath('nifti/example4d.nii.gz'), '--json']));
    expect(json.tr_s).toBe(2000);
    expect(json.warnings.map((w) => w.code)).toContain('NIFTI_TR_UNITS');
    expect(text).toContain('2000 ms');
  });

  it('--verify fails with NIFTI_TRUNCATED on a truncated gzip (plain inspect reads the header)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ddmvpa-inspect-'));
    try {
      const full = fixtureBytes('haxby/bold.nii.gz');
      const path = join(dir, 'cut.nii.gz');
      await writeFile(path, full.subarray(0, full.length >> 1));
      const { json } = await inspect(parseArgs([path, '--json']));
      expect(json.dims).toEqual([40, 20, 1, 1452]);
      const err = await inspect(parseArgs([path, '--json', '--verify'])).catch((e) => e);
      expect(err).toBeInstanceOf(DdError);
      expect((err as DdError).code).toBe('NIFTI_TRUNCATED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('end to end: node bin/ddmvpa.mjs inspect FILE --json, and exit 2 with a coded error', async () => {
    const { stdout } = await run('node', ['bin/ddmvpa.mjs', 'inspect', fixturePath('nifti/functional.nii'), '--json'], { cwd: ROOT });
    const json = JSON.parse(stdout);
    expect(json.dims).toEqual([17, 21, 3, 20]);
    expect(json.orientation).toBe('LAS');
    expect(json.scl_slope).toBeCloseTo(0.075407, 6);
    expect(json.byte_order).toBe('little');
    expect(json.gzip).toBe(false);

    const dir = await mkdtemp(join(tmpdir(), 'ddmvpa-inspect-'));
    try {
      const path = join(dir, 'empty.nii.gz');
      await writeFile(path, new Uint8Array(0));
      const err = await run('node', ['bin/ddmvpa.mjs', 'inspect', path, '--json'], { cwd: ROOT }).catch((e) => e);
      expect(err.code).toBe(2);
      expect(JSON.parse(err.stdout).error.code).toBe('NIFTI_EMPTY');
      expect(err.stderr).toContain('error NIFTI_EMPTY');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
