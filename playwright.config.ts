import { defineConfig } from '@playwright/test';

// Debian's Chromium (browsers cannot be downloaded here); CHROMIUM_PATH overrides.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// PW_PORT lets several checkouts (or people) run the e2e suite side by side.
const port = Number(process.env.PW_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath,
      // --enable-unsafe-swiftshader: WebGL2 (the brain viewer) on SwiftShader without a GPU; newer Chromium needs the flag.
      args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: {
    // build:wasm + vite build, then a small .nii.gz into dist/ (checks that *.gz is served raw).
    command: `npm run build:wasm --silent && npx vite build --logLevel warn && node tests/e2e/prepare-dist.mjs && npx vite preview --port ${port} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
