/**
 * Hyperbolic discounting fits: 100 subjects × 120 trials (the real ds004636 events, cycled),
 * side by side with SciPy's L-BFGS-B from 30 starts (how the reference fits were made) when
 * Debian's python3-scipy is installed. Run: npx tsx bench/behavior.bench.ts
 */
import { execFileSync } from 'node:child_process';
import { parseEvents } from '../src/core/bids/events.ts';
import { fitHyperbolic } from '../src/core/behavior/hyperbolic.ts';
import { BUNDLED_SUBJECTS, bundledEvents } from '../src/core/data/ds004636/index.ts';

const subjects = BUNDLED_SUBJECTS.map((s) => parseEvents(bundledEvents(s.id), s.file).trials);
fitHyperbolic(subjects[0]!); // warm-up (JIT)
const reps = 5;
const times: number[] = [];
for (let r = 0; r < reps; r++) {
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) fitHyperbolic(subjects[i % subjects.length]!);
  times.push((performance.now() - t0) / 1000);
}
const ours = Math.min(...times);

const py = `
import time, numpy as np, csv, glob, sys
from scipy.optimize import minimize
files = sorted(glob.glob('src/core/data/ds004636/*_events.tsv'))
data = []
for f in files:
    rows = [r for r in csv.DictReader(open(f), delimiter='\\t') if r['choice'] in ('larger_later', 'smaller_sooner')]
    data.append((np.array([float(r['large_amount']) for r in rows]), np.array([float(r['later_delay']) for r in rows]),
                 np.array([float(r['small_amount']) for r in rows]), np.array([r['choice'] == 'larger_later' for r in rows], float)))
def nll(p, A, D, S, y):
    k, b = np.exp(p)
    z = b * (A / (1 + k * D) - S)
    return np.sum(np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y))
rng = np.random.default_rng(0)
t0 = time.perf_counter()
for i in range(100):
    A, D, S, y = data[i % len(data)]
    best = min((minimize(nll, [rng.uniform(-12, 3), rng.uniform(-8, 5)], args=(A, D, S, y), method='L-BFGS-B',
                         bounds=[(-12, 3), (-8, 5)]) for _ in range(30)), key=lambda r: r.fun)
print(time.perf_counter() - t0)
`;
let scipy: number | null = null;
try {
  scipy = Number(execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' }).trim());
} catch {
  scipy = null;
}
console.log('| fits | ddmvpa (s, best of %d) | SciPy L-BFGS-B × 30 starts (s) | ratio |', reps);
console.log('|---|---|---|---|');
console.log(`| 100 subjects × 120 trials | ${ours.toFixed(3)} | ${scipy?.toFixed(2) ?? 'n/a'} | ${scipy ? (scipy / ours).toFixed(0) + '×' : 'n/a'} |`);
