// Issue 5, Setup: the one form over the config schema. The settings the form shows are the ones
// the run uses (results.json provenance.config); custom ROIs (a sphere by MNI coordinates, a
// dropped mask file) go through the page's own pipeline and give the same scores as `ddmvpa run`
// with the same ROIs; a bad custom ROI says why, inline. Results: each subject's choices against
// their fitted curve.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const ROOT = process.cwd();
const SCREENS = join(ROOT, 'tests/e2e/screens');
const SPHERE = 'dlx=sphere:-40,30,20,8';
const HAS_GEOMETRY = readFileSync(join(ROOT, 'src/core/pipeline/config.ts'), 'utf8').includes("path: 'geometry.enabled'");
let tmp: string;
let maskPath: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'bin/ddmvpa.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A mask on the demo grid: a left-hemisphere block of sub-01's brain mask (x < nx/2, middle thirds of y and z), as a plain .nii. */
function halfBrainMask(src: string, out: string): void {
  const b = Buffer.from(gunzipSync(readFileSync(src)));
  const nx = b.readInt16LE(42), ny = b.readInt16LE(44), nz = b.readInt16LE(46);
  const datatype = b.readInt16LE(70), bitpix = b.readInt16LE(72), offset = Math.round(b.readFloatLE(108));
  const bytes = bitpix / 8;
  const nonzero = (i: number) => (datatype === 16 ? b.readFloatLE(offset + i * 4) !== 0 : b.readUIntLE(offset + i * bytes, bytes) !== 0);
  const zero = (i: number) => (datatype === 16 ? b.writeFloatLE(0, offset + i * 4) : b.writeUIntLE(0, offset + i * bytes, bytes));
  let kept = 0;
  for (let z = 0; z < nz; z++) for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) {
    const i = x + nx * (y + ny * z);
    if (x >= nx / 2 || y < ny / 3 || y >= (2 * ny) / 3 || z < nz / 3 || z >= (2 * nz) / 3) zero(i);
    else if (nonzero(i)) kept++;
  }
  if (kept < 50) throw new Error(`the mask block has only ${kept} voxels`);
  writeFileSync(out, b);
}

test.beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-e2e-setup-'));
  cli(['demo', '--out', join(tmp, 'study'), '--size', 'small', '--subjects', '2', '--seed', '1']);
  maskPath = join(tmp, 'left_half.nii');
  halfBrainMask(join(tmp, 'study/derivatives/fmriprep/sub-01/func/sub-01_task-discountFix_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz'), maskPath);
  // The CLI with the settings the page will be given through its form (geometry off where the
  // schema has it: it is not what this test is about, and it would double the run time).
  cli(['run', ...(HAS_GEOMETRY ? ['--no-geometry'] : []), '--bids', join(tmp, 'study'), '--out', join(tmp, 'out'), '--roi', 'vmpfc', SPHERE, `half=${maskPath}`,
    '--target', 'choice', '--classifier', 'logreg', '--C', '0.5', '--cv', 'kfold:3', '--permutations', '20', '--seed', '3', '--no-cache']);
});
test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open(page: Page, path = '/') {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 2, name: 'Extract trial patterns' })).toBeVisible();
}

/** Drops a file from disk on an element (a real drop event with a DataTransfer). */
async function dropFile(page: Page, testid: string, path: string, name: string) {
  const b64 = readFileSync(path).toString('base64');
  await page.getByTestId(testid).evaluate((el, { b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name));
    for (const type of ['dragenter', 'dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64, name });
}

async function addSphere(page: Page, name: string, xyzr: (string | number)[]) {
  const form = page.getByTestId('custom-roi');
  if (!(await form.evaluate((d) => (d as HTMLDetailsElement).open))) await form.locator('summary').click();
  await page.getByTestId('custom-kind-sphere').check();
  await page.getByTestId('custom-name').fill(name);
  for (const [i, k] of ['x', 'y', 'z', 'r'].entries()) await page.getByTestId(`custom-${k}`).fill(String(xyzr[i]));
  await page.getByTestId('custom-add').click();
}

test('every field of the setup form round-trips through the share link; validation is inline; reset restores the defaults', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await open(page);
  // Patterns and ROIs.
  await page.getByTestId('roi-pcc').check();
  await page.getByTestId('roi-brain').uncheck();
  await addSphere(page, 'dlx', [-40, 30, 20, 8]);
  await expect(page.getByTestId('custom-added')).toContainText(SPHERE);
  await page.getByLabel('Trial estimator').selectOption('lsa');
  await page.getByLabel('Confound regressors').selectOption('motion24');
  // Decoding, validation and statistics.
  await page.getByTestId('target-sv_diff').uncheck();
  await page.getByTestId('target-sv_sum').check();
  await page.getByLabel('Classifier (choice)').selectOption('logreg');
  await page.getByLabel('C (svc / logreg)').fill('0.25');
  await page.getByLabel('α (ridge)').fill('10');
  await page.getByLabel('Class weights').selectOption('balanced');
  await page.getByLabel('Feature scaling').selectOption('train-fold');
  await page.getByLabel('Metric for choice').selectOption('roc_auc');
  await page.getByLabel('Metric for continuous targets').selectOption('pearson_r');
  await page.getByTestId('cfg-cv-mode').selectOption('blocked');
  await page.getByTestId('cfg-cv-k').fill('4');
  await page.getByTestId('cfg-cv-gap').fill('20');
  await page.keyboard.press('Tab'); // a box commits when it is left (change), as a user moves on
  await expect(page.getByTestId('cfg-cv-text')).toHaveText('blocked:4:20');
  await page.getByLabel('Label permutations').fill('250');
  await page.getByLabel('Group test').selectOption('wilcoxon');
  await page.getByLabel('Sign-flip permutations').fill('2000');
  await page.getByLabel('Random seed').fill('11');
  await page.getByText('Data selection, filtering and behaviour').click();
  await page.getByLabel('High-pass period (s)').fill('100');
  await page.getByLabel('Subjects').fill('01, 02');
  await page.keyboard.press('Tab');

  // Inline validation names the field; a bad value blocks the run and keeps the link at the last valid settings.
  const goodLink = await page.getByTestId('share-url').inputValue();
  await page.getByLabel('C (svc / logreg)').fill('0');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('cfg-decoding-C-error')).toContainText('decoding.C: 0 is not allowed; use a number > 0');
  await expect(page.getByLabel('C (svc / logreg)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('full-blocker')).toContainText('decoding.C');
  expect(await page.getByTestId('share-url').inputValue()).toBe(goodLink);
  await page.getByTestId('cfg-cv-mode').selectOption('kfold');
  await page.getByTestId('cfg-cv-k').fill('1');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('cfg-decoding-cv-error')).toContainText('decoding.cv');
  await page.getByTestId('cfg-cv-mode').selectOption('blocked');
  await page.getByTestId('cfg-cv-k').fill('4');
  await page.getByTestId('cfg-cv-gap').fill('20');
  await page.getByLabel('C (svc / logreg)').fill('0.25');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('cfg-decoding-C-error')).toHaveCount(0);
  await expect(page.getByTestId('full-blocker')).toHaveCount(0);

  const link = await page.getByTestId('share-url').inputValue();
  expect(page.url()).toBe(link);
  const u = new URL(link);
  const expected: Record<string, string[]> = {
    subjects: ['01,02'], roi: ['vmpfc', 'nacc_l', 'pcc', SPHERE], estimator: ['lsa'], preset: ['motion24'], 'high-pass': ['100'],
    target: ['choice,sv_sum'], classifier: ['logreg'], C: ['0.25'], alpha: ['10'], 'class-weight': ['balanced'], cv: ['blocked:4:20'],
    scaling: ['train-fold'], 'classification-metric': ['roc_auc'], 'regression-metric': ['pearson_r'], permutations: ['250'],
    'group-test': ['wilcoxon'], 'group-permutations': ['2000'], seed: ['11'],
  };
  for (const [k, v] of Object.entries(expected)) expect(u.searchParams.getAll(k), k).toEqual(v);
  expect([...new Set(u.searchParams.keys())].sort()).toEqual(Object.keys(expected).sort());

  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.evaluate(() => document.getElementById('full-h')!.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'setup-form.png') });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SCREENS, 'setup-rois.png') });

  // The link in a fresh browser context restores the whole form.
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await open(p2, `${u.pathname}${u.search}`);
  for (const r of ['vmpfc', 'nacc_l', 'pcc']) await expect(p2.getByTestId(`roi-${r}`)).toBeChecked();
  await expect(p2.getByTestId('roi-brain')).not.toBeChecked();
  await expect(p2.getByTestId('roi-custom')).toHaveAttribute('data-spec', SPHERE);
  await expect(p2.getByLabel('Trial estimator')).toHaveValue('lsa');
  await expect(p2.getByLabel('Confound regressors')).toHaveValue('motion24');
  await expect(p2.getByTestId('target-sv_sum')).toBeChecked();
  await expect(p2.getByTestId('target-sv_diff')).not.toBeChecked();
  await expect(p2.getByLabel('Classifier (choice)')).toHaveValue('logreg');
  await expect(p2.getByLabel('C (svc / logreg)')).toHaveValue('0.25');
  await expect(p2.getByLabel('α (ridge)')).toHaveValue('10');
  await expect(p2.getByLabel('Class weights')).toHaveValue('balanced');
  await expect(p2.getByLabel('Feature scaling')).toHaveValue('train-fold');
  await expect(p2.getByLabel('Metric for choice')).toHaveValue('roc_auc');
  await expect(p2.getByLabel('Metric for continuous targets')).toHaveValue('pearson_r');
  await expect(p2.getByTestId('cfg-cv-mode')).toHaveValue('blocked');
  await expect(p2.getByTestId('cfg-cv-k')).toHaveValue('4');
  await expect(p2.getByTestId('cfg-cv-gap')).toHaveValue('20');
  await expect(p2.getByLabel('Label permutations')).toHaveValue('250');
  await expect(p2.getByLabel('Group test')).toHaveValue('wilcoxon');
  await expect(p2.getByLabel('Sign-flip permutations')).toHaveValue('2000');
  await expect(p2.getByLabel('Random seed')).toHaveValue('11');
  await expect(p2.getByLabel('High-pass period (s)')).toHaveValue('100');
  await expect(p2.getByLabel('Subjects')).toHaveValue('01, 02');
  expect(new URL(await p2.getByTestId('share-url').inputValue()).search).toBe(u.search);
  // Reset: the defaults of a fresh page.
  await p2.getByTestId('reset-defaults').click();
  await expect(p2.getByLabel('Classifier (choice)')).toHaveValue('svc');
  await expect(p2.getByTestId('cfg-cv-mode')).toHaveValue('auto');
  await expect(p2.getByLabel('Label permutations')).toHaveValue('1000');
  await expect(p2.getByTestId('roi-custom')).toHaveCount(0);
  await expect(p2.getByTestId('roi-brain')).toBeChecked();
  await expect.poll(() => new URL(p2.url()).search).toBe('?roi=vmpfc&roi=nacc_l&roi=brain');
  await other.close();
  expect(errors).toEqual([]);
});

test('an invalid custom ROI says why, inline', async ({ page }) => {
  await open(page);
  await addSphere(page, 'far', [300, 0, 0, 8]);
  await expect(page.getByTestId('custom-error')).toContainText('X = 300 mm is outside the MNI152 brain');
  await page.getByTestId('custom-x').fill('');
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('X is empty');
  await page.getByTestId('custom-x').fill('10');
  await page.getByTestId('custom-r').fill('0');
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('Radius 0 mm');
  await page.getByTestId('custom-r').fill('6');
  await page.getByTestId('custom-name').fill('vmpfc');
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('An ROI named "vmpfc" is already chosen');
  await page.getByTestId('custom-name').fill('1bad');
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('must start with a letter');
  await expect(page.getByTestId('roi-custom')).toHaveCount(0);
  // Files: not NIfTI by name, NIfTI by name but not by content, 4D.
  await page.getByTestId('custom-kind-mask').check();
  await page.getByTestId('custom-name').fill('m');
  await page.getByTestId('custom-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('notes.txt is not a NIfTI file');
  await page.getByTestId('custom-file').setInputFiles({ name: 'fake.nii.gz', mimeType: 'application/gzip', buffer: Buffer.from('not gzip at all, just text') });
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('fake.nii.gz');
  const bold = join(tmp, 'study/derivatives/fmriprep/sub-01/func/sub-01_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz');
  await page.getByTestId('custom-file').setInputFiles(bold);
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('is a 4D image');
  await page.getByTestId('custom-kind-atlas').check();
  await page.getByTestId('custom-file').setInputFiles(maskPath);
  await page.getByTestId('custom-labels').fill('1,2');
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-error')).toContainText('give the integer label values joined by +');
  await expect(page.getByTestId('roi-custom')).toHaveCount(0);
  await page.getByTestId('custom-error').evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.screenshot({ path: join(SCREENS, 'setup-custom-roi-error.png') });
});

test('the run uses the form: model, CV, permutations and custom ROIs (sphere, dropped mask) reach results.json and equal ddmvpa run', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await open(page);
  await page.getByTestId('pick-folder').setInputFiles(join(tmp, 'study'));
  await expect(page.getByTestId('full-plan')).toContainText('2 subjects found');
  await page.getByTestId('roi-nacc_l').uncheck();
  await page.getByTestId('roi-brain').uncheck();
  await addSphere(page, 'dlx', [-40, 30, 20, 8]);
  await page.getByTestId('custom-kind-mask').check();
  await page.getByTestId('custom-name').fill('half');
  await dropFile(page, 'custom-drop', maskPath, 'left_half.nii');
  await expect(page.getByTestId('custom-file-name')).toHaveText('left_half.nii');
  await page.getByTestId('custom-add').click();
  await expect(page.getByTestId('custom-added')).toContainText('half=left_half.nii');
  await expect(page.getByTestId('roi-custom').filter({ hasText: 'half' })).toContainText('not in links');
  // ROI files stay out of the link (the sphere is in it), and the page says so.
  const link = new URL(await page.getByTestId('share-url').inputValue());
  expect(link.searchParams.getAll('roi')).toEqual(['vmpfc', SPHERE]);
  await expect(page.getByTestId('share-link-note')).toContainText('half=left_half.nii');
  await page.getByTestId('target-sv_diff').uncheck();
  await page.getByLabel('Classifier (choice)').selectOption('logreg');
  await page.getByLabel('C (svc / logreg)').fill('0.5');
  await page.getByTestId('cfg-cv-mode').selectOption('kfold');
  await page.getByTestId('cfg-cv-k').fill('3');
  await page.getByLabel('Label permutations').fill('20');
  await page.getByLabel('Random seed').fill('3');
  await page.keyboard.press('Tab');
  if (HAS_GEOMETRY) await page.getByTestId('cfg-geometry-enabled').uncheck();

  // The single-run extraction takes the custom ROIs too.
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-done')).toContainText('3 regions', { timeout: 120_000 });

  await page.getByTestId('full-run').click();
  await expect(page.getByTestId('full-done')).toBeVisible({ timeout: 170_000 });
  const view = page.getByTestId('full-analysis');
  const href = await view.getByTestId('rv-download-results.json').getAttribute('href');
  const mine = JSON.parse(await page.evaluate(async (u) => (await fetch(u!)).text(), href));
  const c = mine.provenance.config;
  expect(c.decoding.model.classification).toBe('logreg');
  expect(c.decoding.C).toBe(0.5);
  expect(c.decoding.cv).toBe('kfold:3');
  expect(c.decoding.permutations).toBe(20);
  expect(c.decoding.targets).toEqual(['choice']);
  expect(c.seed).toBe(3);
  if (HAS_GEOMETRY) expect(c.geometry.enabled).toBe(false);
  expect(c.rois).toEqual(['vmpfc', SPHERE, 'half=left_half.nii']);
  expect(mine.errors).toEqual([]);
  const cliResults = JSON.parse(readFileSync(join(tmp, 'out', 'results.json'), 'utf8'));
  for (const s of mine.subjects) {
    const other = cliResults.subjects.find((x: { id: string }) => x.id === s.id);
    expect(s.decoding.map((d: { roi: string }) => d.roi).sort()).toEqual(['dlx', 'half', 'vmpfc']);
    for (const d of s.decoding) {
      expect(d.model).toBe('logreg');
      expect(d.cv).toBe('kfold:3');
      expect(d.n_permutations).toBe(20);
      const e = other.decoding.find((x: { roi: string; target: string }) => x.roi === d.roi && x.target === d.target);
      expect(d.n_features, `${s.id} ${d.roi}`).toBe(e.n_features);
      expect(d.score, `${s.id} ${d.roi}`).toBe(e.score);
      expect(d.p_value).toBe(e.p_value);
    }
  }
  expect(errors).toEqual([]);
});

test("results: each subject's choices against their fitted curve (per-trial data), with a table; older files show the overview only", async ({ page }) => {
  // The CLI's results.json with subjects[].trials as the results contract defines them, from the events files.
  const results = JSON.parse(readFileSync(join(tmp, 'out', 'results.json'), 'utf8'));
  const events = (id: string) => readFileSync(join(tmp, `study/sub-${id}/func/sub-${id}_task-discountFix_events.tsv`), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  const plain = structuredClone(results);
  for (const s of results.subjects) {
    if (s.trials) continue; // a pipeline that writes them already
    const [head, ...rows] = events(s.id);
    const col = (n: string) => rows.map((r) => r[head!.indexOf(n)]!);
    s.trials = {
      run: rows.map(() => 1), onset: col('onset').map(Number), delay: col('later_delay').map(Number),
      ss_amount: col('small_amount').map(Number), ll_amount: col('large_amount').map(Number),
      choice: col('choice').map((c) => (c === 'larger_later' ? 1 : c === 'smaller_sooner' ? 0 : null)), sv_diff: rows.map(() => null),
    };
  }
  for (const s of plain.subjects) delete s.trials;
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/#viewer');
  await page.getByTestId('results-file').setInputFiles({ name: 'results.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(results)) });
  const view = page.getByTestId('viewer-loaded');
  const plot = view.getByTestId('plot-choices');
  await expect(plot).toHaveAttribute('data-subject', results.subjects[0].id);
  await expect(plot).toHaveAttribute('data-points', String(results.subjects[0].trials.delay.length));
  await expect(plot.locator('svg[role="img"] > title')).toContainText('larger-later');
  await expect(plot.getByTestId('choices-curve')).toHaveCount(1);
  await expect(plot.getByTestId('choices-agree')).toContainText('fall on the side the fitted curve predicts');
  // The subject selector (keyboard) switches the plot; the table is its text alternative.
  await view.getByTestId('choices-subject').focus();
  await view.getByTestId('choices-subject').selectOption(results.subjects[1].id);
  await expect(plot).toHaveAttribute('data-subject', results.subjects[1].id);
  await plot.locator('summary').click();
  await expect(plot.getByTestId('choices-table').locator('tbody tr')).toHaveCount(results.subjects[1].trials.delay.length);
  await plot.locator('summary').click();
  await expect(view.getByTestId('plot-discount')).toBeVisible();
  await plot.scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById('viewer-rv-beh')?.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'discount-choices.png') });
  // A results.json without trials: the overview only.
  await page.getByTestId('results-file').setInputFiles({ name: 'results.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(plain)) });
  await expect(view.getByTestId('plot-choices')).toHaveCount(0);
  await expect(view.getByTestId('plot-discount')).toBeVisible();
});
