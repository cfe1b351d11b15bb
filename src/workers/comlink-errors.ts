/**
 * comlink sends a thrown Error across threads as {message, name, stack}, which loses DdError's
 * `code` and `file`. This replaces comlink's "throw" transfer handler (in the realm that calls it)
 * by one that keeps them and rebuilds a real DdError on the receiving side. Both ends call it:
 * the kernel worker entry and the host pools.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { DdError } from '../core/errors.ts';

interface SerializedThrow { isError: boolean; value: { message?: string; name?: string; stack?: string; code?: string; file?: string | null } }

let installed = false;

export function installDdErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const base = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, SerializedThrow>;
  transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize(thrown: { value: unknown }) {
      const [ser, transfer] = base.serialize(thrown);
      const v = thrown.value as { code?: unknown; file?: unknown } | null;
      if (v instanceof DdError) ser.value = { ...ser.value, code: v.code, file: v.file ?? null };
      return [ser, transfer];
    },
    deserialize(ser: SerializedThrow) {
      if (ser?.isError && ser.value?.name === 'DdError' && typeof ser.value.code === 'string') {
        const e = new DdError(ser.value.code, ser.value.message ?? '', { file: ser.value.file ?? undefined });
        if (ser.value.stack) e.stack = ser.value.stack;
        throw e;
      }
      return base.deserialize(ser);
    },
  } as TransferHandler<unknown, unknown>);
}
