/**
 * Canonical JSON and content keys (ARCHITECTURE.md "Cache keys"): a key is the SHA-256 of the
 * canonical JSON of {stage, version, inputs}, where inputs hold the CONTENT hashes of input files
 * (never names or dates), the stage's parameters and the keys of the upstream stages it reads.
 * Same inputs, same key, in every host.
 */
import { DdError } from '../errors.ts';
import { sha256Hex } from './sha256.ts';

/**
 * JSON with object keys sorted (recursively), no whitespace. `undefined` members are dropped (as
 * JSON.stringify does); non-finite numbers are refused: they would all print as null and make
 * different parameters share a key.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new DdError('CACHE_BAD_KEY_INPUT', `Cannot build a cache key: ${path} is ${v}. Keys need finite numbers.`);
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x, i) => write(x === undefined ? null : x, `${path}[${i}]`)).join(',')}]`;
      if (ArrayBuffer.isView(v)) return write(Array.from(v as unknown as ArrayLike<number>), path);
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new DdError('CACHE_BAD_KEY_INPUT', `Cannot build a cache key: ${path} is a ${typeof v}.`);
  }
}

/** SHA-256 hex of the canonical JSON of a value. */
export function hashJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/**
 * The content-addressed key of one stage computation: `<stage>-<sha256>`. `version` is the
 * version of the stage's code (bump it when the stage computes something different).
 */
export function contentKey(stage: string, version: number, inputs: unknown): string {
  return `${stage}-${hashJson({ stage, version, inputs })}`;
}
