// Abort listeners on a shared signal: the run's and each check's signal outlive many children and many sleeps.
// Node warns ("MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners") when
// more than ten pile up; that warning once landed in the wizard's frame after the ethtool rung.
import { describe, it, expect, afterEach } from 'vitest';
import { getEventListeners } from 'node:events';
import { realExec } from '../../src/tools/exec.js';
import { linkedSignal } from '../../src/tools/linked-signal.js';
import { abortableSleep, createWindow } from '../../src/engine/window.js';

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
process.on('warning', onWarning);
afterEach(() => { warnings.length = 0; });
const listeners = (s: AbortSignal) => getEventListeners(s, 'abort').length;
// process 'warning' is emitted on a later tick.
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('one AbortSignal shared by many commands (real `true` through realExec)', () => {
  it('30 in a row and 15 at once: no warning, at most one listener while they run, none after', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 30; i++) expect((await realExec.run(['true'], { signal: ac.signal })).ok).toBe(true);
    expect(listeners(ac.signal)).toBe(0);
    const running = Array.from({ length: 15 }, () => realExec.run(['true'], { signal: ac.signal }));
    expect(listeners(ac.signal)).toBe(1);
    expect((await Promise.all(running)).every((r) => r.ok)).toBe(true);
    const collectors = Array.from({ length: 12 }, () => realExec.spawn(['true'], { signal: ac.signal }));
    expect(listeners(ac.signal)).toBe(1);
    await Promise.all(collectors.map((c) => c.done));
    await settle();
    expect(listeners(ac.signal)).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('aborting the shared signal still stops every child it owns', async () => {
    const ac = new AbortController();
    const runs = Array.from({ length: 12 }, () => realExec.run(['sleep', '30'], { signal: ac.signal }));
    const collector = realExec.spawn(['sleep', '30'], { signal: ac.signal });
    await collector.ready;
    ac.abort(new Error('test'));
    const results = await Promise.all(runs);
    const c = await collector.done;
    // Killed, not finished: a `sleep 30` that ran out would be ok (and outlast the test's timeout).
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(c.ok).toBe(false);
    expect(listeners(ac.signal)).toBe(0);
    await settle();
    expect(warnings).toEqual([]);
  });
});

describe('linkedSignal', () => {
  it('one listener on the parent for any number of children, removed with the last', () => {
    const ac = new AbortController();
    const links = Array.from({ length: 20 }, () => linkedSignal(ac.signal));
    expect(listeners(ac.signal)).toBe(1);
    links.forEach((l) => { l.release(); l.release(); });
    expect(listeners(ac.signal)).toBe(0);
  });

  it('the parent\'s abort reaches the live children with its reason; none without a parent', () => {
    const ac = new AbortController();
    const a = linkedSignal(ac.signal);
    const b = linkedSignal(ac.signal);
    b.release();
    const reason = new Error('why');
    ac.abort(reason);
    expect(a.signal!.aborted).toBe(true);
    expect(a.signal!.reason).toBe(reason);
    expect(b.signal!.aborted).toBe(false);
    expect(linkedSignal(ac.signal).signal).toBe(ac.signal);
    expect(linkedSignal(undefined).signal).toBeUndefined();
  });
});

describe('sleeps on the run signal', () => {
  it('abortableSleep removes its listener when the timer wins', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 20; i++) await abortableSleep(1, ac.signal);
    expect(listeners(ac.signal)).toBe(0);
    const pending = abortableSleep(60_000, ac.signal);
    ac.abort();
    await pending;
    await settle();
    expect(warnings).toEqual([]);
  });

  it('a probe window per rung (the wizard\'s pace), each draining in several sleeps: no listener left', async () => {
    const ac = new AbortController();
    let last = performance.now();
    for (let rung = 0; rung < 12; rung++) {
      // Output keeps trickling in, so the drain loops more than once.
      const w = createWindow({
        participants: 1, passiveMs: 1, drainMs: 30, quietMs: 5, signal: ac.signal,
        lastOutputAt: () => { const now = performance.now(); if (now - last > 2) last = now; return last; },
      });
      await w.window.ready();
    }
    await settle();
    expect(listeners(ac.signal)).toBe(0);
    expect(warnings).toEqual([]);
  });
});
