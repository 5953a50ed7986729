// src/plugins/testing.ts, the check tester: the fake Exec (argv patterns, namespaces, repeated commands,
// collectors), loud failures for commands with no recording, the result validated like the runner does, time
// limits, partial expectations, and the table-driven testCheck. Recorded output comes from real runs on the lab
// (examples/xdp-doctor-plugin-rpfilter/test/recordings).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fakeExec, fakeFiles, mismatches, NoRecordingError, recordingExec, runCheck, testCheck, verifyCase,
  type CheckCase, type Recording,
} from '../../src/plugins/testing.js';
import type { Check, CheckResult } from '../../src/engine/types.js';

const recorded = JSON.parse(readFileSync(new URL('../../examples/xdp-doctor-plugin-rpfilter/test/recordings/g2-strict.json', import.meta.url), 'utf8'));
const gwSysctl: Recording = recorded.recordings.find((r: Recording) => r.netns === 'p6-gw' && (r.argv as string[])[0] === 'sysctl');
const g2Capture: Recording = recorded.recordings.find((r: Recording) => (r.argv as string[])[0] === 'tcpdump');
const nstats: Recording[] = recorded.recordings.filter((r: Recording) => (r.argv as string[])[0] === 'nstat');
const GW = { kind: 'name' as const, name: 'p6-gw' };
const pass = (summary = 'ok'): CheckResult => ({ status: 'pass', summary, evidence: [], findings: [] });
const mk = (run: Check['run'], extra: Partial<Check> = {}): Check => ({ id: 'team/x', title: 'X', rung: 3, run, ...extra });

describe('fakeExec', () => {
  it('answers exact argv with the recorded output, in the recorded namespace', async () => {
    const exec = fakeExec([gwSysctl]);
    const r = await exec.run(gwSysctl.argv as string[], { netns: GW });
    expect(r).toMatchObject({ ok: true, exitCode: 0, stdout: 'net.ipv4.conf.all.rp_filter = 0\nnet.ipv4.conf.g0.rp_filter = 0\nnet.ipv4.conf.g1.rp_filter = 0\nnet.ipv4.conf.g2.rp_filter = 1\n' });
    expect(r.argv.slice(0, 3)).toEqual(['nsenter', '--net=/run/netns/p6-gw', '--']);
    expect(exec.calls[0]).toMatchObject({ kind: 'run', argv: gwSysctl.argv, netns: GW });
  });

  it('fails loudly with the argv and namespace that had no recording', async () => {
    const exec = fakeExec([gwSysctl]);
    const err = await exec.run(['sysctl', 'net.ipv4.conf.all.rp_filter'], { netns: { kind: 'name', name: 'p6-real' } }).catch((e) => e);
    expect(err).toBeInstanceOf(NoRecordingError);
    expect(err.message).toContain('no recording for run ["sysctl","net.ipv4.conf.all.rp_filter"] in netns p6-real');
    expect(err.message).toContain('as it would run: nsenter --net=/run/netns/p6-real -- sysctl net.ipv4.conf.all.rp_filter');
    expect(err.message).toContain('recorded: ["sysctl","net.ipv4.conf.all.rp_filter","net.ipv4.conf.g0.rp_filter"');
    expect(exec.unmatched).toHaveLength(1);
    expect(() => exec.spawn(['tcpdump', '-i', 'x'])).toThrow('no recording for spawn ["tcpdump","-i","x"]');
  });

  it('matches RegExp elements and predicates; a namespace-specific recording wins over a wildcard', async () => {
    const exec = fakeExec([
      { argv: ['ip', '-j', 'route', 'get', /\d+\.\d+\.\d+\.\d+/], stdout: 'any' },
      { argv: ['ip', '-j', 'route', 'get', /[\d.]+/], netns: 'p6-gw', stdout: 'gw' },
      { argv: (a) => a[0] === 'nstat', stdout: '{}' },
      { argv: ['hostname'], netns: null, stdout: 'host' },
    ]);
    expect((await exec.run(['ip', '-j', 'route', 'get', '10.0.0.1'])).stdout).toBe('any');
    expect((await exec.run(['ip', '-j', 'route', 'get', '10.0.0.1'], { netns: GW })).stdout).toBe('gw');
    expect((await exec.run(['ip', '-j', 'route', 'get', '10.0.0.1'], { netns: { kind: 'path', path: '/run/netns/p6-gw' } })).stdout).toBe('gw');
    expect((await exec.run(['nstat', '-a'])).stdout).toBe('{}');
    expect((await exec.run(['hostname'])).stdout).toBe('host');
    await expect(exec.run(['hostname'], { netns: GW })).rejects.toThrow(NoRecordingError);
    // A RegExp must match the whole element.
    await expect(exec.run(['ip', '-j', 'route', 'get', '10.0.0.1/24x'])).rejects.toThrow(NoRecordingError);
  });

  it('repeated commands answer in recorded order (times: 1 each): before/after samples', async () => {
    const exec = fakeExec(nstats);
    const before = JSON.parse((await exec.run(['nstat', '-a', '-z', '-s', '--json'], { netns: GW })).stdout).kernel.TcpExtIPReversePathFilter;
    const after = JSON.parse((await exec.run(['nstat', '-a', '-z', '-s', '--json'], { netns: GW })).stdout).kernel.TcpExtIPReversePathFilter;
    expect(after - before).toBe(4);
    await expect(exec.run(['nstat', '-a', '-z', '-s', '--json'], { netns: GW })).rejects.toThrow(/recorded: .*×1/);
  });

  it('recorded failures, missing binaries, delays and hangs (which end on abort)', async () => {
    const exec = fakeExec([
      recorded.recordings.find((r: Recording) => (r.argv as string[]).includes('iif')),
      { argv: ['bpftrace', '-e', 'x'], notFound: true },
      { argv: ['slow'], delayMs: 30, stdout: 'late' },
      { argv: ['forever'], hang: true },
    ]);
    expect(await exec.run(['ip', '-j', 'route', 'get', '10.111.220.11', 'from', '192.168.10.1', 'iif', 'g2'], { netns: GW }))
      .toMatchObject({ ok: false, exitCode: 2, stderr: 'RTNETLINK answers: Invalid argument\n' });
    expect(await exec.run(['bpftrace', '-e', 'x'])).toMatchObject({ ok: false, notFound: true, stderr: 'bpftrace: command not found' });
    expect((await exec.run(['slow'])).stdout).toBe('late');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    expect(await exec.run(['forever'], { signal: ac.signal })).toMatchObject({ ok: false, stderr: 'canceled (AbortSignal)' });
  });

  it('truncated: a command ended at the caller\'s byte cap has no exit code, is not ok, and says so; calls keep their options', async () => {
    const exec = fakeExec([
      { argv: ['bpftool', '-j', 'map', 'dump', 'id', '835'], stdout: '[{"key":["0x01"', truncated: true },
      { argv: ['bpftool', '-j', 'map', 'dump', 'id', '836'], stdout: '[]' },
    ]);
    const r = await exec.run(['bpftool', '-j', 'map', 'dump', 'id', '835'], { maxBytes: 16, timeoutMs: 10_000 });
    expect(r).toEqual({
      argv: ['bpftool', '-j', 'map', 'dump', 'id', '835'], exitCode: undefined, stdout: '[{"key":["0x01"', stderr: '',
      timedOut: false, notFound: false, durationMs: 0, ok: false, truncated: true,
    });
    expect(exec.calls[0]!.opts).toEqual({ maxBytes: 16, timeoutMs: 10_000 });
    // Without the field: no `truncated` key at all, as realExec answers.
    expect(await exec.run(['bpftool', '-j', 'map', 'dump', 'id', '836'])).not.toHaveProperty('truncated');
  });

  it('collectors: stderr at once (readyWhen), stdout lines when the window fires, all of it on stop()', async () => {
    const exec = fakeExec([g2Capture]);
    const seen: string[] = [];
    const c = exec.spawn(g2Capture.argv as string[], {
      netns: GW, readyWhen: (l, s) => s === 'stderr' && l.startsWith('listening on'), onLine: (l, s) => seen.push(s),
    });
    await c.ready;
    expect(seen).toEqual(['stderr', 'stderr']); // the banner and "listening on"; the capture statistics come at the end
    exec.flushCollectors();
    expect(seen.filter((s) => s === 'stdout')).toHaveLength(g2Capture.lines!.length);
    const r = await c.stop();
    expect(r.stdoutLines[0]).toMatch(/^\d+\.\d+ IP 192\.168\.10\.1\.50002 > 10\.111\.220\.11\.\d+: Flags \[S\.\]/);
    expect(r.stderrLines).toEqual(g2Capture.stderrLines);
    expect(r.stderrLines[1]).toBe('listening on g2, link-type EN10MB (Ethernet), snapshot length 262144 bytes');
    expect(await c.done).toBe(r);
  });

  it('a collector that never prints its readiness line rejects ready, like a tool that exited', async () => {
    const exec = fakeExec([{ argv: ['tcpdump', '-i', 'nope'], stderrLines: ['tcpdump: nope: No such device exists'], exitCode: 1 }]);
    const c = exec.spawn(['tcpdump', '-i', 'nope'], { readyWhen: (l) => l.startsWith('listening on') });
    await expect(c.ready).rejects.toThrow('tcpdump -i nope exited (code 1) before it was attached: tcpdump: nope: No such device exists');
    expect((await c.done).exitCode).toBe(1);
  });

  it('maxLines keeps the first lines and counts the rest', async () => {
    const exec = fakeExec([{ argv: ['flood'], lines: ['a', 'b', 'c', 'd'] }]);
    const r = await exec.spawn(['flood'], { maxLines: 2 }).stop();
    expect(r.stdoutLines).toEqual(['a', 'b']);
    expect(r.droppedLines).toBe(2);
  });
});

describe('fakeFiles', () => {
  it('reads, writes, lists and resolves links from a path map', async () => {
    const f = fakeFiles({ '/sys/class/net/l0/mtu': '1500\n', '/sys/class/net/g1/mtu': '9000\n' }, { '/proc/1/ns/net': 'net:[4026531840]' });
    expect(await f.read('/sys/class/net/l0/mtu')).toBe('1500\n');
    expect(await f.read('/nope')).toBeUndefined();
    expect(await f.list('/sys/class/net')).toEqual(['g1', 'l0']);
    expect(await f.exists('/sys/class/net')).toBe(true);
    expect(await f.readlink('/proc/1/ns/net')).toBe('net:[4026531840]');
    await f.write('/sys/class/net/l0/mtu', '1400');
    expect(f.writes).toEqual([['/sys/class/net/l0/mtu', '1400']]);
    expect(f.reads).toEqual(['/sys/class/net/l0/mtu', '/nope']);
  });
});

describe('runCheck', () => {
  it('gives the check real tools over the recordings, facts, target, options and a probe outcome', async () => {
    const c = mk(async (ctx) => {
      const before = await ctx.tools.nstat.sample(ctx.target.netns);
      const outcome = await ctx.window.ready();
      const after = await ctx.tools.nstat.sample(ctx.target.netns);
      ctx.facts.set('team/rpf', after.TcpExtIPReversePathFilter! - before.TcpExtIPReversePathFilter!);
      ctx.progress('sampled');
      ctx.live('a line');
      const inv = ctx.facts.get<{ progId: number }>('inventory');
      return pass(`prog ${inv?.progId}, probe ${outcome.ok ? 'ok' : 'failed'}, mode ${ctx.options.mode}`);
    }, { observes: true });
    const run = await runCheck(c, {
      target: { netns: GW }, exec: nstats, facts: { inventory: { progId: 2377 } }, probe: { ok: false, exitCode: 1 }, options: { mode: 'x' },
    });
    expect(run.result.summary).toBe('prog 2377, probe failed, mode x');
    expect(run.facts['team/rpf']).toBe(4);
    expect(run.commands).toEqual([0, 1].map(() => ['nsenter', '--net=/run/netns/p6-gw', '--', 'nstat', '-a', '-z', '-s', '--json']));
    expect(run).toMatchObject({ progress: ['sampled'], live: ['a line'], usedWindow: true });
  });

  it('rejects when the check ran a command with no recording, even if it swallowed the error', async () => {
    const c = mk(async (ctx) => {
      try { await ctx.tools.exec.run(['ethtool', '-S', 'l0']); } catch { /* ignored by a sloppy check */ }
      return pass();
    });
    await expect(runCheck(c)).rejects.toThrow('check team/x ran 1 command(s) with no recording:\n  run ["ethtool","-S","l0"]');
  });

  it('validates the result like the runner, naming the bad field', async () => {
    await expect(runCheck(mk(async () => ({ status: 'pass', summary: 'x', evidence: [], findings: [{ cause: 'c', severity: 'urgent', message: 'm', fixes: [] }] }) as never)))
      .rejects.toThrow('check team/x returned an invalid result: result.findings[0].severity must be one of critical|high|medium|low|info (got "urgent")');
    await expect(runCheck(mk(async () => ({ status: 'pass', summary: 'x', evidence: [], findings: [{ cause: 'c', severity: 'high', message: 'm', fixes: [{ title: 't', commands: ['sysctl -w x=1'] }] }] }) as never)))
      .rejects.toThrow('fixes[0].commands must be string[][] (argv arrays)');
  });

  it('a throw propagates with its own message and stack', async () => {
    await expect(runCheck(mk(async () => { throw new Error('parse failed'); }))).rejects.toThrow('parse failed');
  });

  it('a hang ends at the check\'s timeout; its signal is aborted, so its commands end too', async () => {
    let signal: AbortSignal | undefined;
    const c = mk(async (ctx) => {
      signal = ctx.signal;
      await ctx.tools.exec.run(['forever']);
      return await new Promise<CheckResult>(() => {});
    }, { timeoutMs: 50 });
    await expect(runCheck(c, { exec: [{ argv: ['forever'], hang: true }] })).rejects.toThrow('check team/x timed out after 50 ms; last command: forever');
    expect(signal?.aborted).toBe(true);
  });

  it('the window is only for checks that declare observes: true', async () => {
    await expect(runCheck(mk(async (ctx) => { await ctx.window.ready(); return pass(); })))
      .rejects.toThrow('check team/x used the probe window without declaring observes: true');
  });
});

describe('recordingExec', () => {
  it('turns what ran into recordings that replay the same run', async () => {
    const source = fakeExec([gwSysctl, g2Capture]);
    const rec = recordingExec(source);
    await rec.run(gwSysctl.argv as string[], { netns: GW });
    await rec.spawn(g2Capture.argv as string[], { netns: GW }).stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(rec.recordings).toEqual([
      { argv: gwSysctl.argv, netns: 'p6-gw', times: 1, stdout: gwSysctl.stdout, stderr: '', exitCode: 0 },
      { argv: g2Capture.argv, netns: 'p6-gw', times: 1, lines: g2Capture.lines, stderrLines: g2Capture.stderrLines },
    ]);
    const replay = fakeExec(rec.recordings);
    expect((await replay.run(gwSysctl.argv as string[], { netns: GW })).stdout).toBe(gwSysctl.stdout);
  });

  it('a run stopped at its byte cap is recorded truncated and replays so', async () => {
    const rec = recordingExec(fakeExec([{ argv: ['bpftool', '-j', 'map', 'dump', 'id', '835'], stdout: '[{"key"', truncated: true }]));
    await rec.run(['bpftool', '-j', 'map', 'dump', 'id', '835'], { maxBytes: 7 });
    expect(rec.recordings).toEqual([{ argv: ['bpftool', '-j', 'map', 'dump', 'id', '835'], netns: null, times: 1, stdout: '[{"key"', stderr: '', truncated: true }]);
    expect(await fakeExec(rec.recordings).run(['bpftool', '-j', 'map', 'dump', 'id', '835'], { maxBytes: 7 })).toMatchObject({ ok: false, exitCode: undefined, truncated: true });
  });
});

describe('expectations', () => {
  it('mismatches: partial objects, exact-length arrays, RegExps, predicates', () => {
    const r = { status: 'fail', summary: 'rp_filter strict on g2', findings: [{ cause: 'rp-filter-drop', iface: 'g2', fixes: [] }] };
    expect(mismatches(r, { status: 'fail', summary: /strict/, findings: [{ iface: 'g2' }] }, 'result')).toEqual([]);
    expect(mismatches(r, { status: 'pass', summary: /loose/, findings: [] }, 'result')).toEqual([
      'result.status: expected "pass", got "fail"',
      'result.summary: expected to match /loose/, got "rp_filter strict on g2"',
      'result.findings: expected 0 element(s), got 1: [{"cause":"rp-filter-drop","iface":"g2","fixes":[]}]',
    ]);
    expect(mismatches(r, { findings: (f: unknown[]) => f.length > 1 }, 'result')).toEqual([
      'result.findings: [{"cause":"rp-filter-drop","iface":"g2","fixes":[]}] does not satisfy (f) => f.length > 1',
    ]);
  });

  it('verifyCase: expect, commands and throws; mismatches listed with the status line', async () => {
    const c = mk(async (ctx) => {
      await ctx.tools.exec.run(gwSysctl.argv as string[], { netns: GW });
      return { status: 'warn', summary: 'hmm', evidence: [], findings: [] };
    });
    const base: CheckCase = { name: 'one', exec: [gwSysctl] };
    await expect(verifyCase(c, { ...base, expect: { status: 'warn' }, commands: [['nsenter', /--net=.*/, '--', 'sysctl', /.*/, /.*/, /.*/, /.*/]] })).resolves.toBeDefined();
    await expect(verifyCase(c, { ...base, expect: { status: 'fail', summary: 'hmm' } }))
      .rejects.toThrow('one: 1 mismatch(es)\n  result.status: expected "fail", got "warn"\n  (status warn: hmm)');
    await expect(verifyCase(c, { ...base, commands: [] })).rejects.toThrow(/commands: expected\n {4}\n {2}got\n {4}nsenter --net=\/run\/netns\/p6-gw -- sysctl/);
    await expect(verifyCase(c, { ...base, throws: 'x' })).rejects.toThrow('one: expected an error matching x, but the check returned warn: hmm');
    await expect(verifyCase(c, { name: 'no recordings', throws: /no recording for run/ })).resolves.toBeUndefined();
  });

  it('testCheck registers one test per case under the check id, honouring only/skip', async () => {
    const registered: { how: string; name: string; body: () => Promise<unknown> }[] = [];
    const test = Object.assign((name: string, body: () => Promise<unknown>) => { registered.push({ how: 'test', name, body }); }, {
      skip: (name: string, body: () => Promise<unknown>) => { registered.push({ how: 'skip', name, body }); },
    });
    const groups: string[] = [];
    const c = mk(async () => pass('fine'));
    testCheck(c, [{ name: 'a', expect: { status: 'pass' } }, { name: 'b', expect: { status: 'fail' } }, { name: 'c', skip: true }], {
      test, describe: (name, body) => { groups.push(name); body(); },
    });
    expect(groups).toEqual(['team/x']);
    expect(registered.map((r) => `${r.how} ${r.name}`)).toEqual(['test a', 'test b', 'skip c']);
    await expect(registered[0]!.body()).resolves.toBeUndefined();
    await expect(registered[1]!.body()).rejects.toThrow('b: 1 mismatch(es)');
    expect(() => testCheck(c, [{ name: 'a' }, { name: 'a' }], { test })).toThrow('two cases are named "a"');
  });
});
