import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,simulator,platform,common,cli}/**/*.test.ts', 'test/**/*.test.ts'],
    // End-to-end tests open real sockets and ptys; two cores, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
