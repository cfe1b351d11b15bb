/**
 * What a demo dataset looks like: grid sizes, timing, and the effects planted in it. The numbers
 * mirror a real discountFix run (OpenNeuro ds004636: 100×100×64 at 2.2 mm, TR 0.68 s) for `full`,
 * and a coarse, quick version for `small` (tests, the teaching demo).
 */
export type DemoSize = 'small' | 'full';

export interface DemoGrid {
  dims: [number, number, number];
  voxelMm: number;
  tr: number;
  /** RAS affine (fMRIPrep MNI outputs are RAS), centred on the synthetic brain. */
  affine: number[][];
}

/** Centre of the synthetic brain in MNI mm (roughly the centre of MNI152's brain mask). */
export const BRAIN_CENTRE_MM: [number, number, number] = [0, -18, 8];
/** Semi-axes (mm) of the ellipsoidal brain: about 2.2 l, like an fMRIPrep brain mask. */
export const BRAIN_SEMI_AXES_MM: [number, number, number] = [70, 92, 66];

export function demoGrid(size: DemoSize): DemoGrid {
  const dims: [number, number, number] = size === 'full' ? [100, 100, 64] : [44, 48, 32];
  const voxelMm = size === 'full' ? 2.2 : 5;
  const tr = size === 'full' ? 0.68 : 2.0;
  const origin = dims.map((d, a) => BRAIN_CENTRE_MM[a]! - ((d - 1) * voxelMm) / 2);
  const affine = [
    [voxelMm, 0, 0, origin[0]!],
    [0, voxelMm, 0, origin[1]!],
    [0, 0, voxelMm, origin[2]!],
    [0, 0, 0, 1],
  ];
  return { dims, voxelMm, tr, affine };
}

/** Knobs of the simulation; the teaching demo exposes effect sizes and noise. */
export interface DemoEffects {
  /** Choice effect: per-voxel pattern amplitude (% signal change) × (+1 LL, −1 SS). */
  choicePercent: number;
  /** Value effect: per-voxel pattern amplitude (% signal change) per SD of sv_diff. */
  valuePercent: number;
  /** Temporal SNR of the voxel noise (baseline / noise SD); lower means noisier. */
  tsnr: number;
  /** Trial-to-trial variability of every brain voxel's response (% signal change SD). */
  trialJitterPercent: number;
}

export const DEFAULT_EFFECTS: DemoEffects = {
  choicePercent: 0.6,
  valuePercent: 0.6,
  tsnr: 60,
  trialJitterPercent: 0.3,
};

/** A planted sphere in MNI mm. */
export interface PlantedSphere {
  effect: 'choice' | 'value';
  target: string;
  centreMm: [number, number, number];
  radiusMm: number;
}

/**
 * Where effects live: choice in ventromedial prefrontal cortex, value in the ventral striatum
 * (both nucleus accumbens), the two places valuation studies report most (Bartra et al. 2013).
 * Centres match the built-in ROIs so that `vmpfc` and `nacc_l`/`nacc_r` hold the effects and
 * the other built-ins (e.g. `pcc`, `dlpfc_l`) serve as controls.
 */
export const PLANTED: PlantedSphere[] = [
  { effect: 'choice', target: 'choice', centreMm: [0, 46, -8], radiusMm: 12 },
  { effect: 'value', target: 'sv_diff', centreMm: [-10, 10, -8], radiusMm: 9 },
  { effect: 'value', target: 'sv_diff', centreMm: [10, 10, -8], radiusMm: 9 },
];

/** Built-in ROIs with no planted effect: decoding there should stay at chance. */
export const CONTROL_ROIS = ['pcc', 'dlpfc_l', 'dlpfc_r'];
