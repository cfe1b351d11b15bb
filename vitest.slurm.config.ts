import { defineConfig } from 'vitest/config';

// The cluster-mode tests need a running SLURM (scripts/test-slurm.sh starts one).
export default defineConfig({
  test: { include: ['tests/slurm/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000, pool: 'forks', fileParallelism: false },
});
