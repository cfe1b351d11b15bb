// Issue 5, share link: the analysis settings in the URL (the pipeline's config schema), restored
// when the link is opened; no data in a link.
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { ORIGIN } from './origin.ts';

const SCREENS = join(process.cwd(), 'tests/e2e/screens');

async function open(page: Page, path = '/') {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 2, name: 'Extract trial patterns' })).toBeVisible();
}

test('share link round trip: copy the link, open it in a new page, the form is restored', async ({ page, context, browser }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await expect(page.getByTestId('share-note')).toContainText('Data are never in a link and never leave this machine');
  // A generated dataset is loaded: its names must not end up in the link.
  await page.getByTestId('use-demo').click();
  await expect(page.getByTestId('demo-note')).toBeVisible({ timeout: 60_000 });

  await page.getByTestId('roi-pcc').check();
  await page.getByTestId('roi-brain').uncheck();
  await page.getByTestId('roi-nacc_l').uncheck();
  await page.getByTestId('roi-nacc_r').check();
  await page.getByLabel('Trial estimator').selectOption('lsa');
  await page.getByLabel('Confound regressors').selectOption('motion24');
  // The decoding settings and a custom sphere travel too (the full form: tests/e2e/setup.spec.ts).
  await page.getByLabel('Classifier (choice)').selectOption('logreg');
  await page.getByTestId('cfg-cv-mode').selectOption('kfold');
  await page.getByTestId('custom-roi').locator('summary').click();
  await page.getByTestId('custom-name').fill('ofc');
  for (const [k, v] of [['x', '2'], ['y', '40'], ['z', '-18'], ['r', '6']]) await page.getByTestId(`custom-${k}`).fill(v);
  await page.getByTestId('custom-add').click();
  await page.getByTestId('share-copy').click();
  await expect(page.getByTestId('share-copied')).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(await page.getByTestId('share-url').inputValue());
  // The address bar follows the form, too.
  expect(page.url()).toBe(link);
  const u = new URL(link);
  expect(u.searchParams.getAll('roi').sort()).toEqual(['nacc_r', 'ofc=sphere:2,40,-18,6', 'pcc', 'vmpfc']);
  expect(u.searchParams.get('classifier')).toBe('logreg');
  expect(u.searchParams.get('cv')).toBe('kfold:5');
  expect(u.searchParams.get('estimator')).toBe('lsa');
  expect(u.searchParams.get('preset')).toBe('motion24');
  expect(link).not.toMatch(/sub-|\.nii|\.tsv|blob:|discountFix_/);
  await page.screenshot({ path: join(SCREENS, 'share-link.png') });

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await open(p2, link.replace(/^https?:\/\/[^/]+/, ORIGIN));
  for (const r of ['vmpfc', 'pcc', 'nacc_r']) await expect(p2.getByTestId(`roi-${r}`)).toBeChecked();
  for (const r of ['brain', 'nacc_l', 'dlpfc_l']) await expect(p2.getByTestId(`roi-${r}`)).not.toBeChecked();
  await expect(p2.getByLabel('Trial estimator')).toHaveValue('lsa');
  await expect(p2.getByLabel('Confound regressors')).toHaveValue('motion24');
  await expect(p2.getByLabel('Classifier (choice)')).toHaveValue('logreg');
  await expect(p2.getByTestId('cfg-cv-mode')).toHaveValue('kfold');
  await expect(p2.getByTestId('roi-custom')).toHaveAttribute('data-spec', 'ofc=sphere:2,40,-18,6');
  expect(await p2.getByTestId('share-url').inputValue()).toBe(link);
  await other.close();
});

test('a link opens its config fields in the form; a broken link says why and uses the defaults', async ({ page }) => {
  // Fields of the analysis settings open in the form (same names as `ddmvpa run` flags).
  await open(page, '/?estimator=lag&permutations=200&seed=7&preset=motion6%2Bwm%2Bcsf');
  await expect(page.getByLabel('Trial estimator')).toHaveValue('lag');
  await expect(page.getByLabel('Label permutations')).toHaveValue('200');
  await expect(page.getByLabel('Random seed')).toHaveValue('7');
  await expect(page.getByLabel('Confound regressors')).toHaveValue('motion6+wm+csf');
  const u = new URL(await page.getByTestId('share-url').inputValue());
  expect(u.searchParams.get('permutations')).toBe('200');
  expect(u.searchParams.get('seed')).toBe('7');
  expect(u.searchParams.get('preset')).toBe('motion6+wm+csf');
  await page.getByLabel('Confound regressors').selectOption('auto');
  await expect.poll(() => new URL(page.url()).searchParams.has('preset')).toBe(false);

  await open(page, '/?estimator=nope');
  await expect(page.getByTestId('share-error')).toHaveAttribute('data-code', 'CONFIG_BAD_VALUE');
  await expect(page.getByTestId('share-error')).toContainText('patterns.estimator');
  await expect(page.getByLabel('Trial estimator')).toHaveValue('lss');
  await open(page, '/?colour=blue');
  await expect(page.getByTestId('share-error')).toHaveAttribute('data-code', 'CONFIG_UNKNOWN_FIELD');
});
