import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/** Cross-origin isolation: SharedArrayBuffer and shared wasm memory need these two headers. */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Vite's static server sends *.gz with Content-Encoding: gzip, so the browser would inflate
 * demo .nii.gz files behind our back. Serve them as opaque application/gzip bytes instead.
 */
function rawGzip(): Plugin {
  type Res = { setHeader(k: string, v: string): void; removeHeader(k: string): void; writeHead: (...a: any[]) => any };
  const handler = (req: { url?: string }, res: Res, next: () => void) => {
    if (req.url && /\.gz(\?|#|$)/.test(req.url)) {
      const writeHead = res.writeHead.bind(res);
      res.writeHead = (status: number, ...rest: any[]) => {
        // sirv (dev and preview) passes its headers to writeHead, so strip them there too.
        for (const a of rest) {
          if (a && typeof a === 'object' && !Array.isArray(a)) {
            for (const k of Object.keys(a)) if (/^content-(encoding|type)$/i.test(k)) delete a[k];
          }
        }
        res.removeHeader('Content-Encoding');
        res.setHeader('Content-Type', 'application/gzip');
        return writeHead(status, ...rest);
      };
    }
    next();
  };
  return {
    name: 'ddmvpa-raw-gzip',
    configureServer(server) { server.middlewares.use(handler as any); },
    configurePreviewServer(server) { server.middlewares.use(handler as any); },
  };
}

export default defineConfig({
  plugins: [svelte(), rawGzip()],
  server: { headers: isolationHeaders, fs: { allow: ['.'] } },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined) },
});
