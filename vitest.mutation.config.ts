import { defineConfig } from 'vitest/config';

// The unit project alone, for `npm run test:mutation` (StrykerJS's vitest runner runs every project of the config
// it is given, and the e2e and kernel projects need root, namespaces and VMs). Kept equal to the unit project of
// vitest.config.ts: same tests, same setup files.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.{ts,tsx}', 'test/ui/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    setupFiles: ['test/setup/state-dirs.ts', 'test/ui/ink-not-in-ci.ts'],
  },
});
