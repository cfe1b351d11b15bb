import { nodeInflate } from './inflate.ts';
import { jsProjector, type Projector, type ProjectorSpec } from '../../core/extract/projector.ts';

/** The Node host's projector: plain JS for now (the wasm + worker-pool projector replaces it). */
export async function nodeProjectorFactory(_opts: { jobs?: number } = {}) {
  return {
    make: (spec: ProjectorSpec): Projector => jsProjector(spec),
    inflate: nodeInflate,
    close: async () => {},
  };
}
