// Entry of the bundled Node kernel worker (scripts/build-cli.mjs): the same worker API as
// kernel-worker.node.mjs, without the TypeScript loader.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { serve } from './kernel-worker.ts';

serve(nodeEndpoint(parentPort!));
