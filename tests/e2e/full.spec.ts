// Issue 5, the full analysis on dropped data: a 3-subject demo dataset picked as a folder (the
// real file-input path), one subject's BOLD corrupt; settings from a share link (200
// permutations). The corrupt subject shows its error, the others complete, and their numbers
// equal `ddmvpa run` on the same folder, config and seed.
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();
const SCREENS = join(ROOT, 'tests/e2e/screens');
let tmp: string;
const BAD = 'derivatives/fmriprep/sub-03/func/sub-03_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz';

function cli(args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'bin/ddmvpa.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test.beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-e2e-full-'));
  cli(['demo', '--out', join(tmp, 'study'), '--size', 'small', '--subjects', '3']);
  // Truncate sub-03's BOLD: a gzip stream that ends early.
  const bad = join(tmp, 'study', BAD);
  writeFileSync(bad, readFileSync(bad).subarray(0, 4000));
  try {
    cli(['run', '--bids', join(tmp, 'study'), '--out', join(tmp, 'out'), '--roi', 'vmpfc', 'pcc', '--permutations', '200', '--geometry-permutations', '100', '--no-cache']);
  } catch { /* exit code 1 or 2 when a subject failed; results.json is written */ }
});
test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('full analysis of a dropped folder: a corrupt subject fails alone, the others equal the CLI', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/?roi=vmpfc&roi=pcc&permutations=200&geometry-permutations=100&preset=motion6%2Bwm%2Bcsf');
  await page.getByTestId('pick-folder').setInputFiles(join(tmp, 'study'));
  await expect(page.getByTestId('full-plan')).toContainText('3 subjects found');
  await page.getByTestId('full-run').click();
  await expect(page.getByTestId('full-done')).toBeVisible({ timeout: 170_000 });
  const view = page.getByTestId('full-analysis');
  await expect(view.getByTestId('rv-errors').locator('li').first()).toContainText('sub-03');
  await expect(view.getByTestId('rv-errors')).toContainText('sub-03_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz');
  await expect(page.getByTestId('pipeline-progress').locator('tr[data-subject="01"]')).toHaveAttribute('data-state', 'done');

  const href = await view.getByTestId('rv-download-results.json').getAttribute('href');
  const mine = JSON.parse(await page.evaluate(async (u) => (await fetch(u!)).text(), href));
  const cli = JSON.parse(readFileSync(join(tmp, 'out', 'results.json'), 'utf8'));
  expect(mine.provenance.config_hash).toBe(cli.provenance.config_hash);
  expect(mine.subjects.map((s: { id: string }) => s.id)).toEqual(cli.subjects.map((s: { id: string }) => s.id));
  expect(mine.errors.map((e: { subject: string; code: string }) => [e.subject, e.code])).toEqual(cli.errors.map((e: { subject: string; code: string }) => [e.subject, e.code]));
  for (const s of mine.subjects) {
    const c = cli.subjects.find((x: { id: string }) => x.id === s.id);
    expect(s.decoding.length, s.id).toBe(c.decoding.length);
    for (const d of s.decoding) {
      const e = c.decoding.find((x: { roi: string; target: string }) => x.roi === d.roi && x.target === d.target);
      expect(d.score, `${s.id} ${d.roi} ${d.target}`).toBe(e.score);
      expect(d.p_value).toBe(e.p_value);
      expect(d.n_permutations).toBe(200);
    }
    // results.json v2: the trial table and the geometry rows are the CLI's, number for number.
    expect(s.trials, s.id).toEqual(c.trials);
    expect(s.geometry, s.id).toEqual(c.geometry);
    expect(s.geometry.map((g: { roi: string }) => g.roi)).toEqual(s.id === '03' ? [] : ['vmpfc', 'pcc']);
  }
  expect(mine.schema_version).toBe(2);
  for (const g of mine.group) {
    const c = cli.group.find((x: { roi: string; target: string }) => x.roi === g.roi && x.target === g.target);
    expect(g.mean).toBeCloseTo(c.mean, 12);
    expect(g.n).toBe(2);
  }
  await page.evaluate(() => document.getElementById('full-h')!.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'full-analysis.png') });
  expect(errors).toEqual([]);
});
