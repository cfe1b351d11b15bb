// What the browser benchmarks share: the preview server (reuse one on the port, else build and
// start one), Chromium with the same flags as playwright.config.ts, and a memory probe that sees
// the page and every worker, nested ones included (subject workers inside the pipeline worker,
// inflate workers inside those), through a browser-level CDP session:
//   - JS heap: Runtime.getHeapUsage usedSize of each isolate;
//   - ArrayBuffers outside wasm: its backingStorageSize (the shared wasm memory is not in it);
//   - wasm memory: byteLength of every live WebAssembly.Memory, found with Runtime.queryObjects
//     (a heap walk, so sampled less often; wasm memory never shrinks, so a later sample is a
//     safe peak estimate while the worker lives). A shared Memory seen by several workers is
//     counted once per worker that holds it: an upper bound.
import { execFileSync, spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

export function log(msg) {
  process.stderr.write(`${msg}\n`);
}

async function serverUp(origin) {
  try {
    const r = await fetch(`${origin}/`, { signal: AbortSignal.timeout(2000) });
    return r.ok && r.headers.get('cross-origin-embedder-policy') === 'require-corp';
  } catch {
    return false;
  }
}

/** A vite preview of `root` on the port: an already running one, else a fresh build (returns the child to kill, or null). */
export async function ensureServer(root, port) {
  const origin = `http://127.0.0.1:${port}`;
  if (await serverUp(origin)) {
    log(`reusing the server on ${origin} (make sure its build is current)`);
    return null;
  }
  log('building (wasm + vite) …');
  execFileSync('npm', ['run', 'build:wasm', '--silent'], { cwd: root, stdio: 'inherit' });
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  log(`starting vite preview on ${origin} …`);
  const child = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: root, stdio: 'ignore', detached: true });
  for (let i = 0; i < 100 && !(await serverUp(origin)); i++) await new Promise((r) => setTimeout(r, 200));
  if (!(await serverUp(origin))) throw new Error(`vite preview did not come up on ${origin}`);
  return child;
}

export function stopServer(child) {
  if (!child) return;
  try { process.kill(-child.pid); } catch { /* already gone */ }
}

/** Debian's Chromium (CHROMIUM_PATH overrides) with the e2e tests' flags, plus `extra`. */
export function launchChromium(extra = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', ...extra],
  });
}

const WASM_BYTES = 'function () { return this.reduce((a, m) => a + m.buffer.byteLength, 0); }';

/** Memory of the page and of all its workers (see the top of this file). */
export async function memoryProbe(browser, page) {
  const pageCdp = await page.context().newCDPSession(page);
  const b = await browser.newBrowserCDPSession();
  const pending = new Map();
  let nextId = 1;
  b.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    pending.get(m.id)?.(m);
    pending.delete(m.id);
  });
  const workers = new Map(); // targetId -> { title, send }
  const refresh = async () => {
    const { targetInfos } = await b.send('Target.getTargets');
    const alive = new Set();
    for (const t of targetInfos.filter((x) => x.type === 'worker')) {
      alive.add(t.targetId);
      if (workers.has(t.targetId)) continue;
      try {
        const { sessionId } = await b.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
        const send = (method, params = {}) => new Promise((res) => {
          const id = nextId++;
          pending.set(id, res);
          b.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(() => { pending.delete(id); res({}); });
          setTimeout(() => { if (pending.delete(id)) res({}); }, 5000); // a busy or closing worker
        });
        workers.set(t.targetId, { title: t.title || t.url, send });
      } catch { /* gone already */ }
    }
    for (const id of [...workers.keys()]) if (!alive.has(id)) workers.delete(id);
  };
  const wasmOf = async (evaluate) => {
    const proto = await evaluate('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
    const pid = proto?.result?.objectId;
    if (!pid) return 0;
    const q = await evaluate('Runtime.queryObjects', { prototypeObjectId: pid });
    const arr = q?.objects?.objectId;
    if (!arr) return 0;
    const r = await evaluate('Runtime.callFunctionOn', { objectId: arr, functionDeclaration: WASM_BYTES, returnByValue: true });
    return Number(r?.result?.value) || 0;
  };
  const viaPage = async (method, params) => { try { return await pageCdp.send(method, params); } catch { return null; } };
  return {
    /** { page: {usedSize, backingStorageSize}, workers: [{name, usedSize, backingStorageSize, wasm?}] } */
    async sample({ wasm = false } = {}) {
      await refresh();
      const pageHeap = (await viaPage('Runtime.getHeapUsage')) ?? {};
      const pageWasm = wasm ? await wasmOf(viaPage) : undefined;
      const ws = await Promise.all([...workers.values()].map(async (w) => {
        const via = async (m, p) => (await w.send(m, p)).result ?? null;
        return { name: w.title, ...((await via('Runtime.getHeapUsage')) ?? {}), wasm: wasm ? await wasmOf(via) : undefined };
      }));
      return { page: { ...pageHeap, wasm: pageWasm }, workers: ws };
    },
  };
}
