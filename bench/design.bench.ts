/**
 * Building the projection W (trials × volumes) for a realistic discountFix run: 120 trials,
 * 956 volumes at TR 0.68 s, 8 confounds. Run: npx tsx bench/design.bench.ts
 */
import { buildProjection, type Estimator } from '../src/core/design/index.ts';
import { parseEvents } from '../src/core/bids/events.ts';
import { bundledEvents } from '../src/core/data/ds004636/index.ts';
import { Rng } from '../src/core/random.ts';

const trials = parseEvents(bundledEvents('s061'), 's061').trials.map((t) => ({ index: t.index, onset: t.onset, duration: t.duration, missed: t.choice === null }));
const T = 956;
const rng = new Rng(1);
const confounds = Array.from({ length: 8 }, () => Float64Array.from({ length: T }, () => rng.normal()));
console.log('| estimator | W build (ms, best of 5) |\n|---|---|');
for (const estimator of ['lss', 'lsa', 'lag'] as Estimator[]) {
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    buildProjection({ trials, tr: 0.68, nVolumes: T, confounds, estimator });
    times.push(performance.now() - t0);
  }
  console.log(`| ${estimator} | ${Math.min(...times).toFixed(1)} |`);
}
