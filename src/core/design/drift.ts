/**
 * Cosine (DCT-II) drift basis for a high-pass filter, as nilearn's `create_cosine_drift`
 * (`_cosine_drift` in older releases), nilearn/glm/first_level/design_matrix.py:
 *
 *   hf = 1 / highPassS (Hz), dt = TR, n = number of volumes
 *   order = min(n − 1, floor(2 · n · hf · dt))
 *   drift_k[t] = sqrt(2 / n) · cos(π / n · (t + 0.5) · k),  k = 1 … order, t = 0 … n − 1
 *   plus a constant column of ones (last).
 *
 * nilearn takes dt from the frame times, (t_{n−1} − t_0)/(n − 1), which is TR up to rounding.
 * When hf · dt ≥ 0.5 the basis spans every frequency (order = n − 1) and with the constant
 * saturates the design (nilearn warns; so do we, and the projection handles the rank loss).
 */
import { DdError, type DdWarning } from '../errors.ts';

export interface DriftBasis {
  /** Columns of length n: drift_1 … drift_order, then constant. */
  columns: Float64Array[];
  names: string[];
  order: number;
  warnings: DdWarning[];
}

export function cosineDrift(nVolumes: number, tr: number, highPassS = 128): DriftBasis {
  if (!Number.isInteger(nVolumes) || nVolumes < 2)
    throw new DdError('DESIGN_BAD_INPUT', `A cosine drift basis needs at least 2 volumes, got ${nVolumes}.`);
  if (!(tr > 0) || !Number.isFinite(tr)) throw new DdError('DESIGN_BAD_INPUT', `TR must be a positive number of seconds, got ${tr}.`);
  if (!(highPassS > 0)) throw new DdError('DESIGN_BAD_INPUT', `The high-pass period must be positive (seconds), got ${highPassS}.`);
  const n = nVolumes;
  const hf = 1 / highPassS;
  const warnings: DdWarning[] = [];
  if (hf * tr >= 0.5)
    warnings.push({
      code: 'DESIGN_HIGHPASS_SATURATES',
      message: `A ${highPassS} s high-pass with TR ${tr} s spans all accessible frequencies and saturates the design; use a longer high-pass period.`,
    });
  const order = Math.min(n - 1, Math.floor(2 * n * hf * tr));
  const norm = Math.sqrt(2 / n);
  const columns: Float64Array[] = [];
  const names: string[] = [];
  for (let k = 1; k <= order; k++) {
    const c = new Float64Array(n);
    for (let t = 0; t < n; t++) c[t] = norm * Math.cos((Math.PI / n) * (t + 0.5) * k);
    columns.push(c);
    names.push(`drift_${k}`);
  }
  columns.push(new Float64Array(n).fill(1));
  names.push('constant');
  return { columns, names, order, warnings };
}
