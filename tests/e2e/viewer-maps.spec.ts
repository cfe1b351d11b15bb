// Issue 5 results item 4 / issue 7 (app side): a results.json v2 with searchlight maps and
// geometry, opened in the viewer with its .nii.gz maps: the brain viewer draws the template, the
// ROIs and the map (pixels sampled), the threshold changes what is drawn, the crosshair reports MNI
// mm and the map value, downloads are the map bytes; the geometry plots and table show.
// Fixture: tests/e2e/fixtures/viewer/, made by `npx tsx scripts/make-viewer-fixture.ts`.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = process.cwd();
const SCREENS = join(ROOT, 'tests/e2e/screens');
const FIXTURE = join(ROOT, 'tests/e2e/fixtures/viewer');
const RESULTS = join(FIXTURE, 'results.json');
const MAPS = readdirSync(join(FIXTURE, 'searchlight')).map((f) => join(FIXTURE, 'searchlight', f));
const results = JSON.parse(readFileSync(RESULTS, 'utf8'));

/** Pixel counts of an element's screenshot: not white, and clearly coloured (not grey). */
async function pixels(page: Page, el: Locator): Promise<{ nonWhite: number; coloured: number; total: number }> {
  const png = await el.screenshot();
  return page.evaluate(async (bytes) => {
    const img = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    const c = new OffscreenCanvas(img.width, img.height);
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, img.width, img.height).data;
    let nonWhite = 0, coloured = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i]!, g = d[i + 1]!, b = d[i + 2]!;
      if (r < 240 || g < 240 || b < 240) nonWhite++;
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) coloured++;
    }
    return { nonWhite, coloured, total: img.width * img.height };
  }, [...png]);
}

async function openFixture(page: Page, files: string[]) {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto('/#viewer');
  await page.getByTestId('results-file').setInputFiles(files);
  await expect(page.getByTestId('viewer-loaded')).toBeVisible();
}

test('brain viewer: template, ROIs and a thresholded map; crosshair in MNI mm; map downloads are the map bytes', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openFixture(page, [RESULTS, ...MAPS]);
  const panel = page.getByTestId('maps-panel');
  const viewer = panel.getByTestId('brain-viewer');
  await expect(viewer).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  const canvas = viewer.getByTestId('brain-canvas');

  // The group t map is shown first, at t ≥ 3.
  const group = results.searchlight.group[0];
  await expect(panel.getByTestId('map-select')).toHaveValue(group.file);
  await expect(panel.getByTestId('threshold-number')).toHaveValue('3');

  // Drawn: the template fills a good part of the canvas; the ROIs add colour.
  await expect.poll(async () => (await pixels(page, canvas)).nonWhite / (await pixels(page, canvas)).total, { timeout: 20_000 }).toBeGreaterThan(0.2);
  const withRois = await pixels(page, canvas);
  await panel.getByTestId('show-rois').uncheck();
  await expect.poll(async () => (await pixels(page, canvas)).coloured, { timeout: 10_000 }).toBeLessThan(withRois.coloured);

  // The threshold changes what is drawn (ROIs hidden: the colour is the map's, plus the crosshair).
  const number = panel.getByTestId('threshold-number');
  await number.fill('0');
  await number.press('Enter');
  await expect(panel.getByTestId('threshold-count')).toContainText(' voxels at or above');
  const countLow = Number((await panel.getByTestId('threshold-count').textContent())!.split(' ')[0]);
  let low = 0;
  await expect.poll(async () => (low = (await pixels(page, canvas)).coloured), { timeout: 10_000 }).toBeGreaterThan(withRois.coloured * 0.5);
  const high = Number((group.peak.t * 0.8).toFixed(2));
  await number.fill(String(high));
  await number.press('Enter');
  const countHigh = Number((await panel.getByTestId('threshold-count').textContent())!.split(' ')[0]);
  expect(countHigh).toBeGreaterThan(0);
  expect(countHigh).toBeLessThan(countLow);
  await expect.poll(async () => (await pixels(page, canvas)).coloured, { timeout: 10_000 }).toBeLessThan(low * 0.5);
  // The slider shows the same threshold (to its step) and moves it from the keyboard.
  const slider = panel.getByTestId('threshold-slider');
  const step = Number(await slider.getAttribute('step'));
  expect(Math.abs(Number(await slider.inputValue()) - high)).toBeLessThanOrEqual(step);
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => Number(await number.inputValue())).toBeLessThan(high);
  const moved = Number(await number.inputValue()) / step;
  expect(Math.abs(moved - Math.round(moved))).toBeLessThan(1e-6);

  // Crosshair: "go to peak" puts it at the peak's MNI mm, where the value is the peak t.
  await panel.getByTestId('go-peak').click();
  const [px, py, pz] = group.peak.mm as number[];
  await expect(viewer.getByTestId('brain-mm')).toHaveText(`x ${px} · y ${py} · z ${pz} mm (MNI)`);
  // results.json keeps 4 significant digits of the peak; the viewer reads the map itself.
  const shownValue = async (unit: string) => {
    const t = (await viewer.getByTestId('brain-value').textContent())!;
    expect(t.startsWith(`${unit}: `), t).toBe(true);
    return Number(t.slice(unit.length + 2));
  };
  await expect.poll(async () => Math.abs((await shownValue(`t (df ${group.df})`)) - group.peak.t)).toBeLessThanOrEqual(Math.abs(group.peak.t) * 5e-4);
  // Keyboard: arrow keys move the crosshair by one template voxel (2 mm, onto voxel centres).
  const mmNow = async () => ((await viewer.getByTestId('brain-mm').textContent())!.match(/-?[\d.]+/g) ?? []).map(Number);
  await viewer.getByRole('application').focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await mmNow())[0]! - px).toBeGreaterThan(0.9);
  let [x1, y1, z1] = await mmNow();
  expect(x1! - px).toBeLessThanOrEqual(3);
  expect(Math.abs(y1! - py)).toBeLessThanOrEqual(1);
  expect(Math.abs(z1! - pz)).toBeLessThanOrEqual(1);
  await page.keyboard.press('PageDown');
  await expect.poll(async () => (await mmNow())[2]).toBe(z1! - 2);
  [x1, y1] = await mmNow();
  expect([x1, y1]).toEqual((await mmNow()).slice(0, 2));

  // ROIs back on, a subject's score map at chance: the screenshot of the viewer.
  await panel.getByTestId('show-rois').check();
  const sub = results.searchlight.maps[0];
  await panel.getByTestId('map-select').selectOption(sub.file);
  await expect(panel.getByTestId('threshold-number')).toHaveValue(String(results.searchlight.chance));
  await expect(panel.getByTestId('brain-value')).toContainText('balanced accuracy');
  await panel.getByTestId('threshold-number').fill('0.6');
  await panel.getByTestId('threshold-number').press('Enter');
  await panel.getByTestId('go-peak').click();
  await expect.poll(async () => Math.abs((await shownValue('balanced accuracy')) - sub.peak.score)).toBeLessThanOrEqual(sub.peak.score * 5e-4 + 5e-4);
  await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SCREENS, 'brain-viewer.png') });

  // Downloads: each map, byte for byte.
  for (const f of [group.file, sub.file]) {
    const name = f.split('/').pop();
    const [dl] = await Promise.all([page.waitForEvent('download'), panel.getByTestId(`map-download-${name}`).click()]);
    expect(dl.suggestedFilename()).toBe(name);
    expect(readFileSync((await dl.path())!).equals(readFileSync(join(FIXTURE, f)))).toBe(true);
  }
  expect(errors).toEqual([]);
});

test('maps added after results.json are matched by file name', async ({ page }) => {
  await openFixture(page, [RESULTS]);
  const panel = page.getByTestId('maps-panel');
  await expect(panel.getByTestId('maps-none')).toBeVisible();
  const group = results.searchlight.group[0].file.split('/').pop();
  await expect(panel.getByTestId(`map-missing-${group}`)).toBeVisible();
  await panel.getByTestId('maps-file').setInputFiles(MAPS);
  await expect(panel.getByTestId(`map-download-${group}`)).toBeVisible();
  await expect(panel.getByTestId('brain-viewer')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
});

test('geometry: RDM heatmap, PCA / MDS scatter by choice or value, and the table per subject × ROI', async ({ page }) => {
  await openFixture(page, [RESULTS, ...MAPS]);
  const panel = page.getByTestId('geometry-panel');
  await expect(panel).toBeVisible();
  const s0 = results.subjects[0];
  const g0 = s0.geometry[0];
  await expect(panel.getByTestId('geometry-subject')).toHaveValue(s0.id);
  await expect(panel.getByTestId('geometry-roi')).toHaveValue(g0.roi);
  const heat = panel.getByTestId('rdm-heatmap');
  await expect(heat).toHaveAttribute('data-n', String(g0.n_trials));
  // The raster is drawn: sampled pixels are mostly coloured (viridis), not blank.
  const hp = await pixels(page, heat.locator('svg'));
  expect(hp.coloured / hp.total).toBeGreaterThan(0.3);
  const scatter = panel.getByTestId('geometry-scatter');
  await expect(scatter.locator('svg path')).toHaveCount(g0.n_trials + 2);
  const table = panel.getByTestId('geometry-table');
  for (const r of g0.rsa) await expect(table.locator(`tr[data-model="${r.model}"] [data-testid="geometry-rho"]`)).toHaveText(r.rho.toFixed(3));
  await expect(table.getByTestId('geometry-pr')).toHaveText(g0.pca.participation_ratio.toFixed(2));
  await expect(table.getByTestId('geometry-ratio')).toHaveText(g0.ratio.ratio.toFixed(3));

  // All subjects × ROIs in one table.
  const summary = panel.getByTestId('geometry-summary');
  await summary.locator('summary').click();
  await expect(summary.locator('tbody tr')).toHaveCount(results.subjects.reduce((a: number, s: { geometry: unknown[] }) => a + s.geometry.length, 0));
  await summary.locator('summary').click();

  // Keyboard: the ROI and subject menus, the scatter toggles.
  await panel.getByTestId('geometry-roi').focus();
  await page.keyboard.press('ArrowDown');
  const g1 = s0.geometry[1];
  await expect(panel.getByTestId('geometry-roi')).toHaveValue(g1.roi);
  await expect(table.locator('caption')).toContainText(g1.roi);
  await panel.getByTestId('geometry-mds').check();
  await expect(scatter).toHaveAttribute('data-space', 'mds');
  await panel.getByTestId('geometry-colour-sv').check();
  await expect(scatter).toHaveAttribute('data-colour', 'sv');
  await panel.getByTestId('geometry-subject').selectOption(results.subjects[1].id);
  await expect(table.locator('caption')).toContainText(`sub-${results.subjects[1].id}`);
  await panel.getByTestId('geometry-subject').selectOption(s0.id);
  await panel.getByTestId('geometry-roi').selectOption(g0.roi);
  await panel.getByTestId('geometry-pca').check();
  await panel.getByTestId('geometry-colour-choice').check();
  await expect(scatter).toHaveAttribute('data-colour', 'choice');

  // The heatmap exports as SVG (with its raster inside).
  const [svg] = await Promise.all([page.waitForEvent('download'), heat.getByRole('button', { name: 'SVG' }).click()]);
  expect(readFileSync((await svg.path())!, 'utf8')).toContain('<image');
  await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(SCREENS, 'geometry.png') });
});
