/**
 * NIfTI datatype codes (nifti1.h, shared with NIfTI-2) and the subset ddmvpa reads and writes.
 */

export type NiftiDatatype =
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'rgb24'
  | 'rgba32';

export interface DatatypeInfo {
  name: NiftiDatatype;
  code: number;
  /** Bytes per voxel (rgb24: 3, rgba32: 4). */
  bytes: number;
  /** Bits per voxel as stored in `bitpix`. */
  bitpix: number;
}

const TABLE: DatatypeInfo[] = [
  { name: 'uint8', code: 2, bytes: 1, bitpix: 8 },
  { name: 'int16', code: 4, bytes: 2, bitpix: 16 },
  { name: 'int32', code: 8, bytes: 4, bitpix: 32 },
  { name: 'float32', code: 16, bytes: 4, bitpix: 32 },
  { name: 'float64', code: 64, bytes: 8, bitpix: 64 },
  { name: 'rgb24', code: 128, bytes: 3, bitpix: 24 },
  { name: 'int8', code: 256, bytes: 1, bitpix: 8 },
  { name: 'uint16', code: 512, bytes: 2, bitpix: 16 },
  { name: 'uint32', code: 768, bytes: 4, bitpix: 32 },
  { name: 'int64', code: 1024, bytes: 8, bitpix: 64 },
  { name: 'uint64', code: 1280, bytes: 8, bitpix: 64 },
  { name: 'rgba32', code: 2304, bytes: 4, bitpix: 32 },
];

/** Codes that exist in NIfTI but that ddmvpa does not decode (for clear error messages). */
export const UNSUPPORTED_DATATYPE_NAMES: Record<number, string> = {
  0: 'unknown (0)',
  1: 'binary (1 bit)',
  32: 'complex64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
};

const BY_CODE = new Map(TABLE.map((d) => [d.code, d]));
const BY_NAME = new Map(TABLE.map((d) => [d.name, d]));

/** Datatype info for a NIfTI code, or undefined when ddmvpa cannot decode that code. */
export function datatypeByCode(code: number): DatatypeInfo | undefined {
  return BY_CODE.get(code);
}

/** Datatype info for a name; throws a plain Error on an unknown name (a programming error). */
export function datatypeByName(name: NiftiDatatype): DatatypeInfo {
  const d = BY_NAME.get(name);
  if (!d) throw new Error(`unknown NIfTI datatype name "${name}"`);
  return d;
}

/** Human name of any datatype code, supported or not. */
export function datatypeCodeName(code: number): string {
  return BY_CODE.get(code)?.name ?? UNSUPPORTED_DATATYPE_NAMES[code] ?? `code ${code}`;
}

export const SUPPORTED_DATATYPES: readonly NiftiDatatype[] = TABLE.map((d) => d.name);
