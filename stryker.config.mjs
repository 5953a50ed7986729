// Mutation testing of the code that decides (docs/testing.md): the conclude step, the rungs' judging code, the
// knowledge base's lookups and the flow/route analysis. `npm run test:mutation` runs it through
// scripts/mutation.mjs, which picks the files (all, --changed, or named) and fails any file under 80%.
// One worker: the machines have two cores shared with the other suites.
import { DECISION_FILES } from './scripts/mutation-files.mjs';

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: DECISION_FILES,
  coverageAnalysis: 'perTest',
  concurrency: 1,
  // A static mutant (a module-level constant) needs every test re-run; the kb tables are data, not decisions.
  ignoreStatic: true,
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  timeoutMS: 20_000,
};
