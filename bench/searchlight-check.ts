// Checks a searchlight choice map of the full-size demo subject against truth.json: the peak lies
// within 8 mm of the planted choice sphere's centre, and the mean score away from every planted
// sphere (farther than its radius + the searchlight radius) is within 0.02 of chance (0.5).
// usage: node --import tsx bench/searchlight-check.ts MAP.nii.gz truth.json [RADIUS_MM]   (exit 1 on failure)
import { readFileSync } from 'node:fs';
import { readNiftiImage } from '../src/core/nifti/index.ts';
import { fileSource } from '../src/platform/node/file-source.ts';

const [mapPath, truthPath] = process.argv.slice(2);
const radius = Number(process.argv[4] ?? 6);
const img = await readNiftiImage(await fileSource(mapPath!));
const truth = JSON.parse(readFileSync(truthPath!, 'utf8')) as { planted: { effect: string; centre_mm: number[]; radius_mm: number }[] };
const [nx, ny, nz] = img.header.dims as number[];
const A = img.header.affine;
let best = -Infinity, bestMm = [0, 0, 0];
let sumAway = 0, nAway = 0;
for (let k = 0; k < nz!; k++) for (let j = 0; j < ny!; j++) for (let i = 0; i < nx!; i++) {
  const v = img.data[i + nx! * (j + ny! * k)]!;
  if (!Number.isFinite(v)) continue;
  const mm = [0, 1, 2].map((r) => A[r]![0]! * i + A[r]![1]! * j + A[r]![2]! * k + A[r]![3]!);
  if (v > best) { best = v; bestMm = mm; }
  const away = truth.planted.every((p) => Math.hypot(mm[0]! - p.centre_mm[0]!, mm[1]! - p.centre_mm[1]!, mm[2]! - p.centre_mm[2]!) > p.radius_mm + radius);
  if (away) { sumAway += v; nAway++; }
}
const choice = truth.planted.find((p) => p.effect === 'choice')!;
const dist = Math.hypot(...bestMm.map((x, r) => x - choice.centre_mm[r]!));
const meanAway = sumAway / nAway;
const ok = dist <= 8 && Math.abs(meanAway - 0.5) <= 0.02;
console.log(JSON.stringify({ peak: best, peak_mm: bestMm.map((x) => +x.toFixed(2)), peak_distance_mm: +dist.toFixed(2), mean_away: meanAway, n_away: nAway, ok }));
process.exit(ok ? 0 : 1);
