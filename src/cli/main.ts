import { DdError } from '../core/errors.ts';
import { parseArgs, has, type Args } from './args.ts';

/** A command returns its JSON document (printed with --json) and a human summary. */
export interface CommandResult {
  json: unknown;
  text: string;
}
type Command = (args: Args) => Promise<CommandResult>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  inspect: async () => (await import('./commands/inspect.ts')).inspect,
  extract: async () => (await import('./commands/extract.ts')).extract,
  demo: async () => (await import('./commands/demo.ts')).demo,
  run: async () => (await import('./commands/run.ts')).run,
  behavior: async () => (await import('./commands/behavior.ts')).behavior,
  decode: async () => (await import('./commands/decode.ts')).decode,
  searchlight: async () => (await import('./commands/searchlight.ts')).searchlight,
  group: async () => (await import('./commands/group.ts')).group,
  slurm: async () => (await import('./commands/slurm.ts')).slurm,
};

const USAGE = `ddmvpa — MVPA for delay-discounting fMRI

usage: ddmvpa <command> [options]
  inspect FILE [--json] [--verify]          NIfTI header (and --verify: stream all data)
  extract --bold B --events E --roi SPEC… --out DIR [--estimator lss|lsa|lag] [--confounds TSV] [--preset P] [--json]
  demo --out DIR [--subjects N] [--size small|full] [--seed S]
  behavior EVENTS.tsv… [--json]             hyperbolic discounting fit per events file
  decode --x X.npy --y TABLE.tsv --target COL [--groups COL] [--model svc|logreg|ridge] [--cv loro|blocked:K[:GAP_S]|kfold:K] [--metric NAME] [--scaling within-run|train-fold|none] [--permutations N] [--seed S] [--jobs N] [--decision-out FILE] [--json]
  searchlight --x brain.npy --mask brain_mask.nii.gz --y TABLE.tsv --target COL --out MAP.nii.gz [--radius 6] [--model M] [--cv CV] [--permutations N] [--jobs N] [--json]
  searchlight --group MAP… --out T.nii.gz [--chance 0.5]   group t map across subjects
  run --bids DIR --out DIR [--config FILE] [--subjects A,B] [--jobs N] [--cache-dir DIR | --no-cache] [--memory-budget MB] [--permutations N] [--seed S]
      [--subject-index I]                      one subject only (a SLURM array task), merged later by "group"
  group --out DIR                              merge DIR/subjects/sub-*.json into DIR/results.json with group statistics
  slurm --bids DIR --out DIR [run options] [--partition P] [--cpus-per-task N] [--submit]   sbatch array + group job
See docs/CLI.md for the full contract.`;

/** Runs one command; returns the process exit code (0 ok, 2 bad input, 1 anything else). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes('--json');
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`error ARGS_UNKNOWN_COMMAND: unknown command "${name}".\n${USAGE}\n`);
    return 2;
  }
  try {
    const args = parseArgs(rest);
    const result = await (await load())(args);
    process.stdout.write(has(args, 'json') ? JSON.stringify(result.json) + '\n' : result.text + '\n');
    return 0;
  } catch (e) {
    const err = e instanceof DdError ? e : null;
    const code = err ? err.code : 'INTERNAL';
    const message = err ? err.message : `${(e as Error)?.stack ?? e}`;
    process.stderr.write(`error ${code}: ${message}\n`);
    if (json) process.stdout.write(JSON.stringify({ error: { code, message, file: err?.file ?? null } }) + '\n');
    return err ? 2 : 1;
  }
}
