// src/tools/nstat.ts: `nstat -a -z -s --json` recorded on this machine.
import { describe, it, expect } from 'vitest';
import { counterDeltas, createNstat, parseNstat } from '../../src/tools/nstat.js';
import { ToolOutputError } from '../../src/tools/json.js';
import { recording } from './helpers/recordings.js';
import { fakeExec } from '../../src/plugins/testing.js';

describe('parseNstat', () => {
  it('reads every kernel counter as a number, zeros included (-z)', () => {
    const c = parseNstat(recording('nstat/nstat-json.json'));
    expect(c.IpInReceives).toBe(4);
    expect(c.IcmpInEchos).toBe(4);
    expect(c.TcpInCsumErrors).toBe(0);
    expect(c.IpInHdrErrors).toBe(0);
    expect(Object.values(c).every((v) => typeof v === 'number')).toBe(true);
    expect(Object.keys(c).length).toBeGreaterThan(100);
  });

  it('truncated output, another tool\'s JSON and an empty answer are ToolOutputErrors', () => {
    const text = recording('nstat/nstat-json.json');
    expect(() => parseNstat(text.slice(0, 500))).toThrow(ToolOutputError);
    expect(() => parseNstat(recording('ip/netns-list-id.json'))).toThrow(/expected \{"kernel": \{\.\.\.\}\}/);
    expect(() => parseNstat('')).toThrow(ToolOutputError);
  });
});

describe('counterDeltas', () => {
  const before = parseNstat(recording('nstat/lo-ping-before.json'));
  const after = parseNstat(recording('nstat/lo-ping-after.json'));

  it('two pings on lo: the counters that rose, by how much', () => {
    const d = counterDeltas(before, after);
    expect(d).toMatchObject({ IcmpInEchos: 2, IcmpInEchoReps: 2, IcmpOutEchos: 2, IcmpOutEchoReps: 2, IpInReceives: 4, IpOutRequests: 4 });
    expect(d.TcpInCsumErrors).toBeUndefined();
    expect(Object.values(d).every((v) => v > 0)).toBe(true);
  });

  it('nothing rose between a sample and itself; counters that fell are not deltas', () => {
    expect(counterDeltas(after, after)).toEqual({});
    expect(counterDeltas(after, before)).toEqual({});
  });

  it('a counter absent before counts from zero', () => {
    const { IcmpInEchos: _, ...without } = before;
    expect(counterDeltas(without, after).IcmpInEchos).toBe(after.IcmpInEchos);
  });
});

describe('createNstat', () => {
  it('samples with -a -z -s --json (no history file touched) in the namespace', async () => {
    const exec = fakeExec([{ argv: ['nstat', '-a', '-z', '-s', '--json'], netns: 'real', stdout: recording('nstat/nstat-json.json') }]);
    const c = await createNstat(exec).sample({ kind: 'name', name: 'real' });
    expect(c.IpInReceives).toBe(4);
    expect(exec.calls[0]!.argv).toEqual(['nstat', '-a', '-z', '-s', '--json']);
    expect(exec.calls[0]!.netns).toEqual({ kind: 'name', name: 'real' });
  });

  it('a failing nstat is a ToolOutputError with its stderr', async () => {
    const exec = fakeExec([{ argv: ['nstat', '-a', '-z', '-s', '--json'], netns: 'ut-nope', exitCode: 1, stderr: recording('ip/nsenter-missing-netns-stderr.txt') }]);
    await expect(createNstat(exec).sample({ kind: 'name', name: 'ut-nope' })).rejects.toThrow('nstat: nsenter: cannot open /run/netns/ut-nope');
  });
});
