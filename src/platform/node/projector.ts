import { jsProjector, type Projector, type ProjectorSpec } from '../../core/extract/projector.ts';

/** The Node host's projector: plain JS for now (the wasm + worker-pool projector replaces it). */
export async function nodeProjectorFactory(_opts: { jobs?: number } = {}) {
  return {
    make: (spec: ProjectorSpec): Projector => jsProjector(spec),
    inflate: undefined as ((s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>) | undefined,
    close: async () => {},
  };
}
