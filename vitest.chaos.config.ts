import { defineConfig } from 'vitest/config'

// Temporary, for iterating on test/chaos only; the lead adds the `chaos` project to vitest.config.ts.
export default defineConfig({
  test: {
    name: 'chaos',
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
  },
})
