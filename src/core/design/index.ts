/** Design matrices and the trial projection W (LSS / LSA / lag) of one run. */
export {
  HRF_OVERSAMPLING,
  NILEARN_SPM_RATIO,
  SPM_RATIO,
  gammaDifferenceHrf,
  gammaPdf,
  logGamma,
  rintHalfEven,
  spmHrf,
  type HrfOptions,
} from './hrf.ts';
export {
  GRID_TIE_TOL,
  boxcarRange,
  eventRegressor,
  frameTimes,
  makeRegressorGrid,
  scanEnd,
  type EventBox,
  type GridOptions,
  type RegressorGrid,
} from './regressors.ts';
export { cosineDrift, type DriftBasis } from './drift.ts';
export {
  EPS_F64,
  defaultRankTol,
  dot,
  formQ,
  pinvTall,
  qrPivoted,
  residualizeColumns,
  type PinvResult,
  type PivotedQr,
} from './linalg.ts';
export {
  LAG_WINDOW_TOL_S,
  TRIAL_IDENTIFIABILITY_TOL,
  applyProjectionDense,
  buildDesign,
  buildProjection,
  type Design,
  type DesignInput,
  type DesignTrial,
  type Estimator,
  type Projection,
  type ProjectionInput,
} from './projection.ts';
