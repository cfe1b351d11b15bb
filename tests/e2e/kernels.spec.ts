import { expect, test } from '@playwright/test';

test('home page: cross-origin isolated, two workers share one wasm memory', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`);
  });

  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'ddmvpa' })).toBeVisible();
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('isolation-status')).toHaveAttribute('data-isolated', 'true');
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-ready', 'true');
  await expect(page.getByText('Subcortical ROIs: CIT168 atlas (Pauli, Nili & Tyszka 2018, CC BY 4.0)')).toBeVisible();

  // The wasm is a file of its own (not inlined), served as application/wasm.
  const wasm = await page.request.get('/wasm/ddmvpa.wasm');
  expect(wasm.ok()).toBe(true);
  expect(wasm.headers()['content-type']).toContain('wasm');

  const run = page.getByRole('button', { name: 'Run kernel self-test' });
  await run.click();
  const result = page.getByTestId('selftest-result');
  await expect(result).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('selftest-verdict')).toHaveText('PASS');
  await expect(page.getByTestId('selftest-workers')).toHaveAttribute('data-realms', '2');
  await expect(page.getByTestId('selftest-exact')).toHaveAttribute('data-exact', 'true');
  expect(await page.getByTestId('selftest-sum').textContent()).toBe(await page.getByTestId('selftest-refsum').textContent());
  await expect(page.getByTestId('selftest-shards')).toContainText('worker 0');
  await expect(page.getByTestId('selftest-shards')).toContainText('worker 1');

  await page.screenshot({ path: 'tests/e2e/screens/home.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('.nii.gz under public/ is served raw (no Content-Encoding)', async ({ request }) => {
  // tests/e2e/prepare-dist.mjs copies tests/e2e/fixtures/raw-check.nii.gz into dist/ after the
  // build, where public/ files land (see playwright.config.ts).
  const res = await request.get('/e2e/raw-check.nii.gz', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-encoding']).toBeUndefined();
  expect(res.headers()['content-type']).toBe('application/gzip');
  const body = await res.body();
  expect([body[0], body[1]]).toEqual([0x1f, 0x8b]); // gzip magic: the bytes were not inflated
});

test.describe('no service worker', () => {
  // Service workers blocked (as in some private windows or by policy) and no isolation headers:
  // isolation is impossible, so the page runs single-threaded and says so.
  test.use({ serviceWorkers: 'block' });
test('without cross-origin isolation the self-test falls back to one thread on the page', async ({ page }) => {
  // Strip COOP/COEP from every response: the page is then not cross-origin isolated.
  await page.route('**/*', async (route) => {
    const res = await route.fetch();
    const headers = { ...res.headers() };
    delete headers['cross-origin-opener-policy'];
    delete headers['cross-origin-embedder-policy'];
    await route.fulfill({ response: res, headers });
  });
  await page.goto('/');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('isolation-status')).toHaveAttribute('data-isolated', 'false');
  await expect(page.getByTestId('single-thread-banner')).toContainText('Single-thread mode');
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-ready', 'true');
  await page.getByRole('button', { name: 'Run kernel self-test' }).click();
  await expect(page.getByTestId('selftest-verdict')).toHaveText('PASS', { timeout: 60_000 });
  await expect(page.getByTestId('selftest-workers')).toHaveAttribute('data-realms', '1');
  await expect(page.getByTestId('selftest-workers')).toContainText('single-threaded fallback');
});
});
