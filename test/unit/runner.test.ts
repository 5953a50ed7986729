// src/engine/runner.ts with fake checks and a fake Exec: isolation, timeouts, validation, ordering, the
// shared probe window and its generations, missing tools, commands recorded per check.
import { describe, it, expect, vi } from 'vitest';
import { attachTimeoutMs, planWindows, runChecks, type PlannedCheck, type RunChecksOptions } from '../../src/engine/runner.js';
import { dryRunExec } from '../../src/engine/recording-exec.js';
import { createFacts } from '../../src/engine/facts.js';
import type { Check, CheckContext, CheckResult, ProbeOutcome, RunEvent, Target } from '../../src/engine/types.js';
import { fakeExec } from '../../src/plugins/testing.js';

const target: Target = { kind: 'iface', iface: 'v0', hops: [], windowMs: 100, expect: [] };
const pass = (summary = 'ok'): CheckResult => ({ status: 'pass', summary, evidence: [], findings: [] });
const check = (id: string, rung: number, run: Check['run'], extra: Partial<Check> = {}): Check => ({ id, title: id.toUpperCase(), rung, run, ...extra });
const builtIn = (c: Check): PlannedCheck => ({ check: c, source: 'built-in' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function options(checks: PlannedCheck[], over: Partial<RunChecksOptions> = {}): RunChecksOptions & { events: RunEvent[] } {
  const events: RunEvent[] = [];
  return {
    target, exec: dryRunExec(), checks, facts: createFacts(), emit: (e) => events.push(e),
    signal: new AbortController().signal, windowMode: 'shared', toolStatus: {}, drainMs: 0, events, ...over,
  };
}

const outcomeAt = (n: number): ProbeOutcome => ({ ran: true, ok: true, startedAt: n, endedAt: n + 1, note: `probe ${n}` });

describe('isolation', () => {
  it('a throwing plugin check is error with its plugin tag; the others are unaffected', async () => {
    const o = options([
      builtIn(check('first', 1, async () => pass('first ran'))),
      { check: check('team-latency', 2, async () => { throw new Error('boom'); }), source: 'xdp-doctor-plugin-team@1.2.0' },
      builtIn(check('last', 3, async () => pass('last ran'))),
    ]);
    const { records } = await runChecks(o);
    expect(records.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['first', 'pass', 'first ran'],
      ['team-latency', 'error', 'crashed: boom [plugin xdp-doctor-plugin-team@1.2.0]'],
      ['last', 'pass', 'last ran'],
    ]);
    expect(records[1]!.source).toBe('xdp-doctor-plugin-team@1.2.0');
    expect(records[1]!.evidence[0]).toMatchObject({ label: 'stack' });
    expect(String(records[1]!.evidence[0]!.data)).toContain('boom');
  });

  it('a throwing built-in check has no plugin tag; a thrown non-Error is shown too', async () => {
    const { records } = await runChecks(options([
      builtIn(check('a', 1, async () => { throw new Error('kaput'); })),
      builtIn(check('b', 2, async () => { throw 'a string'; })), // eslint-disable-line no-throw-literal
      builtIn(check('c', 3, () => { throw new Error('sync throw'); })),
    ]));
    expect(records.map((r) => [r.status, r.summary])).toEqual([
      ['error', 'crashed: kaput'], ['error', 'crashed: a string'], ['error', 'crashed: sync throw'],
    ]);
  });

  it('a hanging check is error "timed out after N ms" and its AbortSignal fires; the others finish', async () => {
    let signal: AbortSignal | undefined;
    const aborted = vi.fn();
    const { records } = await runChecks(options([
      builtIn(check('hang', 1, (ctx) => { signal = ctx.signal; ctx.signal.addEventListener('abort', aborted); return new Promise<CheckResult>(() => {}); }, { timeoutMs: 60 })),
      builtIn(check('fine', 2, async () => pass())),
    ]));
    expect(records.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['hang', 'error', 'timed out after 60 ms'], ['fine', 'pass', 'ok'],
    ]);
    expect(signal!.aborted).toBe(true);
    expect(aborted).toHaveBeenCalledTimes(1);
    expect(records[0]!.durationMs).toBeGreaterThanOrEqual(55);
  });

  it('an observing check also gets the attach timeout: its wait for the shared window is not its own time', async () => {
    const before = process.env.XDP_DOCTOR_ATTACH_TIMEOUT_MS;
    process.env.XDP_DOCTOR_ATTACH_TIMEOUT_MS = '1000';
    try {
      const { records } = await runChecks(options([builtIn(check('watch', 1, () => new Promise<CheckResult>(() => {}), { timeoutMs: 60, observes: true }))]));
      expect(records[0]).toMatchObject({ status: 'error', summary: 'timed out after 1060 ms' });
    } finally {
      if (before === undefined) delete process.env.XDP_DOCTOR_ATTACH_TIMEOUT_MS; else process.env.XDP_DOCTOR_ATTACH_TIMEOUT_MS = before;
    }
  });

  it('the default timeout applies when the check has none, with the plugin tag', async () => {
    const { records } = await runChecks(options(
      [{ check: check('slow', 1, () => new Promise<CheckResult>(() => {})), source: 'p@1' }],
      { defaultTimeoutMs: 30 },
    ));
    expect(records[0]).toMatchObject({ status: 'error', summary: 'timed out after 30 ms [plugin p@1]' });
  });

  it('the check\'s commands get its AbortSignal, which fires when the check ends', async () => {
    const exec = fakeExec([{ argv: ['ip', '-j', 'link', 'show'] }]);
    let seen: AbortSignal | undefined;
    await runChecks(options([builtIn(check('a', 1, async (ctx) => {
      await ctx.tools.exec.run(['ip', '-j', 'link', 'show']);
      seen = exec.calls[0]!.opts!.signal;
      expect(seen!.aborted).toBe(false);
      return pass();
    }))], { exec }));
    expect(seen!.aborted).toBe(true);
  });
});

describe('result validation', () => {
  it.each([
    ['a bad status', { status: 'great', summary: 's', evidence: [], findings: [] }, 'result.status must be one of pass|warn|fail|skip|error (got "great")'],
    ['no summary', { status: 'pass', evidence: [], findings: [] }, 'result.summary must be a string'],
    ['fixes as shell strings', {
      status: 'fail', summary: 's', evidence: [],
      findings: [{ cause: 'veth-peer-no-xdp', severity: 'critical', message: 'm', fixes: [{ title: 't', commands: ['ip link set dev g1 xdpgeneric off'] }] }],
    }, 'result.findings[0].fixes[0].commands must be string[][] (argv arrays)'],
    ['a bad severity', {
      status: 'fail', summary: 's', evidence: [], findings: [{ cause: 'c', severity: 'urgent', message: 'm', fixes: [] }],
    }, 'result.findings[0].severity must be one of critical|high|medium|low|info (got "urgent")'],
    ['no severity for a cause the kb does not know', {
      status: 'fail', summary: 's', evidence: [], findings: [{ cause: 'team/x', message: 'm', fixes: [] }],
    }, 'result.findings[0].severity is needed for a cause the knowledge base does not know (team/x)'],
    ['evidence without label', { status: 'pass', summary: 's', evidence: [{ data: 1 }], findings: [] }, 'result.evidence[0].label must be a string'],
    ['undefined', undefined, 'result is not an object'],
  ])('%s → error naming the field', async (_name, result, problem) => {
    const { records } = await runChecks(options([
      { check: check('bad', 1, async () => result as unknown as CheckResult), source: 'plug@0.1.0' },
      builtIn(check('good', 2, async () => pass())),
    ]));
    expect(records[0]).toMatchObject({ status: 'error', summary: `invalid result: ${problem} [plugin plug@0.1.0]`, evidence: [], findings: [] });
    expect(records[1]!.status).toBe('pass');
  });
});

describe('severity', () => {
  it('is recorded as the kb says for a cause it knows, and as the finding says for any other', async () => {
    const { records } = await runChecks(options([
      builtIn(check('seen', 1, async () => ({
        status: 'fail', summary: 's', evidence: [], findings: [
          { cause: 'veth-peer-no-xdp', message: 'no severity given', fixes: [] },
          { cause: 'veth-peer-no-xdp', severity: 'low', message: 'a different one given', fixes: [] },
          { cause: 'team/x', severity: 'low', message: 'a plugin cause', fixes: [] },
        ],
      }))),
    ]));
    expect(records[0]!.findings.map((f) => f.severity)).toEqual(['critical', 'critical', 'low']);
  });
});

describe('ordering', () => {
  const trackEvents = (events: RunEvent[]) => events.filter((e) => e.type === 'check-start' || e.type === 'check-end')
    .map((e) => (e.type === 'check-start' ? `start ${e.id}` : `end ${(e as { record: { id: string } }).record.id}`));

  it('a check starts only after the checks in its `after` ended and reads their facts; others run meanwhile', async () => {
    const o = options([
      builtIn(check('inventory', 1, async (ctx) => { await sleep(30); ctx.facts.set('prog', 137); return pass(); })),
      builtIn(check('reader', 2, async (ctx) => pass(String(ctx.facts.get('prog'))), { after: ['inventory'] })),
      builtIn(check('unrelated', 3, async () => pass(), { after: ['not-in-plan'] })),
    ]);
    const { records } = await runChecks(o);
    const ev = trackEvents(o.events);
    expect(ev.indexOf('end inventory')).toBeLessThan(ev.indexOf('start reader'));
    expect(ev.indexOf('end unrelated')).toBeLessThan(ev.indexOf('end inventory')); // not held back by an unknown id
    expect(records.map((r) => [r.id, r.summary])).toEqual([['inventory', 'ok'], ['reader', '137'], ['unrelated', 'ok']]);
  });

  it('`after` is honoured even when the dependency has a higher rung (a plugin rung before inventory)', async () => {
    const o = options([
      builtIn(check('reader', 1, async (ctx) => pass(String(ctx.facts.get('prog'))), { after: ['inventory'] })),
      builtIn(check('inventory', 2, async (ctx) => { await sleep(30); ctx.facts.set('prog', 137); return pass(); })),
    ]);
    const { records } = await runChecks(o);
    const ev = trackEvents(o.events);
    expect(ev.indexOf('end inventory')).toBeLessThan(ev.indexOf('start reader'));
    expect(records.map((r) => [r.id, r.summary])).toEqual([['reader', '137'], ['inventory', 'ok']]);
  });

  it('`readsLater`: the check starts at once, and ctx.finished waits for the dependency (planned first, even from a lower rung)', async () => {
    const log: string[] = [];
    const o = options([
      builtIn(check('attacher', 1, async (ctx) => {
        log.push('attach');
        await ctx.finished('inventory');
        log.push(`read ${String(ctx.facts.get('prog'))}`);
        await ctx.finished('not-in-plan'); // a dependency the plan does not hold: nothing to wait for
        return pass();
      }, { readsLater: ['inventory'] })),
      builtIn(check('inventory', 2, async (ctx) => { await sleep(30); log.push('inventory'); ctx.facts.set('prog', 137); return pass(); })),
    ]);
    await runChecks(o);
    expect(log).toEqual(['attach', 'inventory', 'read 137']);
    const ev = trackEvents(o.events);
    expect(ev.indexOf('start inventory')).toBeLessThan(ev.indexOf('start attacher')); // planned after what it reads
    expect(ev.indexOf('start attacher')).toBeLessThan(ev.indexOf('end inventory'));
  });

  it('`readsLater` at the wizard\'s pace (stepped): waited for before the start, like `after`', async () => {
    const log: string[] = [];
    const o = options([
      builtIn(check('inventory', 1, async (ctx) => { await sleep(20); log.push('inventory'); ctx.facts.set('prog', 137); return pass(); })),
      builtIn(check('attacher', 2, async (ctx) => { log.push('attach'); await ctx.finished('inventory'); log.push('read'); return pass(); }, { readsLater: ['inventory'] })),
    ], { windowMode: 'stepped', gate: async () => 'run' as const });
    await runChecks(o);
    expect(log).toEqual(['inventory', 'attach', 'read']);
  });

  it('ctx.window.opened: a rung that is no observer starts its CPU-heavy work once the collectors are attached and the probe fires', async () => {
    const log: string[] = [];
    const fireProbe = vi.fn(async () => { log.push('probe'); await sleep(20); return outcomeAt(1); });
    const o = options([
      builtIn(check('collector', 1, async (ctx) => { await sleep(30); log.push('attached'); await ctx.window.ready(); return pass(); }, { observes: true })),
      builtIn(check('dissector', 2, async (ctx) => { log.push('dissector starts'); await ctx.window.opened!(); log.push('opened'); return pass(); })),
    ], { fireProbe });
    await runChecks(o);
    expect(log).toEqual(['dissector starts', 'attached', 'probe', 'opened']);
  });

  it('ctx.window.opened resolves at once when no rung attaches a collector (no window will open), and while its wait lasts the rung\'s timer stops', async () => {
    const { records } = await runChecks(options([
      builtIn(check('alone', 1, async (ctx) => { await ctx.window.opened!(); return pass('went on'); })),
    ]));
    expect(records.map((r) => [r.status, r.summary])).toEqual([['pass', 'went on']]);
    const slowAttach = await runChecks(options([
      builtIn(check('collector', 1, async (ctx) => { await sleep(120); await ctx.window.ready(); return pass(); }, { observes: true })),
      builtIn(check('waiter', 2, async (ctx) => { await ctx.window.opened!(); return pass('waited'); }, { timeoutMs: 60 })),
    ], { fireProbe: async () => outcomeAt(1) }));
    expect(slowAttach.records.find((r) => r.id === 'waiter')).toMatchObject({ status: 'pass', summary: 'waited' });
  });

  it('stepped, then `all` (the wizard\'s a): the rungs not yet started run as the CLI runs them, readsLater overlapping, one probe', async () => {
    const log: string[] = [];
    const asked: string[] = [];
    const fireProbe = vi.fn(async () => outcomeAt(1));
    const o = options([
      builtIn(check('preflight', 0, async () => { log.push('preflight'); return pass(); })),
      builtIn(check('inventory', 1, async (ctx) => { log.push('inventory starts'); await sleep(30); log.push('inventory ends'); ctx.facts.set('prog', 7); return pass(); }, { after: ['preflight'] })),
      builtIn(check('attacher', 2, async (ctx) => {
        log.push('attacher starts');
        await ctx.finished('inventory');
        await ctx.window.ready();
        return pass(String(ctx.facts.get('prog')));
      }, { after: ['preflight'], readsLater: ['inventory'], observes: true })),
      builtIn(check('other', 3, async (ctx) => { await ctx.window.ready(); return pass(); }, { after: ['inventory'], observes: true })),
    ], { windowMode: 'stepped', fireProbe, gate: async (id) => { asked.push(id); return id === 'preflight' ? 'run' : 'all'; } });
    const { records } = await runChecks(o);
    expect(asked).toEqual(['preflight', 'inventory']); // never asked again
    expect(log.indexOf('attacher starts')).toBeLessThan(log.indexOf('inventory ends')); // overlaps, as in the CLI
    expect(fireProbe).toHaveBeenCalledTimes(1);
    expect(records.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['preflight', 'pass', 'ok'], ['inventory', 'pass', 'ok'], ['attacher', 'pass', '7'], ['other', 'pass', 'ok'],
    ]);
  });

  it('two waits at once: the timer stays stopped until the last of them is over', async () => {
    const { records } = await runChecks(options([
      builtIn(check('collector', 1, async (ctx) => { await ctx.window.ready(); return pass(); }, { observes: true })),
      builtIn(check('slow', 2, async () => { await sleep(150); return pass(); })),
      builtIn(check('waiter', 3, async (ctx) => {
        const opened = ctx.window.opened!();
        const slow = ctx.finished('slow');
        await opened; // at once (the probe fires first); slow ends 150 ms later, past this rung's own 60 ms
        await slow;
        return pass('waited for both');
      }, { timeoutMs: 60, readsLater: ['slow'] })),
    ], { fireProbe: async () => outcomeAt(1) }));
    expect(records.find((r) => r.id === 'waiter')).toMatchObject({ status: 'pass', summary: 'waited for both' });
  });

  it('per-check mode runs the rungs one after another', async () => {
    const log: string[] = [];
    const mk = (id: string, rung: number) => builtIn(check(id, rung, async () => { log.push(`+${id}`); await sleep(10); log.push(`-${id}`); return pass(); }));
    await runChecks(options([mk('a', 1), mk('b', 2), mk('c', 3)], { windowMode: 'per-check' }));
    expect(log).toEqual(['+a', '-a', '+b', '-b', '+c', '-c']);
  });
});

describe('probe window', () => {
  const observer = (id: string, rung: number, extra: Partial<Check> = {}) => check(id, rung, async (ctx: CheckContext) => {
    const o = await ctx.window.ready();
    return { status: 'pass', summary: o.note ?? '', evidence: [{ label: 'outcome', data: o }], findings: [] };
  }, { observes: true, ...extra });

  it('stepped mode (the wizard): the gate paces each rung, and the observing rungs of a window start with the first and share one probe', async () => {
    const fireProbe = vi.fn(async () => outcomeAt(1));
    const asked: string[] = [];
    const gate = async (id: string) => { asked.push(id); return 'run' as const; };
    const plan = [
      builtIn(check('inventory', 1, async () => pass())),
      builtIn(observer('routing', 2, { after: ['inventory'] })),
      builtIn(check('map', 4, async () => pass(), { after: ['inventory'] })),
      builtIn(observer('xdpdump', 5, { after: ['inventory'] })),
      builtIn(observer('tracepoints', 8, { after: ['inventory'] })),
    ];
    const { records, probes } = await runChecks(options(plan, { fireProbe, gate, windowMode: 'stepped' }));
    expect(fireProbe).toHaveBeenCalledTimes(1);
    expect(probes).toEqual([outcomeAt(1)]);
    // routing opened the window: xdpdump and tracepoints ran with it without being asked.
    expect(asked).toEqual(['inventory', 'routing', 'map']);
    expect(records.map((r) => [r.id, r.status])).toEqual([['inventory', 'pass'], ['routing', 'pass'], ['map', 'pass'], ['xdpdump', 'pass'], ['tracepoints', 'pass']]);
  });

  it('stepped mode: an observing rung skipped at the gate leaves the next one to open the window', async () => {
    const fireProbe = vi.fn(async () => outcomeAt(1));
    const gate = async (id: string) => (id === 'routing' ? 'skip' as const : 'run' as const);
    const { records } = await runChecks(options([builtIn(observer('routing', 2)), builtIn(observer('xdpdump', 5))], { fireProbe, gate, windowMode: 'stepped' }));
    expect(records.map((r) => [r.id, r.status])).toEqual([['routing', 'skip'], ['xdpdump', 'pass']]);
    expect(fireProbe).toHaveBeenCalledTimes(1);
  });

  it('two observing checks share ONE probe and both get its outcome', async () => {
    const fireProbe = vi.fn(async () => outcomeAt(1));
    const o = options([builtIn(observer('routing', 2)), builtIn(observer('trace-pipe', 3)), builtIn(check('map', 4, async () => pass()))], { fireProbe });
    const { records, probes } = await runChecks(o);
    expect(fireProbe).toHaveBeenCalledTimes(1);
    expect(probes).toEqual([outcomeAt(1)]);
    expect(records[0]!.evidence[0]!.data).toEqual(outcomeAt(1));
    expect(records[1]!.evidence[0]!.data).toBe(records[0]!.evidence[0]!.data);
    expect(o.events.filter((e) => e.type === 'probe-start')).toHaveLength(1);
    expect(o.events.filter((e) => e.type === 'probe-end')).toEqual([{ type: 'probe-end', outcome: outcomeAt(1) }]);
  });

  it('an observing check that depends on another observing check gets a second window', async () => {
    let n = 0;
    const fireProbe = vi.fn(async () => outcomeAt(++n));
    const { records, probes } = await runChecks(options([
      builtIn(observer('xdpdump', 5)), builtIn(observer('follow-up', 6, { after: ['xdpdump'] })), builtIn(observer('tracepoints', 8)),
    ], { fireProbe }));
    expect(fireProbe).toHaveBeenCalledTimes(2);
    expect(probes.map((p) => p.note)).toEqual(['probe 1', 'probe 2']);
    expect(records.map((r) => [r.id, r.summary])).toEqual([['xdpdump', 'probe 1'], ['follow-up', 'probe 2'], ['tracepoints', 'probe 1']]);
  });

  it('an observing check that crashes before ready() does not hold the probe back', async () => {
    const fireProbe = vi.fn(async () => outcomeAt(1));
    // The attach timeout at its 10-minute maximum: had the crash held the probe back, only that timer would release
    // it and the test would time out, so finishing at all is the assertion (no wall-clock limit).
    vi.stubEnv('XDP_DOCTOR_ATTACH_TIMEOUT_MS', '600000');
    try {
      const { records } = await runChecks(options([
        builtIn(check('crash', 2, async () => { throw new Error('no tcpdump'); }, { observes: true })),
        builtIn(observer('trace-pipe', 3)),
      ], { fireProbe }));
      expect(records.map((r) => r.status)).toEqual(['error', 'pass']);
      expect(fireProbe).toHaveBeenCalledTimes(1);
    } finally { vi.unstubAllEnvs(); }
  });

  it('a check using the window without declaring observes is an error that says so', async () => {
    const { records } = await runChecks(options([builtIn(check('sneaky', 1, async (ctx) => { await ctx.window.ready(); return pass(); }))]));
    expect(records[0]).toMatchObject({ status: 'error', summary: 'crashed: check sneaky used the probe window without declaring observes: true' });
  });

  it('without a probe the window is passive (target.windowMs)', async () => {
    const { records, probes } = await runChecks(options([builtIn(observer('routing', 2))]));
    expect(probes).toHaveLength(1);
    expect(probes[0]).toMatchObject({ ran: false, ok: true, note: 'passive window of 100 ms (no probe)' });
    expect(records[0]!.summary).toBe('passive window of 100 ms (no probe)');
  });
});

describe('planWindows', () => {
  const obs = (id: string, after?: string[]) => check(id, 1, async () => pass(), { observes: true, after });
  const plain = (id: string, after?: string[]) => check(id, 1, async () => pass(), { after });

  it('generation 0 for independent observers; +1 for an observer after an observer; non-observers do not add', () => {
    const g = planWindows([obs('a'), obs('b'), obs('c', ['a']), obs('d', ['c']), plain('p', ['a']), obs('e', ['b', 'missing'])]);
    expect(Object.fromEntries(g)).toEqual({ a: 0, b: 0, c: 1, d: 2, p: 0, e: 1 });
  });

  it('survives a cycle', () => {
    const g = planWindows([obs('a', ['b']), obs('b', ['a'])]);
    expect([...g.keys()].sort()).toEqual(['a', 'b']);
  });

  it('an observer that waits for an observer through a non-observing check still needs a later window', () => {
    // d cannot start before c ends, c not before a ends, a not before its window closes: d cannot join a's window.
    const g = planWindows([obs('a'), plain('c', ['a']), obs('d', ['c'])]);
    expect(g.get('d')!).toBeGreaterThan(g.get('a')!);
  });
});

describe('missing tools', () => {
  it('a check whose tool is missing is skip with the install hint, and does not hold the window', async () => {
    const fireProbe = vi.fn(async () => outcomeAt(1));
    const run = vi.fn(async () => pass());
    const { records } = await runChecks(options([
      builtIn(check('xdpdump', 5, run, { needs: ['xdpdump', 'bpftool'], observes: true })),
      builtIn(check('routing', 2, async (ctx) => { await ctx.window.ready(); return pass(); }, { needs: ['tcpdump'], observes: true })),
    ], {
      fireProbe,
      toolStatus: {
        xdpdump: { present: false, install: 'apt-get install xdp-tools' },
        bpftool: { present: true, install: 'apt-get install bpftool' },
        tcpdump: { present: true, install: 'apt-get install tcpdump' },
      },
    }));
    expect(run).not.toHaveBeenCalled();
    expect(records.find((r) => r.id === 'xdpdump')).toMatchObject({ status: 'skip', summary: 'needs xdpdump: apt-get install xdp-tools' });
    expect(records.find((r) => r.id === 'routing')!.status).toBe('pass');
    expect(fireProbe).toHaveBeenCalledTimes(1);
  });

  it('several missing tools are all named', async () => {
    const { records } = await runChecks(options([builtIn(check('x', 1, async () => pass(), { needs: ['tshark', 'bpftrace'] }))], {
      toolStatus: { tshark: { present: false, install: 'apt-get install tshark' }, bpftrace: { present: false, install: 'apt-get install bpftrace' } },
    }));
    expect(records[0]!.summary).toBe('needs tshark, bpftrace: apt-get install tshark; apt-get install bpftrace');
  });
});

describe('commands', () => {
  it('are recorded per check, with the namespace entered through nsenter', async () => {
    const { records } = await runChecks(options([
      builtIn(check('a', 1, async (ctx) => {
        await ctx.tools.exec.run(['ip', '-j', 'link', 'show'], { netns: { kind: 'name', name: 'lb' } });
        await ctx.tools.nstat.sample({ kind: 'pid', pid: 42 }).catch(() => undefined);
        return pass();
      })),
      builtIn(check('b', 2, async (ctx) => {
        ctx.tools.tcpdump.capture({ iface: 'g1', netns: { kind: 'path', path: '/run/netns/gw' } });
        return pass();
      })),
      builtIn(check('c', 3, async () => pass())),
    ]));
    expect(records[0]!.commands).toEqual([
      ['nsenter', '--net=/run/netns/lb', '--', 'ip', '-j', 'link', 'show'],
      ['nsenter', '--net=/proc/42/ns/net', '--', 'nstat', '-a', '-z', '-s', '--json'],
    ]);
    expect(records[1]!.commands).toEqual([['nsenter', '--net=/run/netns/gw', '--', 'tcpdump', '-i', 'g1', '-n', '-l', '-tt', '--immediate-mode']]);
    expect(records[2]!.commands).toEqual([]);
  });
});

describe('interruption and gate', () => {
  it('an aborted run skips the checks that had not started', async () => {
    const ac = new AbortController();
    ac.abort();
    const { records } = await runChecks(options([builtIn(check('a', 1, async () => pass()))], { signal: ac.signal }));
    expect(records[0]).toMatchObject({ status: 'skip', summary: 'interrupted before it ran' });
  });

  it('the gate can skip a check (the wizard)', async () => {
    const { records } = await runChecks(options([builtIn(check('a', 1, async () => pass())), builtIn(check('b', 2, async () => pass()))], {
      gate: async (id) => (id === 'a' ? 'skip' : 'run'),
    }));
    expect(records.map((r) => [r.id, r.status, r.summary])).toEqual([['a', 'skip', 'skipped by the operator'], ['b', 'pass', 'ok']]);
  });
});

describe('the one attach timeout, everywhere', () => {
  const hangs = (id: string, rung: number) => builtIn(check(id, rung, (ctx) => new Promise((resolve) => {
    ctx.signal.addEventListener('abort', () => resolve(pass()), { once: true });
  }), { observes: true, timeoutMs: 10_000 }));

  for (const windowMode of ['shared', 'stepped', 'per-check'] as const) {
    it(`${windowMode}: a collector that never attaches holds the probe XDP_DOCTOR_ATTACH_TIMEOUT_MS, not 20 s`, async () => {
      vi.stubEnv('XDP_DOCTOR_ATTACH_TIMEOUT_MS', '1000');
      try {
        const started = Date.now();
        let firedAt = 0;
        const fireProbe = vi.fn(async () => { firedAt ||= Date.now() - started; return outcomeAt(1); });
        const checks = windowMode === 'per-check' ? [builtIn(check('stuck', 2, async (ctx) => {
          // ready() never comes from this one: the window's own attach timer fires the probe.
          await new Promise((r) => setTimeout(r, 1500)); await ctx.window.ready(); return pass();
        }, { observes: true }))] : [builtIn(check('a', 2, async (ctx) => { await ctx.window.ready(); return pass(); }, { observes: true })), hangs('b', 3)];
        await runChecks(options(checks, { fireProbe, windowMode }));
        expect(fireProbe).toHaveBeenCalled();
        expect(firedAt).toBeGreaterThanOrEqual(900);
        expect(firedAt).toBeLessThan(1450);
      } finally { vi.unstubAllEnvs(); }
    });
  }
});

describe('attachTimeoutMs', () => {
  it('is 20 s unless XDP_DOCTOR_ATTACH_TIMEOUT_MS names 1 s .. 10 min', () => {
    expect(attachTimeoutMs({})).toBe(20_000);
    expect(attachTimeoutMs({ XDP_DOCTOR_ATTACH_TIMEOUT_MS: '90000' })).toBe(90_000);
    for (const bad of ['0', '999', 'abc', '1e9', '1500.5']) expect(attachTimeoutMs({ XDP_DOCTOR_ATTACH_TIMEOUT_MS: bad })).toBe(20_000);
  });
});
