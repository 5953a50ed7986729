// src/kb/errnos.ts: every lookup accepts 6, -6, '6', '-6', 'ENXIO', 'enxio'.
import { describe, it, expect } from 'vitest';
import { errnoName, lookupErrno } from '../../src/kb/errnos.js';

const ENXIO = { value: 6, name: 'ENXIO', message: 'No such device or address' };

describe('lookupErrno', () => {
  it.each([6, -6, '6', '-6', 'ENXIO', 'enxio', ' ENXIO ', 'EnXiO'])('%j → ENXIO', (input) => {
    expect(lookupErrno(input)).toEqual(ENXIO);
  });

  it('the errnos XDP reports (tracepoints, bpftool, libbpf)', () => {
    expect(lookupErrno(-22)).toMatchObject({ name: 'EINVAL', message: 'Invalid argument' });
    expect(lookupErrno(95)?.name).toBe('EOPNOTSUPP');
    expect(lookupErrno('ENOTSUP')?.value).toBe(95);
    expect(lookupErrno('EWOULDBLOCK')?.value).toBe(11);
    expect(lookupErrno(524)?.name).toBe('ENOTSUPP');
    expect(lookupErrno(1)).toEqual({ value: 1, name: 'EPERM', message: 'Operation not permitted' });
  });

  it('unknown numbers and names are undefined', () => {
    for (const x of [0, 999, -999, 'EFOO', '', '6a', '1.5']) expect(lookupErrno(x), String(x)).toBeUndefined();
  });
});

describe('errnoName', () => {
  it('names an errno, negative or not; E<n> when unknown', () => {
    expect(errnoName(-6)).toBe('ENXIO');
    expect(errnoName(100)).toBe('ENETDOWN');
    expect(errnoName(-999)).toBe('E999');
  });
});
