import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

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

/** Files of the build that the service worker does not precache (test fixtures, big data, maps). */
const NOT_PRECACHED = (path: string, bytes: number) => path === 'sw.js' || path.startsWith('e2e/') || path.endsWith('.map') || bytes > 8 * 2 ** 20;

/**
 * dist/sw.js: the one service worker (offline app shell + COOP/COEP for hosts that cannot send
 * them), from src/workers/service-worker.template.js with the list of every file of the build and
 * a version hashed from their contents (a new build gets a new cache; the old one is deleted).
 */
function serviceWorker(): Plugin {
  let outDir = 'dist';
  let root = process.cwd();
  return {
    name: 'ddmvpa-sw',
    apply: 'build',
    configResolved(c) {
      root = c.root;
      outDir = resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir).sort()) {
          const full = join(dir, name);
          const st = statSync(full);
          if (st.isDirectory()) walk(full);
          else {
            const rel = relative(outDir, full).split('\\').join('/');
            if (!NOT_PRECACHED(rel, st.size)) files.push(rel);
          }
        }
      };
      walk(outDir);
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const version = hash.digest('hex').slice(0, 16);
      const template = readFileSync(join(root, 'src/workers/service-worker.template.js'), 'utf8');
      const precache = ['./', ...files];
      writeFileSync(join(outDir, 'sw.js'), template
        .replace("'__DDMVPA_VERSION__'", JSON.stringify(version))
        .replace('/* __DDMVPA_PRECACHE__ */ []', JSON.stringify(precache, null, 1)));
    },
  };
}

export default defineConfig({
  plugins: [svelte(), rawGzip(), serviceWorker()],
  server: { headers: isolationHeaders, fs: { allow: ['.'] } },
  preview: { headers: isolationHeaders },
  worker: { format: 'es' },
  build: { target: 'es2022', assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined) },
});
