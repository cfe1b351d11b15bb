// Node bootstrap for src/workers/kernel-worker.ts inside a worker_threads Worker: register tsx's
// loader in this thread (so the .ts sources load as in the CLI), then serve the kernel worker API
// over comlink's node adapter on parentPort.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

register();
const { serve } = await import('./kernel-worker.ts');
serve(nodeEndpoint(parentPort));
