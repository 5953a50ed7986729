// test/kernels/suite-status.mjs on vitest JSON reports recorded from real runs (test/recordings/vitest): a kernel
// run passes only when its tests ran and passed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script of the guest, no types
import { suiteStatus } from '../kernels/suite-status.mjs';

const REC = join(__dirname, '..', 'recordings', 'vitest');
const report = (name: string) => JSON.parse(readFileSync(join(REC, name), 'utf8'));

describe('the kernel suite status', () => {
  it('a -t filter that selected no test fails, though vitest reports success', () => {
    const r = report('filter-matches-none.json');
    expect(r.success).toBe(true);
    expect(suiteStatus(r, 'zz no such test zz')).toEqual({ status: 1, why: 'the filter -t "zz no such test zz" selected no test' });
  });

  it('a filter that selected some tests passes; the rest are not selected, not skipped', () => {
    expect(suiteStatus(report('filter-matches-some.json'), 'ENXIO')).toEqual({ status: 0, why: '8 test(s) passed (-t "ENXIO"; 3 not selected)' });
  });

  it('with no filter, a skipped test fails the run', () => {
    expect(suiteStatus(report('one-skipped.json'), undefined)).toEqual({ status: 1, why: '1 test(s) skipped with no filter given' });
  });

  it('no filter and no test run fails', () => {
    expect(suiteStatus({ ...report('filter-matches-none.json') }, undefined)).toEqual({ status: 1, why: 'no test ran' });
  });

  it('a failed test fails, whatever else passed', () => {
    expect(suiteStatus({ ...report('filter-matches-some.json'), success: false, numFailedTests: 1 }, 'ENXIO')).toEqual({ status: 1, why: '1 test(s) failed' });
  });

  it('as the guest runs it: prints the status, says why on stderr; no report is 2', () => {
    const script = join(__dirname, '..', 'kernels', 'suite-status.mjs');
    expect(execFileSync(process.execPath, [script, join(REC, 'filter-matches-some.json'), 'ENXIO'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe('0');
    expect(execFileSync(process.execPath, [script, join(REC, 'filter-matches-none.json'), 'nothing'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe('1');
    expect(execFileSync(process.execPath, [script, join(REC, 'absent.json'), ''], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).toBe('2');
  });
});
