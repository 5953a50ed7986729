// src/engine/probe.ts: a ping that lost some of its requests failed, whatever its exit code.
import { describe, expect, it } from 'vitest';
import { fireProbe, pingLoss } from '../../src/engine/probe.js';
import { fakeExec } from '../../src/plugins/testing.js';

// iputils ping's closing lines as it prints them (ping -c 4 with two replies exits 0 without -w).
const STATS = (sent: number, got: number) => `--- 10.0.0.2 ping statistics ---\n${sent} packets transmitted, ${got} received, ${Math.round(100 * (sent - got) / sent)}% packet loss, time 603ms\n`;

describe('pingLoss', () => {
  it('counts unanswered requests; none lost, or not a ping: undefined', () => {
    expect(pingLoss(STATS(4, 2))).toEqual({ transmitted: 4, received: 2 });
    expect(pingLoss(STATS(3, 3))).toBeUndefined();
    expect(pingLoss('Connection to 10.0.0.2 80 port [tcp/http] succeeded!')).toBeUndefined();
  });
});

describe('fireProbe', () => {
  it('exit 0 with 2 of 4 replies: failed, and the note says how many went unanswered', async () => {
    const exec = fakeExec([{ argv: (a) => a[0] === 'ping', stdout: STATS(4, 2) }]);
    const o = await fireProbe(exec, { argv: ['ping', '-c', '4', '10.0.0.2'] });
    expect(o).toMatchObject({ ran: true, ok: false, exitCode: 0, note: 'exit 0, but 2 of 4 echo request(s) got no reply' });
  });
  it('every reply in: passed', async () => {
    const exec = fakeExec([{ argv: (a) => a[0] === 'ping', stdout: STATS(3, 3) }]);
    expect((await fireProbe(exec, { argv: ['ping', '-c', '3', '10.0.0.2'] })).ok).toBe(true);
  });
});

describe('fireProbe stopped by the window', () => {
  it('the window\'s stop ends a hanging probe: failed, and the note says it was stopped once its packets were accounted for', async () => {
    const exec = fakeExec([{ argv: (a) => a[0] === 'nc', hang: true }]);
    const run = new AbortController();
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('story complete')), 20);
    const o = await fireProbe(exec, { argv: ['nc', '-w', '3', '192.168.10.1', '50002'] }, run.signal, stop.signal);
    expect(o.ok).toBe(false);
    expect(o.note).toMatch(/^stopped after \d+ ms, once every packet it had sent was accounted for$/);
  });
  it('Ctrl-C is not the window\'s stop: no such note', async () => {
    const exec = fakeExec([{ argv: (a) => a[0] === 'nc', hang: true }]);
    const run = new AbortController();
    setTimeout(() => run.abort(new Error('SIGINT')), 20);
    const o = await fireProbe(exec, { argv: ['nc', '192.168.10.1', '50002'] }, run.signal, new AbortController().signal);
    expect(o.note ?? '').not.toMatch(/accounted for/);
  });
});
