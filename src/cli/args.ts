import { DdError } from '../core/errors.ts';
import { SWITCH_FLAGS } from '../core/pipeline/config.ts';

/** Parsed command line: repeated flags collect into arrays; `--no-x` sets x=false. */
export interface Args {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set(['json', 'verify', 'if-missing', 'submit', 'no-cache', 'whole-brain', 'help', 'worker', 'print-config', ...SWITCH_FLAGS]);

export function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) { positional.push(a); continue; }
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0 && !BOOLEAN_FLAGS.has(name.slice(0, eq))) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    const list = flags.get(name) ?? [];
    if (BOOLEAN_FLAGS.has(name)) { list.push('true'); flags.set(name, list); continue; }
    if (value === undefined) {
      // A flag takes every following value up to the next flag (e.g. --roi A B C).
      const vals: string[] = [];
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) vals.push(argv[++i]!);
      if (vals.length === 0) throw new DdError('ARGS_MISSING_VALUE', `--${name} needs a value.`);
      list.push(...vals);
    } else list.push(value);
    flags.set(name, list);
  }
  return { positional, flags };
}

export function flag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === undefined ? undefined : v[v.length - 1];
}
export function flagAll(args: Args, name: string): string[] {
  return args.flags.get(name) ?? [];
}
export function has(args: Args, name: string): boolean {
  return args.flags.has(name);
}
export function requireFlag(args: Args, name: string, hint: string): string {
  const v = flag(args, name);
  if (v === undefined) throw new DdError('ARGS_MISSING', `--${name} is required: ${hint}`);
  return v;
}
export function numberFlag(args: Args, name: string, fallback: number): number {
  const v = flag(args, name);
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new DdError('ARGS_BAD_NUMBER', `--${name} must be a number, got "${v}".`);
  return x;
}
