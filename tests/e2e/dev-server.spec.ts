// The `npm start` path: the Vite dev server (not the production build) must also be
// cross-origin isolated, run the kernel workers from TypeScript sources, and serve *.gz raw.
import { expect, test } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';

const PORT = 5181;
let server: ViteDevServer;

test.beforeAll(async () => {
  server = await createServer({ configFile: 'vite.config.ts', logLevel: 'warn', server: { port: PORT, strictPort: true, host: '127.0.0.1' } });
  await server.listen();
});
test.afterAll(async () => {
  await server?.close();
});

test('dev server: isolated page, two-worker self-test passes', async ({ page }) => {
  await page.goto(`http://127.0.0.1:${PORT}/`);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Run kernel self-test' }).click();
  await expect(page.getByTestId('selftest-verdict')).toHaveText('PASS', { timeout: 60_000 });
  await expect(page.getByTestId('selftest-workers')).toHaveAttribute('data-realms', '2');
});

test('dev server: *.gz is served raw', async ({ request }) => {
  // Any .gz under the project root goes through the same middleware as public/ files.
  const res = await request.get(`http://127.0.0.1:${PORT}/tests/e2e/fixtures/raw-check.nii.gz`, { headers: { 'Accept-Encoding': 'gzip' } });
  expect(res.status()).toBe(200);
  expect(res.headers()['content-encoding']).toBeUndefined();
  expect(res.headers()['content-type']).toBe('application/gzip');
  const body = await res.body();
  expect([body[0], body[1]]).toEqual([0x1f, 0x8b]);
});

test('dev server: the demo subject is generated and extracted by the worker (TypeScript sources)', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.getByRole('button', { name: 'Use the built-in demo subject' }).click();
  await expect(page.getByTestId('demo-note')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Run extraction' })).toBeEnabled({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Run extraction' }).click();
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120', { timeout: 120_000 });
  await expect(page.getByTestId('download-vmpfc.npy')).toHaveAttribute('href', /^blob:/);
  expect(errors).toEqual([]);
});
