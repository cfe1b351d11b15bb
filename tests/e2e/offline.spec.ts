// Issue 5, offline and hosting: dist/ from a plain static host that sends no COOP/COEP headers.
// The one service worker isolates the page (one reload on the first visit) and stores the app;
// with the network off and the server gone, a reload still opens the app and runs the demo.
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { startStaticHost, type StaticHost } from './static-host.ts';

const PORT = 4191 + (Number(process.env.PW_PORT ?? 4173) - 4173);
let host: StaticHost | null = null;

test.beforeAll(async () => {
  host = await startStaticHost(join(process.cwd(), 'dist'), PORT);
});
test.afterAll(async () => {
  await host?.close();
});

async function isolatedAndReady(page: Page) {
  await page.waitForFunction(() => globalThis.crossOriginIsolated === true && !!document.querySelector('[data-testid="isolation-status"]'), null, { timeout: 60_000 });
  await expect(page.getByTestId('isolation-status')).toHaveAttribute('data-isolated', 'true');
  await expect(page.getByTestId('engine-status')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

test('plain static host: the service worker isolates the page, and offline a reload still runs the demo', async ({ page, context }) => {
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`http://127.0.0.1:${PORT}/`) && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1366, height: 768 });

  // The server sends no isolation headers at all.
  const res = await page.request.get(`${host!.url}/`);
  expect(res.headers()['cross-origin-opener-policy']).toBeUndefined();
  expect(res.headers()['cross-origin-embedder-policy']).toBeUndefined();

  await page.goto(`${host!.url}/`);
  await isolatedAndReady(page);
  await expect(page.getByTestId('single-thread-banner')).toHaveCount(0);
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-sw', 'active');
  // One service worker controls the page, and the web app manifest is served.
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(1);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${host!.url}/sw.js`);
  expect((await page.request.get(`${host!.url}/manifest.webmanifest`)).ok()).toBe(true);
  // Shared memory works across workers: the two-worker self-test.
  await page.getByRole('button', { name: 'Run kernel self-test' }).click();
  await expect(page.getByTestId('selftest-workers')).toHaveAttribute('data-realms', '2', { timeout: 60_000 });

  // Offline, and the host is gone too.
  await context.setOffline(true);
  await host!.close();
  host = null;
  await page.reload();
  await isolatedAndReady(page);
  await page.getByTestId('use-demo').click();
  await expect(page.getByTestId('demo-note')).toBeVisible({ timeout: 60_000 });
  const run = page.getByRole('button', { name: 'Run extraction' });
  await expect(run).toBeEnabled({ timeout: 30_000 });
  await run.click();
  await expect(page.getByTestId('results')).toHaveAttribute('data-trials', '120', { timeout: 120_000 });
  await context.setOffline(false);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
