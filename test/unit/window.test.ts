// src/engine/window.ts: the shared probe window.
import { describe, it, expect, vi } from 'vitest';
import { createWindow } from '../../src/engine/window.js';
import type { ProbeOutcome } from '../../src/engine/types.js';

const outcome: ProbeOutcome = { ran: true, ok: true, startedAt: 1, endedAt: 2, exitCode: 0 };
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createWindow', () => {
  it('fires once when every participant is ready; all get the same outcome after the drain', async () => {
    const fire = vi.fn(async () => outcome);
    const onStart = vi.fn();
    const onEnd = vi.fn();
    const w = createWindow({ participants: 2, fire, passiveMs: 0, drainMs: 20, onStart, onEnd });
    const first = w.window.ready();
    await tick();
    expect(fire).not.toHaveBeenCalled();
    const before = Date.now();
    const second = w.window.ready();
    const [a, b] = await Promise.all([first, second]);
    expect(Date.now() - before).toBeGreaterThanOrEqual(15);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(a).toBe(outcome);
    expect(b).toBe(outcome);
    expect(await w.outcome).toBe(outcome);
    expect(onStart).toHaveBeenCalledTimes(1);
    expect(onEnd).toHaveBeenCalledWith(outcome);
  });

  it('a participant that leaves counts as arrived', async () => {
    const fire = vi.fn(async () => outcome);
    const w = createWindow({ participants: 3, fire, passiveMs: 0, drainMs: 0 });
    const ready = w.window.ready();
    w.leave();
    await tick();
    expect(fire).not.toHaveBeenCalled();
    w.leave();
    expect(await ready).toBe(outcome);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('a late ready() after the probe gets the outcome without firing again', async () => {
    const fire = vi.fn(async () => outcome);
    const w = createWindow({ participants: 1, fire, passiveMs: 0, drainMs: 0 });
    await w.window.ready();
    expect(await w.window.ready()).toBe(outcome);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('passive window: no probe, lasts passiveMs, says so', async () => {
    const w = createWindow({ participants: 1, passiveMs: 40, drainMs: 0 });
    const t0 = Date.now();
    const o = await w.window.ready();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(o).toMatchObject({ ran: false, ok: true, note: 'passive window of 40 ms (no probe)' });
    expect(o.endedAt).toBeGreaterThanOrEqual(o.startedAt);
  });

  it('participants that never attach do not hold the probe past attachTimeoutMs', async () => {
    const fire = vi.fn(async () => outcome);
    const w = createWindow({ participants: 2, fire, passiveMs: 0, drainMs: 0, attachTimeoutMs: 40 });
    const t0 = Date.now();
    const o = await w.window.ready();
    expect(o).toBe(outcome);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(fire).toHaveBeenCalledTimes(1);
  });

  it('no participants: fires at once', async () => {
    const fire = vi.fn(async () => outcome);
    const w = createWindow({ participants: 0, fire, passiveMs: 0, drainMs: 0 });
    expect(await w.outcome).toBe(outcome);
  });

  it('a probe that throws is an outcome, not a rejection', async () => {
    const w = createWindow({ participants: 1, fire: async () => { throw new Error('nc: command not found'); }, passiveMs: 0, drainMs: 0 });
    expect(await w.window.ready()).toMatchObject({ ran: false, ok: false, note: 'probe could not run: nc: command not found' });
  });

  // Drain timing on a virtual clock (setTimeout and performance.now faked): what is asserted is when the window
  // ends relative to quietMs and drainMs, which a loaded machine cannot shift, rather than milliseconds measured.
  const settledAt = async (p: Promise<unknown>, stepMs: number, maxMs: number): Promise<number | undefined> => {
    let done = false;
    void p.then(() => { done = true; });
    for (let t = 0; t <= maxMs; t += stepMs) {
      await vi.advanceTimersByTimeAsync(t === 0 ? 0 : stepMs);
      if (done) return t;
    }
    return undefined;
  };

  it('drain: ends once the collectors have been quiet for quietMs after the probe, not at drainMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const fire = vi.fn(async () => outcome);
      const w = createWindow({ participants: 1, fire, passiveMs: 0, drainMs: 400, quietMs: 30, lastOutputAt: () => 0 });
      expect(await settledAt(w.window.ready(), 1, 400)).toBe(30);
    } finally { vi.useRealTimers(); }
  });

  it('drain: output that keeps coming holds it open until drainMs, and no longer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const fire = vi.fn(async () => outcome);
      const w = createWindow({ participants: 1, fire, passiveMs: 0, drainMs: 120, quietMs: 30, lastOutputAt: () => performance.now() });
      expect(await settledAt(w.window.ready(), 1, 400)).toBe(120);
    } finally { vi.useRealTimers(); }
  });

  it('drain: a line shortly after the probe restarts the quiet period', async () => {
    let last: number | undefined;
    const fire = vi.fn(async () => { setTimeout(() => { last = performance.now(); }, 15); return outcome; });
    const w = createWindow({ participants: 1, fire, passiveMs: 0, drainMs: 400, quietMs: 30, lastOutputAt: () => last });
    const t0 = performance.now();
    await w.window.ready();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(40);
  });

  it('an abort ends a passive window early', async () => {
    const ac = new AbortController();
    const w = createWindow({ participants: 1, passiveMs: 60_000, drainMs: 60_000, signal: ac.signal });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    try {
      const p = w.window.ready();
      await vi.advanceTimersByTimeAsync(10);
      ac.abort();
      // Ended by the abort alone: not a millisecond of the 60 s window or its drain is left to pass.
      expect(await settledAt(p, 1, 0)).toBe(0);
      expect((await p).note).toBe('passive window of 60000 ms (no probe)');
    } finally { vi.useRealTimers(); }
  });
});

describe('createWindow: the end once the story is complete', () => {
  /** A probe that runs until `stop` aborts it or ms pass, like nc -w 3 into a loss. */
  const probeFor = (ms: number) => (stop: AbortSignal) => new Promise<ProbeOutcome>((resolve) => {
    const startedAt = Date.now();
    const end = (note: string) => resolve({ ran: true, ok: false, startedAt, endedAt: Date.now(), note });
    const t = setTimeout(() => end('timed out'), ms);
    stop.addEventListener('abort', () => { clearTimeout(t); end('stopped'); }, { once: true });
  });

  it('veth-peer as recorded: sent, then ENXIO; stops the probe after the settle, not after 3 s', async () => {
    const w = createWindow({ participants: 1, fire: probeFor(3000), passiveMs: 0, drainMs: 0, earlyStop: { settleMs: 50, pollMs: 5 } });
    w.saw({ kind: 'listening', what: 'sent' });
    const started = Date.now();
    const ready = w.window.ready();
    await tick();
    w.saw({ kind: 'sent' });
    await tick();
    w.saw({ kind: 'signal', source: 'xdp-error', what: 'xdp:xdp_bulk_tx err -6 on l0' });
    const o = await ready;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(o.ok).toBe(false);
    expect(o.note).toBe('stopped');
    expect(o.early?.why).toBe('1 probe packet(s) sent, each accounted for (no live verdicts; xdp:xdp_bulk_tx err -6 on l0)');
  });

  it('without earlyStop (--full-window) the same sightings change nothing: the probe runs its course', async () => {
    const w = createWindow({ participants: 1, fire: probeFor(150), passiveMs: 0, drainMs: 0 });
    w.saw({ kind: 'listening', what: 'sent' });
    const ready = w.window.ready();
    await tick();
    w.saw({ kind: 'sent' });
    w.saw({ kind: 'signal', source: 'drop', what: 'x' });
    const o = await ready;
    expect(o.note).toBe('timed out');
    expect(o.early).toBeUndefined();
  });

  it('sightings before the probe fires are not packets of the probe', async () => {
    const w = createWindow({ participants: 2, fire: probeFor(200), passiveMs: 0, drainMs: 0, earlyStop: { settleMs: 10, pollMs: 5 } });
    w.saw({ kind: 'listening', what: 'sent' });
    w.saw({ kind: 'sent' });
    w.saw({ kind: 'signal', source: 'drop', what: 'x' });
    const a = w.window.ready();
    const b = w.window.ready();
    const [o] = await Promise.all([a, b]);
    expect(o.note).toBe('timed out');
  });

  it('a reply keeps the probe running to its own end', async () => {
    const w = createWindow({ participants: 1, fire: probeFor(150), passiveMs: 0, drainMs: 0, earlyStop: { settleMs: 10, pollMs: 5 } });
    w.saw({ kind: 'listening', what: 'sent' });
    const ready = w.window.ready();
    await tick();
    w.saw({ kind: 'sent' });
    w.saw({ kind: 'reply' });
    w.saw({ kind: 'signal', source: 'drop', what: 'x' });
    expect((await ready).note).toBe('timed out');
  });
});
