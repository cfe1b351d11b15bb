import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { fileSource } from '../../../src/platform/node/file-source.ts';
import { memorySource, type ByteSource } from '../../../src/core/io/byte-source.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface GoldenValues {
  n: number;
  sum: number;
  sumsq: number;
  min: number;
  max: number;
  indices: number[];
  values: number[];
  volume_sums?: Record<string, number>;
}

export interface GoldenFile {
  file: string;
  nifti_version: 1 | 2;
  sizeof_hdr: number;
  byte_order: 'little' | 'big';
  gzip: boolean;
  dims: number[];
  datatype_code: number;
  datatype: string;
  bitpix: number;
  vox_offset: number;
  zooms: number[];
  pixdim: number[];
  xyzt_units: number;
  qform_code: number;
  sform_code: number;
  affine: number[][];
  axcodes: Array<string | null>;
  scl_slope_raw: number | null;
  scl_inter_raw: number | null;
  scl_slope: number;
  scl_inter: number;
  intent_code: number;
  descrip: string;
  cal_min: number;
  cal_max: number;
  values: GoldenValues;
  channel_sums?: Record<string, number>;
}

export interface GoldenAffine {
  affine: number[][];
  axcodes: Array<string | null>;
  voxel_sizes: number[];
  inverse?: number[][];
  qform?: number[][];
  quatern?: number[];
  qfac?: number;
}

export interface Golden {
  affines: GoldenAffine[];
  files: Record<string, GoldenFile>;
}

export const golden: Golden = JSON.parse(readFileSync(join(FIXTURES, 'golden', 'nifti_headers.json'), 'utf8'));

export function fixturePath(rel: string): string {
  return join(FIXTURES, rel);
}

export function fixtureSource(rel: string): Promise<ByteSource> {
  return fileSource(fixturePath(rel));
}

/** The fixture's bytes in memory, under any name (e.g. to test naming vs content). */
export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(rel)));
}

export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return memorySource(name, bytes);
}

/** |a − b| ≤ atol + rtol·|b| */
export function close(a: number, b: number, rtol = 1e-6, atol = 1e-6): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

export const HAXBY_RUNS = Array.from(
  { length: 12 },
  (_, i) => `haxby/haxby2001/sub001/BOLD/task001_run${String(i + 1).padStart(3, '0')}/bold_1slice.nii.gz`,
);
