// Issue 5, results: a results.json written by `ddmvpa run` opened in the viewer (tables, plots,
// exports equal to the CLI's TSVs); the page's own analysis of the demo equals the CLI's on the
// same data, config and seed; cancel mid-run, run again: cached stages are reused.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = process.cwd();
const SCREENS = join(ROOT, 'tests/e2e/screens');
let tmp: string;

function cli(args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, 'bin/ddmvpa.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test.beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ddmvpa-e2e-results-'));
  // The teaching demo's defaults: 2 subjects, default effects, seed 1; its analysis settings.
  cli(['demo', '--out', join(tmp, 'demo'), '--size', 'small', '--subjects', '2', '--seed', '1']);
  cli(['run', '--bids', join(tmp, 'demo'), '--out', join(tmp, 'out'), '--roi', 'vmpfc', 'nacc_l', 'nacc_r', 'pcc', '--target', 'choice,sv_diff',
    '--permutations', '100', '--seed', '0', '--no-cache']);
});
test.afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});


async function linkText(page: Page, testid: string): Promise<string> {
  const href = await page.getByTestId(testid).first().getAttribute('href');
  expect(href).toMatch(/^blob:/);
  return page.evaluate(async (u) => (await fetch(u!)).text(), href);
}

test('viewer: a results.json from `ddmvpa run` shows behaviour, decoding and group, and exports what the CLI wrote', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/');
  // Keyboard: the tabs are a tablist (arrow keys).
  await page.getByTestId('tab-extract').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-viewer')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('tab-viewer')).toBeFocused();
  expect(new URL(page.url()).hash).toBe('#viewer');
  await page.screenshot({ path: join(SCREENS, 'viewer-empty.png') });

  // Not a results file: a coded error naming it.
  await page.getByTestId('results-file').setInputFiles(join(tmp, 'out', 'config.json'));
  await expect(page.getByTestId('results-error')).toHaveAttribute('data-code', 'RESULTS_NOT_RESULTS');
  await expect(page.getByTestId('results-error')).toContainText('config.json');
  await page.getByTestId('results-file').setInputFiles({ name: 'results.json', mimeType: 'application/json', buffer: Buffer.from('{"schema_version": 99}') });
  await expect(page.getByTestId('results-error')).toHaveAttribute('data-code', 'RESULTS_UNSUPPORTED_VERSION');

  const file = join(tmp, 'out', 'results.json');
  const cliResults = JSON.parse(readFileSync(file, 'utf8'));
  await page.getByTestId('results-file').setInputFiles(file);
  const view = page.getByTestId('viewer-loaded');
  await expect(view.getByTestId('results-view')).toHaveAttribute('data-subjects', '2');
  await expect(page.getByTestId('results-error')).toHaveCount(0);
  await expect(view.getByTestId('rv-source')).toHaveText('results.json');
  // Behaviour: each subject's k, as in the file.
  for (const s of cliResults.subjects) {
    await expect(view.getByTestId('rv-behavior').locator(`tr[data-subject="${s.id}"]`).getByTestId('rv-k')).toHaveText(s.behavior.k.toPrecision(3));
  }
  // Group: mean and q per ROI × target.
  await expect(view.getByTestId('rv-group').locator('tbody tr[data-roi]')).toHaveCount(cliResults.group.length);
  for (const g of cliResults.group) {
    const row = view.getByTestId('rv-group').locator(`tr[data-roi="${g.roi}"][data-target="${g.target}"]`);
    await expect(row.getByTestId('rv-group-mean')).toHaveText(g.mean.toFixed(3));
  }
  // Plots with text alternatives.
  for (const id of ['plot-discount', 'plot-logk', 'plot-scores-choice', 'plot-scores-sv_diff']) {
    await expect(view.getByTestId(id).locator('svg[role="img"] > title')).toHaveCount(1);
  }
  // Exports: the TSV tables equal the CLI's files, results.json is the file itself.
  for (const t of ['behavior.tsv', 'decoding.tsv', 'group.tsv', 'errors.tsv']) {
    expect(await linkText(page, `rv-download-${t}`), t).toBe(readFileSync(join(tmp, 'out', t), 'utf8'));
  }
  expect(await linkText(page, 'rv-download-results.json')).toBe(readFileSync(file, 'utf8'));
  // SVG and PNG of a plot.
  const [svg] = await Promise.all([page.waitForEvent('download'), view.getByTestId('export-svg-scores-choice').click()]);
  expect(svg.suggestedFilename()).toBe('scores-choice.svg');
  const svgText = readFileSync(await svg.path(), 'utf8');
  expect(svgText).toContain('<svg');
  expect(svgText).toContain('vmpfc');
  const [png] = await Promise.all([page.waitForEvent('download'), view.getByTestId('export-png-discount-curves').click()]);
  expect(png.suggestedFilename()).toBe('discount-curves.png');
  expect(readFileSync(await png.path()).subarray(1, 4).toString('latin1')).toBe('PNG');

  // The single-file HTML report: plots inline, tables, no script, nothing from elsewhere.
  await expect(view.getByTestId('geometry-panel')).toBeVisible(); // loaded lazily
  await expect(view.getByTestId('rv-nulls')).toBeVisible(); // rendered a task later
  const [rep] = await Promise.all([page.waitForEvent('download'), view.getByTestId('rv-report').click()]);
  expect(rep.suggestedFilename()).toBe('report.html');
  const html = readFileSync(await rep.path(), 'utf8');
  // Every plot of the view is in the report as inline SVG: discount curves and each subject's
  // choices, ln k, the scores per target, the null distributions, the RDM and the PCA scatter.
  const shown = await view.locator('svg').count();
  expect(shown).toBeGreaterThanOrEqual(8);
  expect(html.match(/<svg/g)?.length).toBe(shown);
  expect(html).toContain('vmpfc');
  expect(html).toContain(cliResults.group[0].mean.toFixed(3));
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  writeFileSync(join(tmp, 'report.html'), html);
  const reportPage = await page.context().newPage();
  await reportPage.setViewportSize({ width: 1366, height: 768 });
  await reportPage.goto(`file://${join(tmp, 'report.html')}`);
  await reportPage.screenshot({ path: join(SCREENS, 'report-html.png') });
  await reportPage.close();

  await page.screenshot({ path: join(SCREENS, 'viewer-behaviour.png') });
  await page.evaluate(() => document.getElementById('viewer-rv-grp')!.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'viewer-group.png') });
  expect(errors).toEqual([]);
});

test("the page's analysis of the demo equals the CLI's results.json (same data, config and seed)", async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/#demo');
  await page.getByTestId('eff-subjects').selectOption('2');
  await page.getByTestId('eff-perms').selectOption('100');
  await page.getByTestId('try-demo').click();
  await expect(page.getByTestId('demo-results')).toBeVisible({ timeout: 170_000 });
  const mine = JSON.parse(await linkText(page, 'rv-download-results.json'));
  const cli = JSON.parse(readFileSync(join(tmp, 'out', 'results.json'), 'utf8'));
  writeFileSync(join(tmp, 'page-results.json'), JSON.stringify(mine, null, 2));
  // Same config (apart from nothing) and the same numbers; provenance differs (host, timings, cache, gzip bytes of the inputs).
  expect(mine.provenance.config).toEqual(cli.provenance.config);
  expect(mine.provenance.config_hash).toBe(cli.provenance.config_hash);
  // Every number identical, the behaviour fit's β included (exp/log from src/core/math/fdlibm.ts,
  // not the engine's Math, whose last bit differs between Chromium and Node).
  expect(mine.subjects).toEqual(cli.subjects);
  expect(mine.group).toEqual(cli.group);
  expect(mine.errors).toEqual(cli.errors);
  for (const s of mine.subjects) for (const d of s.decoding) {
    const c = cli.subjects.find((x: { id: string }) => x.id === s.id).decoding.find((x: { roi: string; target: string }) => x.roi === d.roi && x.target === d.target);
    expect(d.score, `${s.id} ${d.roi} ${d.target}`).toBe(c.score);
    expect(d.p_value).toBe(c.p_value);
  }
});

test('cancel mid-run, run again: the stages already done come from the cache', async ({ page }) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/#demo');
  await page.getByTestId('eff-subjects').selectOption('4');
  await page.getByTestId('eff-perms').selectOption('200');
  await page.getByTestId('eff-tsnr').fill('80');
  await page.getByTestId('try-demo').click();
  // Cancel once the second subject is under way.
  await expect(page.getByTestId('pipeline-progress').locator('tr[data-subject="01"]')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await page.screenshot({ path: join(SCREENS, 'demo-running.png') });
  await expect(page.getByTestId('pp-eta')).not.toHaveText('—');
  await page.getByTestId('pp-cancel').click();
  await expect(page.getByTestId('demo-cancelled')).toBeVisible({ timeout: 30_000 });
  await page.getByTestId('try-demo').click();
  await expect(page.getByTestId('demo-done')).toBeVisible({ timeout: 170_000 });
  const text = (await page.getByTestId('demo-done').textContent())!;
  const hits = Number(/cache: (\d+) reused/.exec(text)![1]);
  expect(hits, text).toBeGreaterThan(5);
});
