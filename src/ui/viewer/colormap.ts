/**
 * Viridis (matplotlib's perceptually uniform, colour-blind-safe sequential map) as 9 stops: one
 * definition for the brain viewer's map colours (given to NiiVue), the colour bars (CSS / SVG
 * gradients) and the RDM heatmap, so a colour bar always matches what is drawn.
 */
export const VIRIDIS: [number, number, number][] = [
  [68, 1, 84], [71, 45, 123], [59, 82, 139], [44, 114, 142], [33, 145, 140],
  [40, 174, 128], [94, 201, 98], [173, 220, 48], [253, 231, 37],
];

/** RGB at t ∈ [0, 1] (clamped), linear between stops. */
export function viridisAt(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

export const rgbCss = ([r, g, b]: [number, number, number]) => `rgb(${r},${g},${b})`;

/** Stops for an SVG linearGradient / CSS linear-gradient. */
export const viridisStops = () => VIRIDIS.map((c, i) => ({ offset: i / (VIRIDIS.length - 1), colour: rgbCss(c) }));

/** NiiVue ColorMap (R, G, B, A at indices I of 0…255); opaque everywhere, the threshold clips. */
export function niivueViridis(): { R: number[]; G: number[]; B: number[]; A: number[]; I: number[] } {
  const n = VIRIDIS.length - 1;
  return {
    R: VIRIDIS.map((c) => c[0]), G: VIRIDIS.map((c) => c[1]), B: VIRIDIS.map((c) => c[2]),
    A: VIRIDIS.map((_, i) => (i === 0 ? 0 : 255)), I: VIRIDIS.map((_, i) => Math.round((i * 255) / n)),
  };
}
