/**
 * Dual-model benchmarks: time per fit of svc / logreg / ridge on the Gram matrix of one training
 * fold, and the whole permutation workload of the target benchmark (120 trials × 2000 voxels,
 * 5-fold CV, 1000 permutations = 5000 SVC fits on 96 × 96 Gram matrices + decisions).
 *   npx tsx bench/models.bench.ts [--quick] [--n 120] [--p 2000] [--perms 1000] [--signal 0.3] [--js] [--wasm]
 * Both backends by default (TypeScript and wasm give bit-identical fits; the bench checks the
 * permutation accuracies agree).
 * Recorded results: bench/models.results.md.
 */
import { getModel, gramF64, subGram, useWasmSolvers } from '../src/core/mvpa/models/index.ts';
import { foldPredictor } from '../src/core/mvpa/models/fold.ts';
import { createNodeEngine } from '../src/platform/node/pool.ts';
import type { ModelName } from '../src/core/mvpa/model.ts';
import { Rng } from '../src/core/random.ts';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const quick = argv.includes('--quick');
const N = opt('n', 120);
const P = opt('p', 2000);
const perms = opt('perms', quick ? 100 : 1000);
const signal = opt('signal', 0.3);
const folds = 5;
const backends = argv.includes('--js') ? ['js'] : argv.includes('--wasm') ? ['wasm'] : ['js', 'wasm'];
const engine = await createNodeEngine();

// Synthetic trials: two balanced classes, a weak pattern in 10 % of the voxels, z-scored columns.
const rng = new Rng(42);
const y = new Float64Array(N);
for (let i = 0; i < N; i++) y[i] = i % 2;
rng.shuffle(y);
const X = new Float64Array(N * P);
for (let i = 0; i < N; i++) {
  for (let j = 0; j < P; j++) X[i * P + j] = rng.normal() + (j < P / 10 ? signal * (2 * y[i]! - 1) : 0);
}
for (let j = 0; j < P; j++) {
  let m = 0;
  for (let i = 0; i < N; i++) m += X[i * P + j]!;
  m /= N;
  let ss = 0;
  for (let i = 0; i < N; i++) ss += (X[i * P + j]! - m) ** 2;
  const sd = Math.sqrt(ss / N);
  for (let i = 0; i < N; i++) X[i * P + j] = (X[i * P + j]! - m) / sd;
}
let t0 = performance.now();
const K = gramF64(X, N, P);
const tGram = performance.now() - t0;

// Contiguous 5-fold split (the benchmark's KFold without shuffling).
const splits = Array.from({ length: folds }, (_, f) => {
  const lo = Math.floor((f * N) / folds), hi = Math.floor(((f + 1) * N) / folds);
  const train: number[] = [], test: number[] = [];
  for (let i = 0; i < N; i++) (i >= lo && i < hi ? test : train).push(i);
  return { train, test, Ktr: subGram(K, N, train, train), Kte: subGram(K, N, test, train) };
});

function stats(samples: number[]): { best: number; median: number; mean: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]!, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

/** One CV pass with labels `lab`: fits + decisions for every fold, returns the accuracy. */
function cv(name: ModelName, lab: Float64Array, iters: number[]): number {
  const model = getModel(name);
  let correct = 0;
  for (const s of splits) {
    const ytr = new Float64Array(s.train.length);
    for (let a = 0; a < s.train.length; a++) ytr[a] = lab[s.train[a]!]!;
    const fit = model.fit(s.Ktr, s.train.length, ytr);
    iters.push(fit.iterations);
    const d = model.decision(fit, s.Kte, s.test.length);
    const cut = name === 'ridge' ? 0.5 : 0; // ridge regresses the 0/1 labels
    for (let a = 0; a < s.test.length; a++) if ((d[a]! > cut ? 1 : 0) === lab[s.test[a]!]) correct++;
  }
  return correct / N;
}

console.log(`# models bench: n ${N} trials × p ${P} voxels, ${folds}-fold (train ${splits[0]!.train.length}), ${perms} permutations, signal ${signal}`);
console.log(`node ${process.version}; gram (JS f64) ${tGram.toFixed(1)} ms`);
const nulls = new Map<string, string>();
for (const backend of backends) for (const name of ['svc', 'logreg', 'ridge'] as ModelName[]) {
  useWasmSolvers(backend === 'wasm' ? engine : null);
  const accs: number[] = [];
  const iters: number[] = [];
  const permRng = new Rng(7);
  const lab = Float64Array.from(y);
  cv(name, lab, iters); // warm-up (JIT)
  const rounds = name === 'svc' ? perms : Math.max(10, Math.round(perms / (name === 'logreg' ? 10 : 1)));
  const perRound: number[] = [];
  let accObs = 0, nullGe = 0;
  const tAll = performance.now();
  for (let r = 0; r <= rounds; r++) {
    if (r > 0) permRng.shuffle(lab);
    const t = performance.now();
    const acc = cv(name, lab, iters);
    perRound.push(performance.now() - t);
    accs.push(acc);
    if (r === 0) accObs = acc; else if (acc >= accObs) nullGe++;
  }
  const key = accs.join(',');
  if (nulls.has(name) && nulls.get(name) !== key) console.log(`!! ${name}: the ${backend} accuracies differ from the other backend's`);
  nulls.set(name, key);
  const total = performance.now() - tAll;
  const s = stats(perRound);
  const meanIt = iters.reduce((a, b) => a + b, 0) / iters.length;
  console.log(
    `${backend.padEnd(4)} ${name.padEnd(6)} per fit best ${(s.best / folds * 1000).toFixed(0)} µs, median ${(s.median / folds * 1000).toFixed(0)} µs, mean ${(s.mean / folds * 1000).toFixed(0)} µs ` +
    `(mean ${meanIt.toFixed(1)} iterations); ${rounds} permutations × ${folds} folds: ${total.toFixed(0)} ms ` +
    `→ ${(total / rounds * 1000).toFixed(0)} ms per 1000 permutations; observed acc ${accObs.toFixed(3)}, p = ${((1 + nullGe) / (1 + rounds)).toFixed(3)}`,
  );
}

// The permutation test's path: fold predictors built once per fold (logreg: K's eigendecomposition,
// then every fit in that basis, logreg-basis.ts; svc: the plain fit; ridge: the hat matrix).
for (const backend of backends) for (const name of ['svc', 'logreg', 'ridge'] as ModelName[]) {
  useWasmSolvers(backend === 'wasm' ? engine : null);
  const model = getModel(name);
  const t0 = performance.now();
  const fps = splits.map((s) => foldPredictor(model, s.Ktr, s.train.length, s.Kte, s.test.length, {}, Infinity));
  const tSetup = performance.now() - t0;
  const permRng = new Rng(7);
  const lab = Float64Array.from(y);
  const rounds = backend === 'js' && name !== 'ridge' ? Math.max(10, Math.round(perms / 10)) : perms;
  const dec = splits.map((s) => new Float64Array(s.test.length));
  const ytr = splits.map((s) => new Float64Array(s.train.length));
  const round = () => splits.forEach((s, k) => {
    for (let a = 0; a < s.train.length; a++) ytr[k]![a] = lab[s.train[a]!]!;
    fps[k]!.decide(ytr[k]!, dec[k]!);
  });
  round(); // warm-up
  const c0 = process.cpuUsage();
  const tAll = performance.now();
  for (let r = 0; r < rounds; r++) { permRng.shuffle(lab); round(); }
  const total = performance.now() - tAll;
  const c = process.cpuUsage(c0);
  console.log(
    `fold predictors ${backend.padEnd(4)} ${name.padEnd(6)} setup ${tSetup.toFixed(1)} ms (${folds} folds); ${rounds} permutations × ${folds} folds: ` +
    `wall ${total.toFixed(0)} ms, CPU ${((c.user + c.system) / 1000).toFixed(0)} ms → ${((c.user + c.system) / (rounds * folds)).toFixed(0)} µs CPU per fit + decisions`,
  );
}
