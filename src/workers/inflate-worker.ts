/**
 * An inflate worker (browser): gunzips streams for the worker that made it, so that inflating
 * (about half of a stream pass) runs on a core of its own beside the gather + projection, as
 * zlib does on libuv's thread pool in Node. Protocol: src/platform/browser/worker-inflate.ts.
 */
import { serveInflate } from '../platform/browser/inflate-service.ts';
import { INFLATE_READY } from '../platform/browser/worker-inflate.ts';

self.onmessage = (e: MessageEvent<{ port: MessagePort; module?: WebAssembly.Module }>) => {
  void serveInflate(e.data.port, e.data.module);
};
self.postMessage(INFLATE_READY);
