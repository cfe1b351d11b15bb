/**
 * SPM canonical haemodynamic response function (double gamma), sampled on the
 * high-resolution grid of the design (dt = TR / oversampling, oversampling 16 by default).
 *
 * This reproduces nilearn's `_gamma_difference_hrf` (nilearn/glm/first_level/
 * hemodynamic_models.py) sample for sample, including its two quirks:
 *   - the time stamps are `linspace(0, timeLength, rint(timeLength / dt))`, so their spacing
 *     is timeLength / (N − 1), slightly more than dt; the kernel is then used as if it were
 *     sampled every dt;
 *   - both gamma densities are shifted by `loc = dt` (so h[0] = 0).
 *   h = Γpdf(t; delay/dispersion, loc=dt, scale=dispersion)
 *       − ratio · Γpdf(t; undershoot/uDispersion, loc=dt, scale=uDispersion),
 *   normalised to sum 1 (a long boxcar of amplitude 1 reaches a plateau of 1).
 *
 * Parameters: peak (delay) 6 s, undershoot 16 s, dispersion 1, onset 0, length 32 s and
 * ratio 1/6 (SPM's spm_hrf: p(5) = 6). nilearn writes the ratio as 0.167; pass
 * `ratio: NILEARN_SPM_RATIO` to get nilearn's kernel bit for bit.
 */

export const HRF_OVERSAMPLING = 16;
export const SPM_RATIO = 1 / 6;
export const NILEARN_SPM_RATIO = 0.167;

export interface HrfOptions {
  /** Samples per TR (dt = tr / oversampling). Default 16. */
  oversampling?: number;
  /** Kernel length in seconds. Default 32. */
  timeLength?: number;
  /** HRF onset in seconds. Default 0. */
  onset?: number;
  /** Peak gamma shape parameter (s). Default 6. */
  delay?: number;
  /** Undershoot gamma shape parameter (s). Default 16. */
  undershoot?: number;
  dispersion?: number;
  uDispersion?: number;
  /** Undershoot / peak ratio. Default 1/6 (SPM). */
  ratio?: number;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log Γ(x) for x > 0: exact log-factorials for small integers, Lanczos (g = 7) otherwise. */
export function logGamma(x: number): number {
  if (Number.isInteger(x) && x >= 1 && x <= 30) {
    let p = 1;
    for (let i = 2; i < x; i++) p *= i; // exact in f64 up to 22!, within 1 ulp up to 29!
    return Math.log(p);
  }
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** scipy.stats.gamma.pdf(x, shape, loc, scale) = exp(xlogy(a − 1, y) − y − lnΓ(a)) / scale. */
export function gammaPdf(x: number, shape: number, loc = 0, scale = 1): number {
  const y = (x - loc) / scale;
  if (!(y >= 0)) return 0;
  if (y === 0) {
    if (shape === 1) return 1 / scale;
    return shape < 1 ? Infinity : 0;
  }
  return Math.exp((shape - 1) * Math.log(y) - y - logGamma(shape)) / scale;
}

/** numpy.rint: round half to even. */
export function rintHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** nilearn `_gamma_difference_hrf` with SPM defaults (ratio 1/6) and oversampling 16. */
export function gammaDifferenceHrf(tr: number, opts: HrfOptions = {}): Float64Array {
  const oversampling = opts.oversampling ?? HRF_OVERSAMPLING;
  const timeLength = opts.timeLength ?? 32;
  const onset = opts.onset ?? 0;
  const delay = opts.delay ?? 6;
  const undershoot = opts.undershoot ?? 16;
  const dispersion = opts.dispersion ?? 1;
  const uDispersion = opts.uDispersion ?? 1;
  const ratio = opts.ratio ?? SPM_RATIO;
  const dt = tr / oversampling;
  const n = rintHalfEven(timeLength / dt);
  const h = new Float64Array(n);
  // numpy.linspace(0, L, n): i * (L / (n - 1)), last sample exactly L
  const step = n > 1 ? timeLength / (n - 1) : 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = (i === n - 1 && n > 1 ? timeLength : i * step) - onset;
    const v =
      gammaPdf(t, delay / dispersion, dt, dispersion) - ratio * gammaPdf(t, undershoot / uDispersion, dt, uDispersion);
    h[i] = v;
    sum += v;
  }
  for (let i = 0; i < n; i++) h[i] /= sum;
  return h;
}

/** SPM canonical HRF at dt = tr / oversampling (default 16), sum 1. */
export function spmHrf(tr: number, oversampling: number = HRF_OVERSAMPLING): Float64Array {
  return gammaDifferenceHrf(tr, { oversampling });
}
