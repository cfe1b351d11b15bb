#!/usr/bin/env node
// Issue 5 performance / issue 4 in the browser: the FULL analysis of a full-size demo subject
// (100×100×64 at 2.2 mm, 956 volumes, ~570 MB .nii.gz; the default config: 10 ROIs, choice +
// sv_diff, LSS, 1000 permutations) in the page (pipeline worker + subject workers), side by side
// with `ddmvpa run` on the same folder, config and seed, both starting from an empty cache (a
// fresh --cache-dir; a fresh browser profile), as a first analysis of new data.
//
// Measures, in one run:
//   - wall time: CLI (`--jobs 2`) and the page (click → results), and their ratio;
//   - memory of the page: JS heap + wasm of the page and every worker (nested ones too) through
//     CDP (bench/lib/chromium.mjs memoryProbe: heaps 4×/s, wasm memories 1×/s), the ArrayBuffers
//     outside wasm, and the tab's renderer process as Linux sees it (peak VmHWM: also Blink, V8
//     code, compositor);
//   - the page's longest main-thread task during the run (PerformanceObserver 'longtask');
//   - that the page's results equal the CLI's (scores and p-values of every decoding).
// Targets: page wall ≤ 1.5 × CLI; JS heap + wasm ≤ 500 MB; no long task > 100 ms.
//
//   node bench/browser-run.mjs [--data DIR] [--port 4173] [--permutations N]
//
// Uses a vite preview already serving on the port, else builds and starts one.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureServer, launchChromium, log, memoryProbe, stopServer } from './lib/chromium.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : def;
};
const PORT = Number(opt('port', '4173'));
const ORIGIN = `http://127.0.0.1:${PORT}`;
const DATA = resolve(opt('data', join(ROOT, 'bench/out/demo-full1')));
const PERMS = Number(opt('permutations', '1000'));
const MB = 2 ** 20;
const mb = (b) => (b / MB).toFixed(0);
const COMMAND = `node bench/browser-run.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`;

/** Renderer processes below `rootPid` (Chromium's --type=renderer children). */
function rendererPids(rootPid) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  const out = [];
  const walk = (p) => {
    for (const c of kids.get(p) ?? []) {
      try {
        if (readFileSync(`/proc/${c}/cmdline`, 'utf8').includes('--type=renderer')) out.push(c);
      } catch { /* gone */ }
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

const MARKER = `--ddmvpa-bench=${process.pid}`;

/** The browser process we launched (it carries MARKER, a switch Chromium ignores). */
function browserPid() {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(MARKER) && !cmd.includes('--type=')) return Number(d);
    } catch { /* gone */ }
  }
  return null;
}

function statusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function cliRun(out) {
  const t0 = Date.now();
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, join(ROOT, 'bin/ddmvpa.mjs'), 'run', '--bids', DATA, '--out', out, '--cache-dir', `${out}-cache`, '--jobs', '2', '--permutations', String(PERMS)], { cwd: ROOT, encoding: 'utf8' });
  const wall = (Date.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`ddmvpa run failed (${r.status}):\n${r.stderr}`);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? 0) * 1024;
  // (GNU time reports the largest of the parent and its waited-for children: one worker process.)
  return { wall, rss, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) };
}

async function pageRun(browser) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    globalThis.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${ORIGIN}/?permutations=${PERMS}`);
  await page.getByTestId('pick-folder').setInputFiles(DATA);
  await page.getByTestId('full-plan').filter({ hasText: 'subject' }).waitFor({ timeout: 120_000 });
  await page.getByLabel('use the browser cache').check();
  const rootPid = browserPid();
  const peak = { renderer: 0, heap: 0, wasm: 0, heapWasm: 0, buffers: 0, workers: 0, threads: 0 };
  const probe = await memoryProbe(browser, page);
  let polling = true;
  const poll = (async () => {
    // JS heaps 4×/s; wasm memories (a heap walk) once a second, the last value kept per worker.
    const lastWasm = new Map();
    for (let i = 0; polling; i++) {
      try {
        const s = await probe.sample({ wasm: i % 4 === 0 });
        const all = [{ name: 'page', ...s.page }, ...s.workers];
        for (const x of all) if (x.wasm !== undefined) lastWasm.set(x.name, x.wasm);
        const heap = all.reduce((a, x) => a + (x.usedSize ?? 0), 0);
        const wasm = all.reduce((a, x) => a + (lastWasm.get(x.name) ?? 0), 0);
        peak.heap = Math.max(peak.heap, heap);
        peak.wasm = Math.max(peak.wasm, wasm);
        peak.heapWasm = Math.max(peak.heapWasm, heap + wasm);
        peak.buffers = Math.max(peak.buffers, all.reduce((a, x) => a + (x.backingStorageSize ?? 0), 0));
        peak.threads = Math.max(peak.threads, all.length);
        const el = page.getByTestId('pp-stats');
        if (await el.count()) peak.workers = Math.max(peak.workers, Number(await el.getAttribute('data-workers')) || 0);
      } catch { /* re-rendering */ }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const pt0 = await page.evaluate(() => performance.now());
  const t0 = Date.now();
  await page.getByTestId('full-run').click();
  await page.getByTestId('full-done').waitFor({ timeout: 60 * 60_000 });
  const wall = (Date.now() - t0) / 1000;
  polling = false;
  await poll;
  if (rootPid) for (const pid of rendererPids(rootPid)) peak.renderer = Math.max(peak.renderer, statusKb(pid, 'VmHWM'));
  const longest = await page.evaluate((since) => Math.max(0, ...globalThis.__longTasks.filter((t) => t.start + t.duration >= since).map((t) => t.duration)), pt0);
  const href = await page.getByTestId('full-analysis').getByTestId('rv-download-results.json').getAttribute('href');
  const results = JSON.parse(await page.evaluate(async (u) => (await fetch(u)).text(), href));
  await page.close();
  if (errors.length) log(`page errors: ${errors.join('; ')}`);
  return { wall, peak, longest, results };
}

function compare(a, b) {
  let n = 0;
  const bad = [];
  for (const s of a.subjects) {
    const c = b.subjects.find((x) => x.id === s.id);
    for (const d of s.decoding) {
      const e = c?.decoding.find((x) => x.roi === d.roi && x.target === d.target);
      n++;
      if (!e || e.score !== d.score || e.p_value !== d.p_value) bad.push(`${s.id} ${d.roi}/${d.target}`);
    }
  }
  return { n, bad };
}

async function main() {
  if (!existsSync(DATA)) {
    log(`generating the full-size demo subject into ${DATA} …`);
    execFileSync(process.execPath, [join(ROOT, 'bin/ddmvpa.mjs'), 'demo', '--out', DATA, '--size', 'full', '--subjects', '1', '--seed', '1'], { stdio: 'inherit' });
  }
  const server = await ensureServer(ROOT, PORT);
  const browser = await launchChromium([MARKER]);
  const tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-bench-run-'));
  try {
    const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    log('CLI run …');
    const cli = cliRun(join(tmp, 'cli'));
    log(`CLI: ${cli.wall.toFixed(1)} s, peak RSS ${mb(cli.rss)} MB`);
    log('page run …');
    const web = await pageRun(browser);
    const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const eq = compare(web.results, cli.results);
    const ratio = web.wall / cli.wall;
    console.log(`command: ${COMMAND} (Chromium ${browser.version()}, load ${load0} → ${load1})`);
    console.log('| run | wall (s) | ratio page / CLI | peak memory (MB) | longest main-thread task (ms) |\n|---|---|---|---|---|');
    console.log(`| \`ddmvpa run --jobs 2\` (empty cache) | ${cli.wall.toFixed(1)} | — | ${mb(cli.rss)} (largest process: GNU time) | — |`);
    console.log(`| page, ${web.peak.workers} subject workers (empty cache) | ${web.wall.toFixed(1)} | **${ratio.toFixed(2)}** | JS heap + wasm **${mb(web.peak.heapWasm)}** (JS heaps ${mb(web.peak.heap)}, wasm ${mb(web.peak.wasm)}, ${web.peak.threads} isolates); other ArrayBuffers ${mb(web.peak.buffers)}; renderer VmHWM ${mb(web.peak.renderer)} | ${web.longest.toFixed(0)} |`);
    console.log(`results: ${eq.n - eq.bad.length} of ${eq.n} decodings equal the CLI's (score and p)${eq.bad.length ? `; differ: ${eq.bad.join(', ')}` : ''}`);
    // Where the time goes: each stage's summed seconds (provenance.timings; in parallel runs the
    // sum over workers, so it can exceed the wall time).
    const st = (r) => r.provenance.timings.stages;
    const names = Object.keys(st(cli.results));
    console.log(`stage seconds (CLI / page): ${names.map((n) => `${n} ${st(cli.results)[n]} / ${st(web.results)[n] ?? '—'}`).join('; ')}`);
    if (eq.bad.length || ratio > 1.5 || web.peak.heapWasm > 500 * MB || web.longest > 100) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await browser.close();
    stopServer(server);
  }
}

await main();
