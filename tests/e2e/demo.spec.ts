// Issue 5, teaching demo: effect-size and noise controls, a dataset generated in the worker
// (writeDemoDataset, same generator as `ddmvpa demo`), the full pipeline in the browser with
// progress, cancel and the IndexedDB cache, and the results viewer on its results.
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';

const SCREENS = join(process.cwd(), 'tests/e2e/screens');
import { ORIGIN } from './origin.ts';

async function openDemo(page: Page) {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.addInitScript(() => {
    const g = globalThis as unknown as { __longTasks: { start: number; duration: number }[] };
    g.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) g.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto('/#demo');
  await expect(page.getByRole('heading', { level: 2, name: /Teaching demo/ })).toBeVisible();
}

test('teaching demo: strong effects decode above chance in vmPFC, with progress, cache and text alternatives', async ({ page }) => {
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`${ORIGIN}/`) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await openDemo(page);
  await expect(page.getByTestId('tab-demo')).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: join(SCREENS, 'demo-before.png') });

  // Strong choice effect, little noise, 2 subjects; keyboard on the sliders.
  await page.getByTestId('eff-choice').focus();
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('out-choice')).toHaveText('1.5 %');
  await page.getByTestId('eff-tsnr').fill('100');
  await expect(page.getByTestId('out-tsnr')).toHaveText('100');
  await page.getByTestId('eff-subjects').selectOption('2');
  await page.getByTestId('eff-perms').selectOption('100');

  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('try-demo').click();
  await expect(page.getByTestId('demo-gen-progress')).toContainText('Simulating the BOLD runs');
  await page.screenshot({ path: join(SCREENS, 'demo-generating.png') });
  await expect(page.getByTestId('demo-generated')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('pipeline-progress')).toBeVisible();
  await expect(page.getByTestId('demo-results')).toBeVisible({ timeout: 170_000 });
  const t1 = await page.evaluate(() => performance.now());
  await expect(page.getByTestId('results-view')).toHaveAttribute('data-subjects', '2');
  // vmpfc × choice: group mean clearly above chance; the control ROI is not.
  const vm = page.getByTestId('demo-results').getByTestId('rv-group').locator('tr[data-roi="vmpfc"][data-target="choice"]');
  const mean = Number(await vm.getByTestId('rv-group-mean').textContent());
  expect(mean).toBeGreaterThan(0.6);
  const pcc = page.getByTestId('demo-results').getByTestId('rv-group').locator('tr[data-roi="pcc"][data-target="choice"]');
  expect(Number(await pcc.getByTestId('rv-group-mean').textContent())).toBeLessThan(mean);
  // Text alternatives: every plot has a title, and the numbers are in tables.
  for (const id of ['plot-discount', 'plot-logk', 'plot-scores-choice', 'plot-scores-sv_diff']) {
    await expect(page.getByTestId('demo-results').getByTestId(id).locator('svg title').first()).not.toBeEmpty();
  }
  await expect(page.getByTestId('demo-results').getByTestId('rv-behavior').locator('tbody tr')).toHaveCount(2);
  for (const p of await page.getByTestId('pipeline-progress').locator('tbody tr').all()) await expect(p).toHaveAttribute('data-state', 'done');
  const long = (await page.evaluate(() => (globalThis as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks))
    .filter((t) => t.start + t.duration >= t0 && t.start <= t1 && t.duration > 100);
  expect(long, 'main-thread long tasks during the run').toEqual([]);
  await expect(page.getByTestId('pp-stats')).toContainText(/kernels [\d.]+ (KB|MB)[\s\S]*cache \d+ of \d+ look-ups found, [1-9]\d* stored/);
  await page.screenshot({ path: join(SCREENS, 'demo-progress-done.png') });
  await page.getByTestId('demo-results').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById('demo-results-h')!.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'demo-results.png') });
  await page.evaluate(() => document.getElementById('demo-rv-grp')!.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: join(SCREENS, 'demo-results-decoding.png') });
  // Each decoding's null distribution, with its numbers as the text alternative.
  const nulls = page.getByTestId('rv-nulls');
  await nulls.scrollIntoViewIfNeeded();
  await expect(nulls.locator('svg g[data-roi="vmpfc"][data-target="choice"] rect')).toHaveCount(24);
  await nulls.locator('summary').click();
  await expect(nulls.getByTestId('rv-nulls-table').locator('tbody tr')).toHaveCount(await nulls.locator('svg g[data-roi]').count());
  await expect(nulls.getByTestId('rv-nulls-table').locator('tbody tr').first()).toContainText(/\d+\.\d{3}/);
  await page.screenshot({ path: join(SCREENS, 'demo-results-nulls.png') });

  // Same settings again: everything comes from the IndexedDB cache.
  await page.getByTestId('try-demo').click();
  await expect(page.getByTestId('demo-done')).toContainText(/cache: [1-9]\d* reused, 0 computed/, { timeout: 60_000 });
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
