// Issue 2 in the browser: files → trial patterns in one streamed pass, in a Web Worker.
// - the built-in demo subject, generated in the page, run with the defaults;
// - real files through the file input give the same patterns as `ddmvpa extract` (bit for bit);
// - bad files give coded errors naming the file, and the page keeps working;
// - a long run can be cancelled;
// - screenshots at 1366×768; no main-thread long task > 100 ms during a run; no request leaves
//   the page's origin.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';

const ROOT = process.cwd();
const SCREENS = join(ROOT, 'tests/e2e/screens');
import { ORIGIN } from './origin.ts';
const SUB = 'sub-01_task-discountFix';
const PREP = `derivatives/fmriprep/sub-01/func/${SUB}`;
const FILES = {
  bold: `${PREP}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`,
  mask: `${PREP}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz`,
  confounds: `${PREP}_desc-confounds_timeseries.tsv`,
  events: `sub-01/func/${SUB}_events.tsv`,
  json: 'task-discountFix_bold.json',
};
const DEFAULT_ROIS = ['vmpfc', 'nacc_l', 'brain'];

let tmp: string;
let demo: string;
let cliOut: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'bin/ddmvpa.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test.beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-e2e-'));
  demo = join(tmp, 'demo');
  cliOut = join(tmp, 'cli-out');
  cli(['demo', '--out', demo, '--size', 'small', '--subjects', '1']);
  cli([
    'extract', '--bold', join(demo, FILES.bold), '--events', join(demo, FILES.events), '--confounds', join(demo, FILES.confounds),
    '--mask', join(demo, FILES.mask), '--bold-json', join(demo, FILES.json), '--estimator', 'lss',
    '--roi', ...DEFAULT_ROIS, '--out', cliOut,
  ]);
  mkdirSync(SCREENS, { recursive: true });
});

test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Watch {
  /** Requests to any origin but the page's (blob: and data: URLs are local). */
  foreign: string[];
  errors: string[];
}

/** Long-task observer (before any page script runs) plus request / error recorders. */
async function watch(page: Page): Promise<Watch> {
  const w: Watch = { foreign: [], errors: [] };
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __longTasks: { start: number; duration: number }[] };
    g.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) g.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`${ORIGIN}/`) && !u.startsWith('blob:') && !u.startsWith('data:')) w.foreign.push(u);
  });
  page.on('pageerror', (e) => w.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(m.text());
  });
  return w;
}

const now = (page: Page) => page.evaluate(() => performance.now());
async function longTasksBetween(page: Page, t0: number, t1: number) {
  const all = await page.evaluate(() => (globalThis as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks);
  return all.filter((t) => t.start + t.duration >= t0 && t.start <= t1);
}

/** Bytes of a download link's blob, fetched in the page. */
async function linkBytes(page: Page, testid: string): Promise<Buffer> {
  const href = await page.getByTestId(testid).getAttribute('href');
  expect(href).toMatch(/^blob:/);
  const arr = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u!)).arrayBuffer())), href);
  return Buffer.from(arr);
}

/** SHA-256 of every downloadable file, computed in the page (no big arrays cross to the test). */
async function pageDigests(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const out: Record<string, string> = {};
    for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('[data-testid="downloads"] a[download]'))) {
      const buf = await (await fetch(a.href)).arrayBuffer();
      const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
      out[a.download] = Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
    }
    return out;
  });
}

function npyFloats(bytes: Buffer): { shape: number[]; data: Float32Array } {
  const headerLen = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLen).toString('latin1');
  expect(header).toContain("'descr': '<f4'");
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = bytes.subarray(10 + headerLen);
  const data = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return { shape, data };
}

async function openPage(page: Page) {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 2, name: 'Extract trial patterns' })).toBeVisible();
}

async function runAndWait(page: Page) {
  const run = page.getByRole('button', { name: 'Run extraction' });
  await expect(run).toBeEnabled({ timeout: 30_000 });
  const t0 = await now(page);
  await run.click();
  await expect(page.getByTestId('results')).toBeVisible({ timeout: 120_000 });
  // Let the results render and settle before closing the long-task window.
  await page.waitForTimeout(300);
  return { t0, t1: await now(page) };
}

test('demo subject: generated in the page, extracted with the defaults, results and downloads', async ({ page }) => {
  const w = await watch(page);
  await openPage(page);
  await expect(page.getByTestId('privacy')).toContainText('Your data never leave this machine');
  await expect(page.getByText('OpenNeuro ds004636', { exact: false }).first()).toBeVisible();
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  // Defaults: vmpfc, nacc_l and the whole brain; LSS; automatic confounds.
  for (const r of DEFAULT_ROIS) await expect(page.getByTestId(`roi-${r}`)).toBeChecked();
  await expect(page.getByTestId('roi-pcc')).not.toBeChecked();
  await expect(page.getByLabel('Trial estimator')).toHaveValue('lss');
  await expect(page.getByLabel('Confound regressors')).toHaveValue('auto');
  await expect(page.getByRole('button', { name: 'Run extraction' })).toBeDisabled();
  await page.screenshot({ path: join(SCREENS, 'extract-before.png') });

  // Keyboard only: focus the demo button and press Enter.
  await page.getByTestId('use-demo').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('demo-note')).toContainText('Synthetic data', { timeout: 60_000 });
  await expect(page.getByTestId('demo-note')).toContainText('truth.json');
  await expect(page.getByTestId('demo-note')).toContainText('(0, 46, -8)');
  await expect(page.getByTestId('run-subject')).toHaveText('01');
  await expect(page.getByTestId('bold-facts')).toHaveAttribute('data-dims', '44x48x32x326', { timeout: 30_000 });
  await expect(page.getByTestId('events-facts')).toContainText('120 trials');

  const { t0, t1 } = await runAndWait(page);
  const results = page.getByTestId('results');
  await expect(results).toHaveAttribute('data-trials', '120');
  await expect(results).toHaveAttribute('data-rois', '3');
  const rows = page.getByTestId('roi-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  for (const r of DEFAULT_ROIS) {
    const voxels = Number((await page.locator(`tr[data-roi="${r}"]`).getByTestId('roi-voxels').textContent())!.replace(/,/g, ''));
    expect(voxels, `${r} voxels`).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('trials-table').locator('tbody tr')).toHaveCount(120);
  for (const f of ['vmpfc.npy', 'nacc_l.npy', 'brain.npy', 'trials.tsv']) {
    await expect(page.getByTestId(`download-${f}`)).toHaveAttribute('href', /^blob:/);
    await expect(page.getByTestId(`download-${f}`)).toHaveAttribute('download', f);
  }
  const tsv = (await linkBytes(page, 'download-trials.tsv')).toString('utf8').trim().split('\n');
  expect(tsv).toHaveLength(121);
  const vm = npyFloats(await linkBytes(page, 'download-vmpfc.npy'));
  expect(vm.shape[0]).toBe(120);
  expect(vm.data.every(Number.isFinite)).toBe(true);
  await expect(page.getByTestId('progress')).toHaveAttribute('data-phase', 'done');
  await expect(page.getByTestId('progress-volumes')).toHaveText('326 / 326');
  await expect(page.getByTestId('progress-memory')).toContainText('kernels (wasm)');

  const long = await longTasksBetween(page, t0, t1);
  expect(long.filter((t) => t.duration > 100), `main-thread long tasks during the run: ${JSON.stringify(long)}`).toEqual([]);
  await page.screenshot({ path: join(SCREENS, 'extract-after.png') });
  await page.evaluate(() => document.getElementById('results-h')!.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'extract-results.png') });
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('real files through the file input: the same patterns as `ddmvpa extract`, bit for bit', async ({ page }) => {
  const w = await watch(page);
  await openPage(page);
  await page.getByTestId('pick-files').setInputFiles(Object.values(FILES).map((f) => join(demo, f)));
  await expect(page.getByTestId('run-card')).toHaveAttribute('data-run', 'sub-01_task-discountFix');
  await expect(page.getByTestId('bold-facts')).toHaveAttribute('data-volumes', '326', { timeout: 30_000 });
  await expect(page.getByTestId('run-card')).toContainText(`${SUB}_desc-confounds_timeseries.tsv`);
  await expect(page.getByTestId('run-card')).toContainText('brain_mask.nii.gz');
  const { t0, t1 } = await runAndWait(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120');

  // The patterns of vmpfc, value by value, and every output file by digest.
  const browser = npyFloats(await linkBytes(page, 'download-vmpfc.npy'));
  const node = npyFloats(readFileSync(join(cliOut, 'vmpfc.npy')));
  expect(browser.shape).toEqual(node.shape);
  let maxDiff = 0;
  for (let i = 0; i < node.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(browser.data[i]! - node.data[i]!));
  expect(maxDiff).toBeLessThanOrEqual(1e-5);
  const digests = await pageDigests(page);
  for (const f of readdirSync(cliOut).filter((n) => n.endsWith('.npy'))) {
    const want = createHash('sha256').update(readFileSync(join(cliOut, f))).digest('hex');
    expect(digests[f], `${f}: browser vs CLI`).toBe(want);
  }
  // trials.tsv: byte for byte (p_ll = σ(β·sv_diff) uses src/core/math/fdlibm.ts, not Math.exp,
  // whose last bit differs between the V8 of Chromium and the V8 of Node).
  const pageTsv = (await linkBytes(page, 'download-trials.tsv')).toString('utf8');
  expect(pageTsv).toBe(readFileSync(join(cliOut, 'trials.tsv'), 'utf8'));
  // The masks are gzip (different compressors): compare their NIfTI bytes.
  for (const r of DEFAULT_ROIS) {
    const name = `${r}_mask.nii.gz`;
    const fromPage = Buffer.from(await page.evaluate(async (n) => {
      const a = document.querySelector<HTMLAnchorElement>(`[data-testid="downloads"] a[download="${n}"]`)!;
      return Array.from(new Uint8Array(await (await fetch(a.href)).arrayBuffer()));
    }, name));
    expect(gunzipSync(fromPage).equals(gunzipSync(readFileSync(join(cliOut, name)))), name).toBe(true);
  }
  const long = await longTasksBetween(page, t0, t1);
  expect(long.filter((t) => t.duration > 100)).toEqual([]);
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('a big run (≥ 64 MB of gzip: inflated on a worker of its own) gives the same patterns as `ddmvpa extract`', async ({ page }) => {
  test.setTimeout(240_000);
  // The demo run's header and grid with float64 noise for data: 176 MB raw, ~165 MB gzip, above
  // OFF_THREAD_INFLATE_MIN_BYTES, so the page inflates it on the inflate worker
  // (src/platform/browser/worker-inflate.ts) while the extract worker projects.
  const big = join(tmp, 'big');
  mkdirSync(big, { recursive: true });
  const head = gunzipSync(readFileSync(join(demo, FILES.bold))).subarray(0, 352);
  const hdr = Buffer.from(head);
  hdr.writeInt16LE(64, 70); // datatype FLOAT64
  hdr.writeInt16LE(64, 72); // bitpix
  hdr.writeFloatLE(1, 112); // scl_slope
  hdr.writeFloatLE(0, 116); // scl_inter
  const boldPath = join(big, 'sub-01_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz');
  const gz = createGzip({ level: 1 });
  const done = pipeline(gz, createWriteStream(boldPath));
  gz.write(hdr);
  let x = 88172645;
  for (let v = 0; v < 326; v++) {
    const vol = new Float64Array(44 * 48 * 32);
    for (let i = 0; i < vol.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; vol[i] = 1000 + (x >>> 0) / 2 ** 22; }
    gz.write(Buffer.from(vol.buffer));
  }
  gz.end();
  await done;
  expect(statSync(boldPath).size).toBeGreaterThan(64 << 20);
  const others = [FILES.mask, FILES.confounds, FILES.events, FILES.json].map((f) => join(demo, f));
  const cliBig = join(tmp, 'cli-big');
  cli(['extract', '--bold', boldPath, '--events', others[2]!, '--confounds', others[1]!, '--mask', others[0]!, '--bold-json', others[3]!, '--estimator', 'lss', '--roi', ...DEFAULT_ROIS, '--out', cliBig]);

  const w = await watch(page);
  await openPage(page);
  await page.getByTestId('pick-files').setInputFiles([boldPath, ...others]);
  await expect(page.getByTestId('bold-facts')).toHaveAttribute('data-volumes', '326', { timeout: 60_000 });
  await runAndWait(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120');
  const digests = await pageDigests(page);
  for (const f of readdirSync(cliBig).filter((n) => n.endsWith('.npy'))) {
    const want = createHash('sha256').update(readFileSync(join(cliBig, f))).digest('hex');
    expect(digests[f], `${f}: browser vs CLI`).toBe(want);
  }
  // The inflate worker (nested in the extract worker, so only the browser's target list shows it) did the gunzip.
  const cdp = await page.context().browser()!.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  expect(targetInfos.filter((t) => t.type === 'worker').map((t) => t.title)).toContain('ddmvpa-inflate');
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('folder picker and drag-and-drop: files matched by their BIDS names, problems listed', async ({ page }) => {
  const w = await watch(page);
  await openPage(page);
  // A whole BIDS + fMRIPrep folder: the derivative BOLD, mask and confounds, the raw events and
  // the inherited task JSON are matched to one run.
  await page.getByTestId('pick-folder').setInputFiles(demo);
  const card = page.getByTestId('run-card');
  await expect(card).toHaveAttribute('data-run', 'sub-01_task-discountFix');
  await expect(card).toContainText('desc-preproc_bold.nii.gz');
  await expect(card).toContainText(`${SUB}_events.tsv`);
  await expect(card).toContainText('desc-confounds_timeseries.tsv');
  await expect(card).toContainText('desc-brain_mask.nii.gz');
  await expect(page.getByTestId('bold-facts')).toHaveAttribute('data-dims', '44x48x32x326', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Run extraction' })).toBeEnabled();
  await page.getByTestId('clear-files').click();
  await expect(card).toHaveCount(0);

  // Drag-and-drop: an events file alone is a coded problem; dropping a BOLD next to it adds to
  // the selection and makes a run (here with a BOLD that is not a NIfTI: coded, file named).
  const events = readFileSync(join(demo, FILES.events), 'utf8');
  const drop = async (name: string, text: string) => {
    const dt = await page.evaluateHandle(([n, t]) => {
      const d = new DataTransfer();
      d.items.add(new File([t], n));
      return d;
    }, [name, text] as const);
    await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: dt });
  };
  await drop(`${SUB}_events.tsv`, events);
  const problems = page.getByTestId('match-problems');
  await expect(problems.locator('li.error')).toHaveAttribute('data-code', /NO_BOLD$/);
  await expect(problems).toContainText('Fix:');
  await drop(`${SUB}_bold.nii.gz`, 'plain text, not an image\n'.repeat(40));
  await expect(page.getByTestId('clear-files')).toHaveText('Clear 2 files');
  await expect(page.getByTestId('run-problems').locator('li.error').first()).toHaveAttribute('data-code', 'NIFTI_BAD_MAGIC', { timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Run extraction' })).toBeDisabled();
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('bad files: coded errors that name the file and the fix; the page keeps working', async ({ page }) => {
  const w = await watch(page);
  await openPage(page);

  // 1. A text file named like a BOLD run: the header check fails before any run.
  const fake = join(tmp, 'fake');
  mkdirSync(fake, { recursive: true });
  writeFileSync(join(fake, `${SUB}_bold.nii.gz`), 'this is not an image, just text renamed to .nii.gz\n'.repeat(20));
  writeFileSync(join(fake, `${SUB}_events.tsv`), readFileSync(join(demo, FILES.events)));
  await page.getByTestId('pick-files').setInputFiles([join(fake, `${SUB}_bold.nii.gz`), join(fake, `${SUB}_events.tsv`)]);
  const problems = page.getByTestId('run-problems');
  await expect(problems).toBeVisible({ timeout: 30_000 });
  await expect(problems.locator('li.error').first()).toHaveAttribute('data-code', /^NIFTI_/);
  await expect(problems.getByTestId('problem-file').first()).toHaveText(`${SUB}_bold.nii.gz`);
  await expect(problems).toContainText('Fix:');
  await expect(page.getByRole('button', { name: 'Run extraction' })).toBeDisabled();
  await page.screenshot({ path: join(SCREENS, 'extract-bad-header.png') });

  // 2. A truncated .nii.gz: the header reads, the stream pass stops with a coded error.
  await page.getByTestId('clear-files').click();
  const bad = join(tmp, 'truncated');
  mkdirSync(bad, { recursive: true });
  const gz = readFileSync(join(demo, FILES.bold));
  writeFileSync(join(bad, `${SUB}_bold.nii.gz`), gz.subarray(0, Math.floor(gz.length * 0.6)));
  writeFileSync(join(bad, `${SUB}_events.tsv`), readFileSync(join(demo, FILES.events)));
  await page.getByTestId('pick-files').setInputFiles([join(bad, `${SUB}_bold.nii.gz`), join(bad, `${SUB}_events.tsv`)]);
  await expect(page.getByTestId('bold-facts')).toHaveAttribute('data-volumes', '326', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Run extraction' }).click();
  const err = page.getByTestId('run-error');
  await expect(err).toBeVisible({ timeout: 60_000 });
  await expect(err).toHaveAttribute('data-code', /^NIFTI_(TRUNCATED|CORRUPT)$/);
  await expect(err.getByTestId('problem-file')).toHaveText(`${SUB}_bold.nii.gz`);
  await expect(err).toContainText('Fix:');
  await expect(page.getByTestId('progress')).toHaveAttribute('data-phase', 'failed');
  await page.screenshot({ path: join(SCREENS, 'extract-error.png') });

  // 3. Still working: the demo subject runs to the end.
  await page.getByTestId('use-demo').click();
  await expect(page.getByTestId('demo-note')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await runAndWait(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120');
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
});

test('a long run can be cancelled, and the next run completes', async ({ page }) => {
  test.setTimeout(240_000);
  // A long run: the small demo's volumes repeated 12 times (3912 volumes, ~240 MB gzip), no confounds.
  const long = join(tmp, 'long');
  mkdirSync(long, { recursive: true });
  const boldPath = join(long, `${SUB}_bold.nii.gz`);
  await repeatVolumes(join(demo, FILES.bold), boldPath, 12);
  writeFileSync(join(long, `${SUB}_events.tsv`), readFileSync(join(demo, FILES.events)));

  const w = await watch(page);
  await openPage(page);
  await page.getByTestId('pick-files').setInputFiles([boldPath, join(long, `${SUB}_events.tsv`)]);
  await expect(page.getByTestId('bold-facts')).toHaveAttribute('data-volumes', String(326 * 12), { timeout: 30_000 });
  await page.getByTestId('roi-brain').uncheck();
  const t0 = await now(page);
  await page.getByRole('button', { name: 'Run extraction' }).click();
  const progress = page.getByTestId('progress');
  await expect(progress).toHaveAttribute('data-phase', 'reading', { timeout: 30_000 });
  await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('progress-eta')).toContainText('about', { timeout: 10_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-notice')).toContainText('Cancelled', { timeout: 30_000 });
  await expect(progress).toHaveAttribute('data-phase', 'cancelled');
  await expect(page.getByTestId('progress-eta')).toHaveText('—');
  const t1 = await now(page);
  expect(Number(await progress.getAttribute('data-done'))).toBeLessThan(326 * 12);
  await expect(page.getByTestId('results')).toHaveCount(0);
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  const lt = await longTasksBetween(page, t0, t1);
  expect(lt.filter((t) => t.duration > 100)).toEqual([]);

  // The same worker runs the next extraction to the end.
  await page.getByTestId('use-demo').click();
  await expect(page.getByTestId('demo-note')).toBeVisible({ timeout: 60_000 });
  await runAndWait(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120');
  expect(w.foreign).toEqual([]);
  expect(w.errors).toEqual([]);
});

/** Writes a .nii.gz whose data are the input's volumes repeated `times` times (header dim[4] scaled). */
async function repeatVolumes(src: string, dst: string, times: number) {
  const raw = gunzipSync(readFileSync(src));
  const voxOffset = Math.round(raw.readFloatLE(108));
  const header = Buffer.from(raw.subarray(0, voxOffset));
  const nt = header.readInt16LE(48);
  header.writeInt16LE(nt * times, 48);
  const data = raw.subarray(voxOffset);
  const gz = createGzip({ level: 1 });
  const out = createWriteStream(dst);
  const done = pipeline(gz, out);
  gz.write(header);
  for (let k = 0; k < times; k++) {
    if (!gz.write(data)) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
}

test.describe('no service worker', () => {
  // Service workers blocked (as in some private windows or by policy) and no isolation headers:
  // isolation is impossible, so the page runs single-threaded and says so.
  test.use({ serviceWorkers: 'block' });
test('without cross-origin isolation the extraction still runs (the worker does not share its memory)', async ({ page }) => {
  await page.route('**/*', async (route) => {
    const res = await route.fetch();
    const headers = { ...res.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response: res, headers });
  });
  await openPage(page);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
  await page.getByTestId('use-demo').click();
  await expect(page.getByTestId('demo-note')).toBeVisible({ timeout: 60_000 });
  await runAndWait(page);
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120');
  const vm = npyFloats(await linkBytes(page, 'download-vmpfc.npy'));
  expect(vm.shape[0]).toBe(120);
});
});
