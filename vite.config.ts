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
  const handler = (req: { url?: string }, res: { setHeader(k: string, v: string): void; getHeader(k: string): unknown; removeHeader(k: string): void; writeHead: (...a: any[]) => any }, next: () => void) => {
    if (req.url && /\.gz(\?|$)/.test(req.url)) {
      const writeHead = res.writeHead.bind(res);
      res.writeHead = (...args: any[]) => {
        res.removeHeader('Content-Encoding');
        res.setHeader('Content-Type', 'application/gzip');
        return writeHead(...args);
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
