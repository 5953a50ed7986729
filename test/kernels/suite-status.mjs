// The kernel suite's verdict inside the VM, from vitest's JSON report (guest-init writes it to /results/status).
// vitest says success when nothing failed — also when a -t filter selected no test, or every test skipped — so a
// kernel run that tested nothing would pass. Here it passes only when tests ran and passed: none failed, at least
// one passed, and with no filter none was skipped (in CI a skipped kernel test is a failure; with a filter the
// skipped ones are those it did not select).
// Usage: node suite-status.mjs REPORT.json [FILTER]  → prints 0 (passed), 1 (failed) or 2 (no report); why on stderr.
import { readFileSync } from 'node:fs';

/** @returns {{ status: 0 | 1, why: string }} */
export function suiteStatus(report, filter) {
  const { numPassedTests: passed = 0, numFailedTests: failed = 0, numPendingTests: skipped = 0, numTodoTests: todo = 0 } = report;
  if (!report.success || failed > 0) return { status: 1, why: `${failed} test(s) failed` };
  if (passed === 0) return { status: 1, why: filter ? `the filter -t "${filter}" selected no test` : 'no test ran' };
  if (!filter && skipped + todo > 0) return { status: 1, why: `${skipped + todo} test(s) skipped with no filter given` };
  return { status: 0, why: `${passed} test(s) passed${filter ? ` (-t "${filter}"; ${skipped} not selected)` : ''}` };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  let out = { status: 2, why: 'no vitest report' };
  try { out = suiteStatus(JSON.parse(readFileSync(process.argv[2], 'utf8')), process.argv[3] || undefined); } catch (e) { out.why += `: ${e.message}`; }
  process.stderr.write(`kernel suite: ${out.why}\n`);
  process.stdout.write(String(out.status));
}
