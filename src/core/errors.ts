/**
 * The one error type of ddmvpa. `code` is stable (tests, the CLI and the UI key on it); the
 * message names the file and says what to do. Hosts map `DdError` to exit code 2 (bad input).
 */
export class DdError extends Error {
  readonly code: string;
  readonly file?: string;
  constructor(code: string, message: string, opts: { file?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DdError';
    this.code = code;
    this.file = opts.file;
  }
  toJSON(): { code: string; message: string; file: string | null } {
    return { code: this.code, message: this.message, file: this.file ?? null };
  }
}

/** Non-fatal findings (e.g. a TR that disagrees between header and JSON), collected, never thrown. */
export interface DdWarning {
  code: string;
  message: string;
  file?: string;
}
