import { defineConfig } from 'vitest/config';

// Two projects: unit tests run in parallel; e2e tests touch the real kernel (namespaces, trace_pipe,
// tracepoints are global to the machine) so they run one file at a time. Both give every test file its own
// fix log and lab state directory (test/setup/state-dirs.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/ui/**/*.test.{ts,tsx}'],
          // 2-core machines run every file at once: Ink renders and waits get slow, not wrong.
          testTimeout: 30_000,
          setupFiles: ['test/setup/state-dirs.ts', 'test/ui/ink-not-in-ci.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/bpf/**/*.test.ts'],
          setupFiles: ['test/setup/state-dirs.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The kernel suite: runs only inside the VMs of `npm run test:kernels` (scripts/kernels.sh), one kernel of
        // test/kernels/matrix each, where TCG makes everything ~10x slower than on the host.
        test: {
          name: 'kernels',
          include: ['test/kernels/**/*.test.ts'],
          setupFiles: ['test/setup/state-dirs.ts', 'test/kernels/in-vm.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
