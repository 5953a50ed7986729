// The check tester (`xdp-doctor/testing`): runs one check against recorded tool output, the way ESLint's
// RuleTester serves rule authors. The check gets real ctx.tools (the same parsers as a live run) built over a
// fake Exec that answers argv patterns with recorded {stdout, stderr, exitCode} (collectors: recorded lines),
// fake Files, given facts and target, and a probe window that resolves with a given outcome. A command with
// no recording fails the test loudly, naming its argv. The result is validated like the runner does.
export * from './testing/fake-exec.js';
export * from './testing/fake-files.js';
export * from './testing/run-check.js';
export * from './testing/record.js';
export * from './testing/table.js';
export { createFacts } from '../engine/facts.js';
export type { Check, CheckResult, ProbeOutcome, Target } from '../engine/types.js';
