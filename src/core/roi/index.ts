/** ROIs: masks and atlases on the BOLD grid, spheres, the built-in set, EPI brain masks. */
export type { Grid, Volume3D } from './grid.ts';
export { applyAffine, checkGrid, gridSize, invertAffine, roundVoxel, voxelSizes } from './grid.ts';
export {
  maskCentroidMm,
  maskFromLabels,
  maskIndices,
  nearestSourceIndex,
  resampleNearest,
  sphereMask,
  voxelVolumeMm3,
} from './resample.ts';
export type { EpiMaskInput, EpiMaskOptions } from './epi-mask.ts';
export {
  binaryDilation,
  binaryErosion,
  computeEpiMask,
  epiThreshold,
  gaussianFilter1d,
  largestConnectedComponent,
  meanOfVolumes,
} from './epi-mask.ts';
export type { BuiltinAtlasRoi, BuiltinRoi, BuiltinSphereRoi, LabelGrid } from './builtin.ts';
export {
  BUILTIN_ROI_NAMES,
  builtinAtlasGrid,
  builtinRoiCredits,
  builtinRoiMask,
  getBuiltinRoi,
  isBuiltinRoi,
  listBuiltinRois,
} from './builtin.ts';
export type { LoadImage, ResolvedRoi, RoiSpec } from './spec.ts';
export { parseRoiSpec, parseRoiSpecs, resolveRoi, resolveRois } from './spec.ts';
