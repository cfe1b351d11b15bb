/**
 * project_accumulate in Chromium (main thread and a 2-worker pool) vs a plain JS loop in the page.
 *   npx tsx bench/kernels.browser.bench.ts [--v 230000] [--n 120] [--b 32]
 * Starts the Vite dev server (COOP/COEP) and Debian's Chromium (CHROMIUM_PATH overrides).
 */
import { chromium } from '@playwright/test';
import { createServer } from 'vite';

const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const n = opt('n', 120), V = opt('v', 230_000), B = opt('b', 32), T = 950;

// Runs in the page (a string: tsx would inject helpers such as __name into a serialized function).

const PAGE_CODE = `async ({ n, V, B }) => {
  const host = await import('/src/platform/browser/pool.ts');
  const k = await import('/src/core/kernels/index.ts');
  const ref = await import('/src/core/kernels/reference.ts');
  const e = await host.createBrowserEngine();
  const y = e.arena.alloc(B * V * 4), w = e.arena.alloc(n * B * 4), o = e.arena.alloc(n * V * 4, 64, true);
  const Y = e.arena.f32(y, B * V), W = e.arena.f32(w, n * B);
  for (let q = 0; q < Y.length; q++) Y[q] = Math.sin(q);
  for (let q = 0; q < W.length; q++) W[q] = Math.cos(q);
  const best = async (f, reps = 12) => {
    await f();
    let m = Infinity;
    for (let q = 0; q < reps; q++) {
      const t = performance.now();
      await f();
      m = Math.min(m, performance.now() - t);
    }
    return m;
  };
  const args = { y, B, V, w, n, out: o };
  const main = await best(() => e.kernels.projectAccumulate(args));
  const pool = await host.createBrowserKernelPool({ module: e.module, memory: e.memory, size: 2 });
  const pool2 = await best(() => k.projectAccumulateParallel(pool, args));
  await pool.close();
  const Vjs = 20000;
  const out = e.arena.f32(o, n * V);
  const js = (await best(() => ref.projectAccumulateJs(Y, B, V, W, n, out, 0, Vjs), 3)) * (V / Vjs);
  return { main, pool2, js, ua: navigator.userAgent, isolated: crossOriginIsolated };
}`;

const server = await createServer({ configFile: 'vite.config.ts', logLevel: 'warn', server: { port: 5191, strictPort: true, host: '127.0.0.1' } });
await server.listen();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto('http://127.0.0.1:5191/');
  const code = `(${PAGE_CODE})(${JSON.stringify({ n, V, B })})`;
  const r = (await page.evaluate(code)) as { main: number; pool2: number; js: number; ua: string; isolated: boolean };
  const flops = 2 * n * B * V;
  const line = (name: string, ms: number) => console.log(`| ${name} | ${ms.toFixed(1)} | ${(flops / ms / 1e6).toFixed(1)} | ${((2 * n * T * V) / (flops / ms * 1e3)).toFixed(2)} |`);
  console.log(`# Chromium (${r.ua.match(/Chrome\/[\d.]+/)?.[0]}), isolated ${r.isolated}: n=${n}, B=${B}, V=${V}`);
  console.log('| variant | ms / call | GFLOP/s | s / run of 950 volumes |\n|---|---|---|---|');
  line('wasm SIMD, page main thread', r.main);
  line('wasm SIMD, 2 Web Workers', r.pool2);
  line('plain JS loop, page main thread', r.js);
} finally {
  await browser.close();
  await server.close();
}
