import { readFile, writeFile } from 'node:fs/promises';
import { DdError } from '../../core/errors.ts';
import { decodeNpy } from '../../core/io/npy.ts';
import { buildDataset, readTrialTable } from '../../core/mvpa/dataset.ts';
import { decodeAsync, defaultMetric } from '../../core/mvpa/decode.ts';
import { isMetricName, METRIC_NAMES } from '../../core/mvpa/metrics.ts';
import type { DualModel } from '../../core/mvpa/model.ts';
import { getModel, MODEL_NAMES, useWasmSolvers } from '../../core/mvpa/models/index.ts';
import { checkScaling } from '../../core/mvpa/scaling.ts';
import { parseCv } from '../../core/mvpa/splitters.ts';
import type { KernelEngine } from '../../core/kernels/index.ts';
import { createNodeEngine, defaultPoolSize } from '../../platform/node/pool.ts';
import { startPermutationWorkers, type NodePermutationWorkers } from '../../platform/node/permutation-pool.ts';
import { flag, numberFlag, requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';

/** Default number of permutations (SCIENCE.md: 1000); `--permutations 0` skips the test. */
export const DEFAULT_PERMUTATIONS = 1000;

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new DdError('FILE_NOT_FOUND', `${path}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Check the path.`, { file: path, cause: e });
  }
}

/**
 * `ddmvpa decode --x X.npy --y TABLE.tsv --target COL [--groups COL] [--model svc|logreg|ridge]
 * [--cv loro|blocked:K[:GAP_S]|kfold:K] [--metric NAME] [--permutations N] [--seed S]
 * [--scaling within-run|train-fold] [--jobs N] [--decision-out FILE] [--json]`
 *
 * Defaults: a two-valued target (e.g. choice) is decoded by svc with balanced_accuracy, a
 * continuous one (e.g. sv_diff) by ridge with r2; --model sets the kind (ridge on a 0/1 target is
 * regression). --groups defaults to a `run` column when the table has one, else one run; cv
 * defaults to loro with ≥ 2 runs, else blocked:5:12. 1000 permutations, seed 0.
 * --jobs N (default: all cores): threads for the permutations (this one + N − 1 workers, started
 * only when the permutations would take more than ~0.2 s); the results do not depend on N.
 * --decision-out FILE writes each decoded sample's decision value (from the fold that tested it,
 * observed labels; > 0 ⇒ the second class) as one number per line, in table order.
 */
export async function decode(args: Args): Promise<CommandResult> {
  const xPath = requireFlag(args, 'x', 'the trials × features patterns (.npy), e.g. the <roi>.npy written by `ddmvpa extract`');
  const yPath = requireFlag(args, 'y', 'the trial table (.tsv), e.g. the trials.tsv written by `ddmvpa extract`');
  const target = requireFlag(args, 'target', 'the column to decode, e.g. choice or sv_diff');
  const modelName = flag(args, 'model');
  if (modelName !== undefined && !(MODEL_NAMES as readonly string[]).includes(modelName)) {
    throw new DdError('ARGS_BAD_VALUE', `--model must be one of ${MODEL_NAMES.join(', ')}, got "${modelName}".`);
  }
  const metricName = flag(args, 'metric');
  if (metricName !== undefined && !isMetricName(metricName)) {
    throw new DdError('ARGS_BAD_VALUE', `--metric must be one of ${METRIC_NAMES.join(', ')}, got "${metricName}".`);
  }
  const cvText = flag(args, 'cv');
  const cvSpec = cvText === undefined ? undefined : parseCv(cvText);
  const permutations = numberFlag(args, 'permutations', DEFAULT_PERMUTATIONS);
  if (!Number.isInteger(permutations) || permutations < 0) throw new DdError('ARGS_BAD_VALUE', `--permutations must be a whole number ≥ 0, got ${permutations}.`);
  const seed = numberFlag(args, 'seed', 0);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new DdError('ARGS_BAD_VALUE', `--seed must be a whole number from 0 to 4294967295, got ${seed}.`);
  const scaling = checkScaling(flag(args, 'scaling') ?? 'within-run');
  const groups = flag(args, 'groups');
  const jobs = numberFlag(args, 'jobs', defaultPoolSize());
  if (!Number.isInteger(jobs) || jobs < 1) throw new DdError('ARGS_BAD_VALUE', `--jobs must be a whole number ≥ 1, got ${jobs}.`);

  const started = performance.now();
  const npy = decodeNpy(await readBytes(xPath, 'patterns file'), xPath);
  const table = readTrialTable(new TextDecoder().decode(await readBytes(yPath, 'trial table')), yPath);
  let model: DualModel | null = modelName ? getModel(modelName) : null;
  const ds = buildDataset({ data: npy.data, shape: npy.shape, file: xPath }, table, { target, groups, kind: model?.kind ?? 'auto' });
  model ??= getModel(ds.kind === 'classification' ? 'svc' : 'ridge');
  const metric = metricName ?? defaultMetric(model.kind);

  // The models' n × n work in wasm: bit-identical to the TypeScript path, faster.
  let engine: KernelEngine | null = null;
  try {
    engine = await createNodeEngine();
    useWasmSolvers(engine);
  } catch (e) {
    process.stderr.write(`note: solving in TypeScript (${e instanceof DdError ? e.message : String(e)})\n`);
  }
  let lastReport = performance.now();
  let result;
  const workers: { started: Promise<NodePermutationWorkers | null> | null } = { started: null };
  const startWorkers = jobs > 1
    ? () => (workers.started ??= startPermutationWorkers({ module: engine?.module ?? null, size: jobs - 1 }).catch((e: unknown) => {
      process.stderr.write(`note: permutations on one thread (${e instanceof Error ? e.message : String(e)})\n`);
      return null;
    }))
    : null;
  try {
    result = await decodeAsync(ds, {
      model, metric, cv: cvSpec, scaling, permutations, seed, startWorkers,
      onProgress: (done, total) => {
        if (performance.now() - lastReport > 2000 || done === total) {
          lastReport = performance.now();
          process.stderr.write(`decode: permutation ${done}/${total}\n`);
        }
      },
    });
  } catch (e) {
    useWasmSolvers(null);
    void workers.started?.then((w) => w?.close());
    // Driver errors know no file: name the inputs (the table is what a user changes).
    if (e instanceof DdError && e.file === undefined) {
      throw new DdError(e.code, `${yPath} (target '${target}', patterns ${xPath}): ${e.message}`, { file: yPath, cause: e });
    }
    throw e;
  }
  useWasmSolvers(null);
  void workers.started?.then((w) => w?.close());
  const seconds = (performance.now() - started) / 1000;
  const decisionOut = flag(args, 'decision-out');
  if (decisionOut !== undefined) await writeFile(decisionOut, [...result.decision].map((d) => `${d}\n`).join(''));
  if (result.nNotConverged > 0) {
    process.stderr.write(`warning DECODE_NOT_CONVERGED: ${result.nNotConverged} ${model.name} fit(s) stopped at the iteration limit; scores use their last iterate.\n`);
  }
  const json = {
    metric: result.metric,
    score: result.score,
    fold_scores: result.foldScores,
    p_value: result.pValue,
    n_permutations: result.nPermutations,
    n_samples: result.nSamples,
    n_features: result.nFeatures,
    model: result.model,
    cv: result.cv,
    seconds,
    target,
    n_dropped: ds.nDropped,
    groups: ds.groupColumn,
    n_groups: Math.max(1, ds.groupNames.length),
    classes: ds.classes,
    scaling,
    seed,
    n_not_converged: result.nNotConverged,
  };
  const p = result.pValue === null ? 'no permutation test' : `p = ${result.pValue.toPrecision(3)} (${result.nPermutations} permutations)`;
  const text =
    `${target} from ${xPath}: ${metric} ${result.score.toFixed(4)} (${model.name}, ${result.cv}, ${result.foldScores.length} folds: ${result.foldScores.map((s) => s.toFixed(3)).join(' ')}), ${p}\n` +
    `  ${result.nSamples} samples${ds.nDropped ? ` (${ds.nDropped} with ${target} n/a dropped)` : ''} × ${result.nFeatures} features, ${seconds.toFixed(2)} s`;
  return { json, text };
}
