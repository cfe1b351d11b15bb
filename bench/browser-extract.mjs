#!/usr/bin/env node
// Issue 2 in the browser: the FULL-size demo run (100×100×64 at 2.2 mm, 956 volumes, ~570 MB
// .nii.gz) extracted by the page (extract worker, DecompressionStream, wasm kernels), with the 10
// built-in ROIs + the whole brain mask, LSS. Measures the wall time in the page and the peak memory
// of the page and its worker while it runs:
//   - JS heap (V8 used size) of the page and of every worker (bench/lib/chromium.mjs memoryProbe);
//   - ArrayBuffer backing stores of those isolates (backingStorageSize: the volume buffers, the
//     inflated chunks; it does not include the shared wasm memory, checked);
//   - the kernels' wasm memory as the worker reports it (progress data-wasm).
// Target: JS heap + wasm ≤ 400 MB, and the run completes.
//
//   node bench/browser-extract.mjs [--port 4173] [--rois all|vmpfc,nacc_l,...] [--reps 1]
//
// Uses a vite preview already serving on the port, else builds (`npm run build:wasm`, `vite build`)
// and starts one. Debian's Chromium (CHROMIUM_PATH overrides), same flags as playwright.config.ts.
// Writes the numbers under "## Browser: full-size run in the page" in bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
const REPS = Number(opt('reps', '1'));
const ALL_ROIS = ['nacc_l', 'nacc_r', 'caudate_l', 'caudate_r', 'putamen_l', 'putamen_r', 'vmpfc', 'pcc', 'dlpfc_l', 'dlpfc_r', 'brain'];
const ROIS = opt('rois', 'all') === 'all' ? ALL_ROIS : opt('rois').split(',');
const TARGET_MB = 400;
const VERBOSE = argv.includes('--verbose');
const MB = 2 ** 20;
const COMMAND = `node bench/browser-extract.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`;

const DEMO = join(ROOT, 'bench/out/demo-full');
const SUB = 'sub-01_task-discountFix';
const PREP = join(DEMO, `derivatives/fmriprep/sub-01/func/${SUB}`);
const FILES = [
  `${PREP}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`,
  `${PREP}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz`,
  `${PREP}_desc-confounds_timeseries.tsv`,
  join(DEMO, `sub-01/func/${SUB}_events.tsv`),
  join(DEMO, 'task-discountFix_bold.json'),
];

async function runOnce(browser, rep) {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const probe = await memoryProbe(browser, page);
  await page.addInitScript(() => {
    globalThis.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) globalThis.__longTasks.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${ORIGIN}/`);
  await page.getByTestId('pick-files').setInputFiles(FILES);
  await page.locator('[data-testid="bold-facts"]').waitFor({ timeout: 60_000 });
  for (const r of ALL_ROIS) {
    const box = page.getByTestId(`roi-${r}`);
    if (ROIS.includes(r)) await box.check();
    else await box.uncheck();
  }
  await page.getByLabel('Trial estimator').selectOption('lss');
  await page.getByLabel('Confound regressors').selectOption('auto');

  const peak = { jsHeap: 0, backing: 0, wasm: 0, total: 0, pageHeap: 0, workerHeap: 0 };
  let samples = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        const s = await probe.sample();
        const wasm = Number(await page.getByTestId('progress').getAttribute('data-wasm')) || 0;
        const pageHeap = s.page.usedSize ?? 0;
        const workerHeap = s.workers.reduce((a, w) => a + (w.usedSize ?? 0), 0);
        // backingStorageSize: ArrayBuffers of the isolate; the shared wasm memory is not in it.
        const backing = (s.page.backingStorageSize ?? 0) + s.workers.reduce((a, w) => a + (w.backingStorageSize ?? 0), 0);
        const jsHeap = pageHeap + workerHeap;
        peak.pageHeap = Math.max(peak.pageHeap, pageHeap);
        peak.workerHeap = Math.max(peak.workerHeap, workerHeap);
        peak.jsHeap = Math.max(peak.jsHeap, jsHeap);
        peak.backing = Math.max(peak.backing, backing);
        peak.wasm = Math.max(peak.wasm, wasm);
        peak.total = Math.max(peak.total, jsHeap + backing + wasm);
        samples++;
        if (VERBOSE) {
          const phase = await page.getByTestId('progress').getAttribute('data-phase');
          const d = await page.getByTestId('progress').getAttribute('data-done');
          log(`  ${phase} ${d}: page heap ${mb(pageHeap)} / ab ${mb(s.page.backingStorageSize ?? 0)}; workers ${s.workers.map((w) => `${w.name}: heap ${mb(w.usedSize ?? 0)} ab ${mb(w.backingStorageSize ?? 0)}`).join(', ')}; wasm ${mb(wasm)}`);
        }
      } catch { /* page navigating or closing */ }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();

  const t0 = Date.now();
  const pt0 = await page.evaluate(() => performance.now());
  await page.getByTestId('run').click();
  const done = page.getByTestId('results');
  const failed = page.getByTestId('run-error');
  await done.or(failed).waitFor({ timeout: 30 * 60_000 });
  const wall = (Date.now() - t0) / 1000;
  const longest = await page.evaluate((since) => Math.max(0, ...globalThis.__longTasks.filter((t) => t.start + t.duration >= since).map((t) => t.duration)), pt0);
  polling = false;
  await poll;
  if (await failed.count()) {
    const text = await failed.innerText();
    await page.close();
    throw new Error(`the run failed in the page: ${text}`);
  }
  const summary = await page.getByTestId('results-summary').innerText();
  const m = /in ([\d.]+) s \(stream pass ([\d.]+) s\)/.exec(summary);
  const inPage = m ? Number(m[1]) : NaN;
  const pass = m ? Number(m[2]) : NaN;
  const voxels = await page.locator('[data-testid="roi-table"] tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-roi')}:${r.querySelector('[data-testid="roi-voxels"]').textContent}`));
  const trials = await done.getAttribute('data-trials');
  await page.close();
  if (errors.length) log(`page errors: ${errors.join('; ')}`);
  log(`rep ${rep}: ${inPage.toFixed(1)} s in the page (pass ${pass.toFixed(1)} s, ${wall.toFixed(1)} s click → results), ${trials} trials, longest main-thread task ${longest.toFixed(0)} ms, ${samples} memory samples; ${voxels.join(' ')}`);
  return { inPage, pass, wall, peak, trials: Number(trials), longest };
}

const mb = (b) => (b / MB).toFixed(0);

async function main() {
  log(`demo data: ${DEMO}`);
  execFileSync(process.execPath, [join(ROOT, 'bin/ddmvpa.mjs'), 'demo', '--out', DEMO, '--size', 'full', '--subjects', '1', '--seed', '1', '--if-missing'], { cwd: ROOT, stdio: 'inherit' });
  for (const f of FILES) if (!existsSync(f)) throw new Error(`missing ${f}`);
  const boldMb = statSync(FILES[0]).size / MB;
  let zcat = NaN;
  if (!argv.includes('--no-zcat')) {
    const t = Date.now();
    execFileSync('sh', ['-c', `zcat '${FILES[0]}' > /dev/null`]);
    zcat = (Date.now() - t) / 1000;
    log(`zcat: ${zcat.toFixed(1)} s`);
  }
  const server = await ensureServer(ROOT, PORT);
  const browser = await launchChromium();
  const runs = [];
  try {
    const version = browser.version();
    for (let r = 1; r <= REPS; r++) runs.push(await runOnce(browser, r));
    const best = runs.reduce((a, b) => (b.inPage < a.inPage ? b : a));
    const peak = runs.reduce((a, b) => ({
      jsHeap: Math.max(a.jsHeap, b.peak.jsHeap), backing: Math.max(a.backing, b.peak.backing), wasm: Math.max(a.wasm, b.peak.wasm),
      total: Math.max(a.total, b.peak.total), pageHeap: Math.max(a.pageHeap, b.peak.pageHeap), workerHeap: Math.max(a.workerHeap, b.peak.workerHeap),
    }), { jsHeap: 0, backing: 0, wasm: 0, total: 0, pageHeap: 0, workerHeap: 0 });
    const heapPlusWasm = peak.jsHeap + peak.wasm;
    const longest = Math.max(...runs.map((r) => r.longest));
    const verdict = peak.total <= TARGET_MB * MB ? 'met' : 'NOT met';
    const header = '| run | time in the page (s) | × zcat | stream pass (s) | click → results (s) | longest main-thread task (ms) | peak JS heap, page + worker (MB) | peak ArrayBuffers outside wasm (MB) | wasm memory (MB) | peak total (MB) |\n|---|---|---|---|---|---|---|---|---|---|';
    const row = `| ${ROIS.length === ALL_ROIS.length ? '10 ROIs + brain' : ROIS.join(', ')}, LSS, best of ${runs.length} | ${best.inPage.toFixed(1)} | ${Number.isFinite(zcat) ? (best.inPage / zcat).toFixed(2) : '—'} | ${best.pass.toFixed(1)} | ${best.wall.toFixed(1)} | ${longest.toFixed(0)} | ${mb(peak.jsHeap)} (page ${mb(peak.pageHeap)}, worker ${mb(peak.workerHeap)}) | ${mb(peak.backing)} | ${mb(peak.wasm)} | **${mb(peak.total)}** |`;
    console.log(header);
    console.log(row);
    console.log(`\nJS heap + wasm: ${mb(heapPlusWasm)} MB; with ArrayBuffers: ${mb(peak.total)} MB (target ≤ ${TARGET_MB} MB: ${verdict})`);
    console.log(`command: ${COMMAND}`);
    writeResults({ header, row, version, boldMb, heapPlusWasm, peak, verdict, trials: best.trials, zcat });
    if (verdict !== 'met') process.exitCode = 1;
  } finally {
    await browser.close();
    stopServer(server);
  }
}

function writeResults({ header, row, version, boldMb, heapPlusWasm, peak, verdict, trials, zcat }) {
  const file = join(ROOT, 'bench/RESULTS.md');
  const heading = '## Browser: full-size run in the page';
  const section = `${heading} (\`${COMMAND}\`)

Input: the same full-size demo run as above (\`bench/out/demo-full\`, ${boldMb.toFixed(0)} MB .nii.gz, 956 volumes)
given to the page through its file input (BOLD + events + confounds + brain mask + bold.json),
${trials} trials, extracted in the page's extract worker (Blob stream → DecompressionStream →
wasm gather + project_accumulate in the worker, no nested pool) by Chromium ${version}, 2 cores.
\`zcat FILE > /dev/null\` took ${Number.isFinite(zcat) ? `${zcat.toFixed(1)} s` : '(not measured)'} in the same session (the one-core floor).
Memory polled every ~150 ms during the run through CDP (\`Runtime.getHeapUsage\` of the page and of
the worker target) plus the wasm memory the worker reports.

${header}
${row}

JS heap + wasm: **${mb(heapPlusWasm)} MB**; including the ArrayBuffers held outside wasm (inflated
chunks, volume buffers): ${mb(peak.total)} MB. Target ≤ 400 MB: **${verdict}**. The outputs
(\`<roi>.npy\`, masks, trials.tsv) are Blobs in the browser's blob store (not on the JS heap); the
largest, brain.npy, is copied out of wasm memory in 4 MB pieces, so no second whole copy of the
patterns exists on the heap.

Findings that shaped the worker (\`src/workers/extract-worker.ts\`):
- Dead ArrayBuffers, not live data, dominate: DecompressionStream returns a fresh buffer per
  inflated chunk (and Blob.stream() one per compressed chunk), ~1.8 GB in all for this run. The
  pass allocates almost no JS objects, so V8 ran no young-generation GC and freed them only at its
  external-memory trigger: 345–470 MB peak (sawtooth up to ~370 MB of dead chunks). Allocating
  ~200k short-lived objects after every 24 MB of volumes makes V8 scavenge, which frees them: peak
  ArrayBuffers ~150 MB, no measurable time cost.
- The pass is one promise chain that can run for seconds on microtasks: the page's cancel message
  waited until the end of the run. The worker yields one macrotask (MessageChannel) at most every
  50 ms after a projected block; cancel now stops within ~0.1 s.
- The main thread only receives progress (≤ 10 messages/s) and Blob handles; its longest task
  during the run is in the table (the e2e tests fail above 100 ms).
`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf(heading);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + heading.length);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else {
    text = `${text.replace(/\n*$/, '\n')}\n${section}`;
  }
  writeFileSync(file, text);
  log(`wrote ${file}`);
}

await main();
