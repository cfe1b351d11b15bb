/**
 * The production decoding stage: the engine's driver (src/core/mvpa decode: scaling → Gram →
 * CV folds → dual models → permutation test) on one (subject, ROI, target).
 */
import { DdError } from '../errors.ts';
import { decode } from '../mvpa/decode.ts';
import { getModel } from '../mvpa/models/index.ts';
import { parseCv } from '../mvpa/splitters.ts';
import type { DecodeStageFn } from './decode-stage.ts';

export const mvpaDecodeStage: DecodeStageFn = (task, ctx) => {
  const model = getModel(task.model);
  if (model.kind !== task.kind) {
    throw new DdError('CONFIG_BAD_VALUE', `Model ${task.model} is a ${model.kind} model but target ${task.target} needs ${task.kind}.`);
  }
  const r = decode(
    { X: task.X, n: task.n, p: task.p, y: task.y, groups: task.groups, onsets: task.onsets },
    {
      model, modelOptions: task.modelOptions, metric: task.metric, cv: parseCv(task.cv), scaling: task.scaling,
      permutations: task.permutations, seed: task.seed, onProgress: ctx.onProgress, signal: ctx.signal,
    },
  );
  return {
    metric: r.metric, score: r.score, foldScores: r.foldScores, pValue: r.pValue, nPermutations: r.nPermutations,
    nullScores: r.nullScores, nSamples: r.nSamples, nFeatures: r.nFeatures, model: r.model, cv: r.cv, nNotConverged: r.nNotConverged,
  };
};
