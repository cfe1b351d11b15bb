import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Rebuilds public/wasm/ddmvpa.wasm when assembly/ is newer (kernel tests load it from disk).
    globalSetup: ['tests/unit/kernels/wasm-setup.ts'],
  },
});
