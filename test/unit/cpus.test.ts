// src/tools/cpus.ts: the kernel's CPU list (/sys/devices/system/cpu/online), recorded on this machine, and the
// list forms the kernel prints on others (ranges and single CPUs joined by commas, see cpulist_parse()).
import { describe, expect, it } from 'vitest';
import { cpuSpan, parseCpuList } from '../../src/tools/cpus.js';
import { recording } from './helpers/recordings.js';

describe('parseCpuList / cpuSpan', () => {
  it('the recorded online list', () => {
    const text = recording('sys/cpu-online.txt');
    expect(text).toBe('0-1\n');
    expect(parseCpuList(text)).toEqual([0, 1]);
    expect(cpuSpan(text)).toBe(2);
  });

  it('holes count up to the highest CPU: a by-CPU driver needs queues up to it', () => {
    expect(parseCpuList('0,2-4,7')).toEqual([0, 2, 3, 4, 7]);
    expect(cpuSpan('0,2-4,7')).toBe(8);
    expect(cpuSpan('0')).toBe(1);
  });

  it('unreadable or not a CPU list: unknown, not zero', () => {
    for (const t of [undefined, '', 'x', '3-1', '0-', '0,,1']) expect(cpuSpan(t), String(t)).toBeUndefined();
  });
});
