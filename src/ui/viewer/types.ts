/**
 * The results.json v2 fields the maps and geometry views read: the pipeline's own types
 * (src/core/pipeline/results.ts). All optional there, since version-1 files have none of them.
 */
export type {
  GeometryRow, Results as ResultsV2, SearchlightGroupRow as SearchlightGroupMap, SearchlightMapRow as SearchlightMap,
  SearchlightResults, SubjectResult as SubjectResultV2, SubjectTrials,
} from '../../core/pipeline/results.ts';
