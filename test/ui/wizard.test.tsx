// The wizard with a fake engine: start screen, every key on a finished rung, the fix confirmation (y and n),
// q and Ctrl-C, and the summary. Records are from a real run on the lab with the veth-peer fault.
import { afterEach, describe, expect, test } from 'vitest';
import { Wizard } from '../../src/ui/app.js';
import { WizardSession, type SessionOptions } from '../../src/ui/session.js';
import { diagnose } from '../../src/engine/diagnosis.js';
import type { CheckRecord } from '../../src/engine/types.js';
import { makeTheme } from '../../src/ui/theme.js';
import { KEYS, after, press, renderTui, waitFor, waitForText, type Rendered } from './helpers.js';
import { START_QUESTION } from '../../bench/lib/expect.mjs';
import { HEALTHY_REPORT, VETH_REPORT, deferred, fakeEngine, plannedFrom, type FakeOptions } from './fake-engine.js';

const TOOL = { name: 'xdp-doctor', version: '0.1.0' };
const FIVE = ['preflight', 'inventory', 'routing', 'trace-pipe', 'map-dump'];
const ALL = VETH_REPORT.checks.map((c) => c.id);

let open: Rendered[] = [];
afterEach(() => { for (const r of open) r.unmount(); open = []; });

type StartOptions = FakeOptions & Pick<SessionOptions, 'signal' | 'reportPath' | 'preRecords' | 'diagnose'> & {
  withTarget?: boolean; ids?: string[]; columns?: number; rows?: number;
};

function start(opts: StartOptions = {}) {
  const engine = fakeEngine(opts);
  const exits: number[] = [];
  const session = new WizardSession({
    engine, checks: plannedFrom(VETH_REPORT, opts.ids ?? FIVE), tool: TOOL, preferLab: 'wz', liveFlushMs: 5,
    target: opts.withTarget === false ? undefined : VETH_REPORT.target, signal: opts.signal, reportPath: opts.reportPath,
    preRecords: opts.preRecords, diagnose: opts.diagnose,
  });
  const r = renderTui(<Wizard session={session} theme={makeTheme({ NO_COLOR: '1' })} onExit={(c) => exits.push(c)} />, { columns: opts.columns, rows: opts.rows });
  open.push(r);
  return { r, engine, session, exits };
}

const live = (f: string) => after(f, 'xdp-doctor 0.1.0 — climbing');

describe('start screen', () => {
  const discovery = {
    labs: [{ name: 'h3', phase: 'up' as const, faults: [], programs: 3 }, { name: 'wz', phase: 'up' as const, faults: ['veth-peer'], programs: 2 }],
    programs: [
      { iface: 'a0', ifindex: 3, netns: 'app', progId: 1003, progName: 'xdp_pass', mode: 'generic' as const },
      { iface: 'eth1', ifindex: 4, progId: 77, progName: 'xdp_fw', mode: 'native' as const },
    ],
    problems: [], namespaces: 9,
  };

  test('lists the labs and every program with iface, netns, prog name/id and mode; --lab-name is preselected', async () => {
    const { r } = start({ withTarget: false, discovery });
    const f = await waitForText(r, 'xdp_fw #77');
    expect(f).toContain('which XDP program should we examine?');
    // The bench times "first frame" to this question (bench/lib/expect.mjs): it must be what the screen asks.
    expect(f).toMatch(START_QUESTION);
    expect(f).toMatch(/the built-in lab "h3" — up · 3 XDP program\(s\)/);
    expect(f).toMatch(/› the built-in lab "wz" — up · fault: veth-peer/);
    expect(f).toMatch(/a0 +app +xdp_pass #1003 +generic/);
    expect(f).toMatch(/eth1 +\(host\) +xdp_fw #77 +native/);
    expect(f).toContain('in its 9 network namespace(s)');
    expect(f).toContain('↑↓ choose · Enter examine · q quit');
  });

  test('arrows move the selection and Enter examines the chosen program', async () => {
    const { r, engine } = start({ withTarget: false, discovery });
    await waitForText(r, '› the built-in lab "wz"');
    await press(r, KEYS.down, /› a0 +app/);
    await press(r, KEYS.down, /› eth1/);
    await press(r, KEYS.down); // stays on the last row
    await press(r, KEYS.up, /› a0 +app/);
    await press(r, KEYS.enter, 'climbing the ladder');
    expect(engine.resolved).toEqual([{ kind: 'iface', attachment: discovery.programs[0] }]);
    expect(engine.climbs[0]).toEqual({ ids: FIVE, windowMode: 'stepped', gated: true });
  });

  test('choosing a lab that cannot be examined says why and stays on the list', async () => {
    const { r } = start({ withTarget: false, discovery, resolveError: 'lab wz is only partly built: run `xdp-doctor lab down --lab-name wz`' });
    await waitForText(r, '› the built-in lab "wz"');
    const f = await press(r, KEYS.enter, '✗ lab wz is only partly built');
    expect(f).toContain('› the built-in lab "wz"');
  });

  test('q quits with 0 before anything ran', async () => {
    const { r, exits, engine } = start({ withTarget: false, discovery });
    await waitForText(r, 'xdp_fw');
    await press(r, 'q');
    await waitFor(() => exits.length > 0, 'exit');
    expect(exits).toEqual([0]);
    expect(engine.climbs).toEqual([]);
  });

  test('nothing found: says how to start the lab', async () => {
    const { r } = start({ withTarget: false, discovery: { labs: [], programs: [], problems: ['ns1: Permission denied'], namespaces: 1 } });
    const f = await waitForText(r, 'No XDP program is attached anywhere');
    expect(f).toMatch(/xdp-doctor lab up\s+--fault\s+veth-peer/);
    expect(f).toContain('could not look in 1 place(s): ns1: Permission denied');
  });
});

describe('the ladder, one rung at a time', () => {
  test('the first rung runs at once; each next rung waits for Enter and shows its question', async () => {
    const { r, engine } = start();
    let f = await waitForText(r, '▸ next: XDP inventory');
    expect(f).toContain('! Preflight');
    expect(f).toContain('ready, degraded: 1 limitation(s)');
    expect(f).toContain('Which XDP program runs on the interface');
    expect(f).toContain('Enter next · a run all · r rerun · d details · s skip · q quit');
    expect(engine.gates).toEqual(['preflight', 'inventory']);
    f = await press(r, KEYS.enter, '▸ next: Route');
    expect(f).toMatch(/! XDP inventory[\s\S]*peer g1 has no XDP/);
    expect(f).toContain('• native XDP on veth l0 whose peer g1 has no XDP program');
    // A finding with a fix makes `f` available.
    expect(live(f)).toContain('f apply fix');
    f = await press(r, KEYS.enter, '▸ next: bpf_printk');
    expect(f).toMatch(/✗ Route \(tcpdump along the path\)/);
  });

  test('a running rung shows a spinner, its progress and live evidence; only the newest lines', async () => {
    const hold = deferred();
    const lines = Array.from({ length: 30 }, (_, i) => `client c0: IP 10.111.220.11.4${String(i).padStart(4, '0')} > 192.168.10.1.50002: Flags [S]`);
    const { r } = start({ hold: { routing: hold }, live: { routing: lines }, rows: 24 });
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, KEYS.enter, '▸ next: Route');
    let f = await press(r, KEYS.enter, 'Flags [S]');
    f = await waitForText(r, '10.111.220.11.40029');
    const region = live(f).slice(live(f).lastIndexOf('Route (tcpdump') - 3);
    expect(region).toContain('Does the packet travel the route towards the XDP program');
    expect(region).toContain('… working on routing');
    expect(region).toMatch(/\(\+2\d earlier line\(s\)\)/);
    expect(region).not.toContain('10.111.220.11.40000 ');
    expect(region).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(region).toContain('a run all remaining · q quit · Ctrl-C stop now');
    hold.resolve();
    f = await waitForText(r, '▸ next: bpf_printk');
    expect(live(f)).not.toContain('Flags [S]');
  });

  test('a runs every remaining rung without more keys and ends in the summary', async () => {
    const { r, engine } = start({ ids: ALL });
    await waitForText(r, '▸ next: XDP inventory');
    const f = await press(r, 'a', 'Diagnosis');
    expect(engine.gates).toEqual(ALL);
    for (const c of VETH_REPORT.checks) expect(f).toContain(c.title);
  });

  test('s skips the next rung', async () => {
    const { r, session } = start();
    await waitForText(r, '▸ next: XDP inventory');
    const f = await press(r, 's', '▸ next: Route');
    expect(f).toMatch(/○ XDP inventory[\s\S]*skipped by the operator/);
    expect(session.getState().records.find((x) => x.id === 'inventory')?.status).toBe('skip');
  });

  test('r re-runs the finished rung; ↑ picks an earlier one', async () => {
    const { r, engine } = start();
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, KEYS.enter, '▸ next: Route');
    await press(r, 'r', '(rerun)');
    expect(engine.climbs[1]).toEqual({ ids: ['inventory'], windowMode: 'per-check', gated: false });
    await waitForText(r, '▸ next: Route');
    await press(r, KEYS.up, 'r/d act on: ! Preflight');
    await press(r, 'r');
    await waitFor(() => engine.climbs.length === 3, 'a third climb');
    expect(engine.climbs[2]!.ids).toEqual(['preflight']);
    // The main ladder still waits for the next rung.
    await waitForText(r, '▸ next: Route');
    expect(engine.gates).toEqual(['preflight', 'inventory', 'routing']);
  });

  test('d shows the exact commands and raw evidence, scrolls, and closes', async () => {
    const { r } = start({ rows: 24 });
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, KEYS.enter, '▸ next: Route');
    await press(r, KEYS.enter, '▸ next: bpf_printk');
    let f = await press(r, 'd', 'Details: ✗ Route (tcpdump along the path)');
    const pane = after(f, 'Details:');
    expect(pane).toContain('Commands run (');
    expect(pane).toMatch(/\$ nsenter --net=\/run\/netns\/wz-client -- tcpdump/);
    expect(pane).toContain('↑↓ scroll · PgUp/PgDn page · d/Esc close');
    expect(pane).toMatch(/lines 1-18 of \d+/);
    f = await press(r, KEYS.pageDown, /lines 19-/);
    f = await press(r, KEYS.end, /lines \d+-\d+ of/);
    f = await press(r, 'd', '▸ next: bpf_printk');
    expect(after(f, '▸ next')).not.toContain('Details:');
  });

  test('details of a rung with structured evidence show it as JSON', async () => {
    const { r } = start();
    await waitForText(r, '▸ next: XDP inventory');
    const f = await press(r, 'd', 'Details: ! Preflight');
    expect(after(f, 'Details:')).toContain('"tcpdump": "4.99.3"');
    await press(r, KEYS.escape, '▸ next: XDP inventory');
  });
});

describe('f: apply the suggested fix', () => {
  async function toFix(opts: FakeOptions = {}) {
    const s = start({ ids: ALL, ...opts });
    await waitForText(s.r, '▸ next: XDP inventory');
    await press(s.r, 'a', 'Diagnosis');
    const f = await press(s.r, 'f', 'Apply it? y yes · n no');
    return { ...s, f };
  }

  test('shows the exact argv and its undo, then n changes nothing', async () => {
    const { r, engine, f } = await toFix();
    const box = after(f, 'Apply a fix for');
    expect(box).toContain('XDP_TX on a veth whose peer cannot receive XDP frames');
    expect(box).toContain('$ nsenter --net=/run/netns/wz-gw -- ip link set dev g1 xdpdrv obj');
    expect(box).toContain('xdp_pass.o sec xdp');
    expect(box).toContain('$ nsenter --net=/run/netns/wz-gw -- ip link set dev g1 xdpdrv off');
    expect(box).toContain('y apply · n cancel');
    const g = await press(r, 'n', 'the fix was not applied; nothing changed');
    expect(engine.fixes).toEqual([]);
    expect(engine.probes).toBe(0);
    expect(after(g, 'Diagnosis')).not.toContain('Apply it?');
  });

  test('y applies it, probes again, re-runs the failed rungs and says it worked; q then exits 0', async () => {
    const { r, engine, exits, session } = await toFix();
    const f = await press(r, 'y', '✓ the fix worked');
    expect(engine.fixes).toHaveLength(1);
    expect(engine.fixes[0]!.cause).toBe('veth-peer-no-xdp');
    expect(engine.fixes[0]!.fix.commands[0]).toEqual(expect.arrayContaining(['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv']));
    expect(engine.probes).toBe(1);
    const rerun = engine.climbs[1]!;
    expect(rerun.windowMode).toBe('shared');
    expect(rerun.gated).toBe(false);
    // The rungs that failed (routing, ethtool-stats, tracepoints), the one that found the cause, and their prerequisite.
    expect(rerun.ids).toEqual(expect.arrayContaining(['preflight', 'inventory', 'routing', 'ethtool-stats', 'tracepoints']));
    expect(f).toMatch(/✓ Route \(tcpdump along the path\)\s+\(after fix\)/);
    expect(f).toContain('the probe passes and the rungs that failed now pass');
    const end = after(f, '✓ the fix worked');
    expect(end).toContain('Diagnosis: nothing wrong found');
    expect(end).toMatch(/fix worked · exit 0/);
    expect(session.currentReport()!.fix!.worked).toBe(true);
    await press(r, 'q');
    await waitFor(() => exits.length > 0, 'exit');
    expect(exits).toEqual([0]);
  });

  test('a fix whose command fails is rolled back and reported as not fixed', async () => {
    const { r, engine } = await toFix({ applyOk: false });
    const f = await press(r, 'y', '✗ not fixed');
    expect(f).toContain('the fix failed and was rolled back: RTNETLINK answers: Device or resource busy');
    expect(engine.probes).toBe(0);
    expect(engine.climbs).toHaveLength(1);
  });

  test('a fix that failed before it changed anything does not claim a roll-back', async () => {
    const { r, engine } = await toFix({ applyOk: false, applyState: 'failed' });
    const f = await press(r, 'y', '✗ not fixed');
    expect(f).toContain('the fix failed before it changed anything: RTNETLINK answers: Device or resource busy');
    expect(f).not.toContain('rolled back');
    expect(engine.probes).toBe(0);
  });

  test('a fix that applies but leaves the probe failing is not called a success', async () => {
    const { r } = await toFix({ probeOk: false, after: VETH_REPORT });
    const f = await press(r, 'y', '✗ not fixed');
    expect(f).toMatch(/the probe still fails \(no echo came back\)/);
  });

  test('f with nothing diagnosed says so', async () => {
    const { r } = start({ before: HEALTHY_REPORT, ids: ['preflight', 'inventory'] });
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, 'f', 'no fix to apply: nothing has been diagnosed so far');
  });
});

describe('the end', () => {
  test('the summary: top cause, ENXIO explained, the fix command, the route with where packets were lost', async () => {
    const { r } = start({ ids: ALL });
    await waitForText(r, '▸ next: XDP inventory');
    const f = await press(r, 'a', 'Diagnosis');
    const end = after(f, 'Diagnosis');
    expect(end).toMatch(/1\. XDP_TX on a veth whose peer cannot receive XDP frames .*\[99%\]/);
    expect(end).toContain('ENXIO (errno 6, the kernel reports -6): No such device or address');
    expect(end).toMatch(/in xdp:xdp_bulk_tx on veth \(l0\): XDP_TX frames were refused: the veth peer's receive queue has\s+no NAPI/);
    expect(end).toContain('fix: attach a dummy XDP_PASS program to the veth peer g1');
    // Wrapped between arguments with a trailing backslash: still one command when pasted into a shell.
    expect(end).toMatch(/\$ nsenter --net=\/run\/netns\/wz-gw -- ip link set dev g1 xdpdrv obj( \\\n\s+)?\S*xdp_pass\.o sec xdp/);
    expect(end).toContain('Route  client ✓ → gw ✓ → lb ◆ → gw ✗ → real ·');
    // The route's verdict is the report's (the routing rung's), as the text report says it, wrapped under the stops.
    expect(end).toMatch(/the packet reached lb l0 \(XDP load balancer\) \(XDP\) and was not seen after it/);
    expect(end).toMatch(/probe FAILED · 3 failed, 4 warning\(s\), 3 passed · exit 1/);
    expect(end).toContain('f apply fix · m Markdown report · j JSON report · d details · r rerun · q quit');
  });

  test('m and j write the report and show the file name', async () => {
    const { r, engine } = start({ ids: ALL });
    await waitForText(r, '▸ next: XDP inventory');
    const f = await press(r, 'a', 'Diagnosis');
    expect(f).toContain('report file: xdp-doctor-lab-wz-20261124-134500.md (m) or .json (j)');
    await press(r, 'm', 'wrote the Markdown report to xdp-doctor-lab-wz-20261124-134500.md');
    const md = engine.written.get('xdp-doctor-lab-wz-20261124-134500.md')!;
    expect(md).toMatch(/^# xdp-doctor report/);
    expect(md).toContain('veth-peer-no-xdp');
    // What the summary shows, in the file: the errno explained and the route hop by hop.
    expect(md).toContain('**ENXIO (errno 6, the kernel reports -6): No such device or address**');
    expect(md).toContain('- in xdp:xdp_bulk_tx on veth (l0)');
    expect(md).toContain('| ◆ | lb l0 (XDP load balancer) | l0 | 0 | 0 | 0 | XDP program (tcpdump cannot see what it consumed) |');
    expect(md).toContain('| ✗ | gw g2 (towards real) | g2 | 0 | 0 | 0 | lost here |');
    await press(r, 'j', 'wrote the JSON report to xdp-doctor-lab-wz-20261124-134500.json');
    const json = JSON.parse(engine.written.get('xdp-doctor-lab-wz-20261124-134500.json')!);
    expect(json.schemaVersion).toBe(2);
    expect(json.route.hops.map((h: { iface: string; state: string }) => `${h.iface}:${h.state}`)).toEqual(['c0:seen', 'g0:seen', 'g1:seen', 'l0:xdp', 'g2:lost', 'r0:unseen']);
    expect(json.route.lostAt).toBe('gw g2 (towards real)');
    expect(json.errnos).toEqual([expect.objectContaining({ value: 6, name: 'ENXIO', tracepoint: 'xdp_bulk_tx', driver: 'veth', iface: 'l0', observed: true })]);
    expect(json.checks).toHaveLength(ALL.length);
    expect(json.diagnosis[0].cause).toBe('veth-peer-no-xdp');
    expect(json.exitCode).toBe(1);
  });

  test('--report writes the file when the ladder ends', async () => {
    const { r, engine } = start({ ids: ['preflight'], reportPath: 'out.json' });
    await waitForText(r, 'wrote the JSON report to out.json');
    expect(JSON.parse(engine.written.get('out.json')!).checks[0].id).toBe('preflight');
  });

  test('a report that cannot be written says why', async () => {
    const { r } = start({ ids: ['preflight'], writeError: 'EROFS: read-only file system' });
    await waitForText(r, 'Diagnosis');
    await press(r, 'm', /could not write xdp-doctor-lab-wz-\S+\.md: EROFS/);
  });

  test('q at the end exits 1 while a rung fails, and leaves the summary on screen', async () => {
    const { r, exits } = start({ ids: ALL });
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, 'a', 'Diagnosis');
    await press(r, 'q');
    await waitFor(() => exits.length > 0, 'exit');
    expect(exits).toEqual([1]);
    expect(after(r.frame(), 'Diagnosis')).toContain('Route  client ✓');
  });
});

describe('plugins', () => {
  test('a plugin that did not load is a row from the start; plugin cause titles reach the summary', async () => {
    const failed: CheckRecord = {
      id: 'plugin:rpfilter', title: 'Plugin rpfilter', rung: 0, source: 'rpfilter', durationMs: 0, commands: [],
      status: 'warn', summary: 'not loaded: requires apiVersion 1, got 2', evidence: [], findings: [],
    };
    const { r, session } = start({
      ids: ALL, preRecords: [failed],
      diagnose: (recs) => diagnose(recs).map((d) => (d.cause === 'packets-lost-after-xdp' ? { ...d, title: 'Renamed by a plugin' } : d)),
    });
    await waitForText(r, '▸ next: XDP inventory');
    const f = await press(r, 'a', 'Diagnosis');
    expect(f).toMatch(/! Plugin rpfilter[\s\S]*not loaded: requires apiVersion 1, got 2/);
    expect(after(f, 'Diagnosis')).toContain('2. Renamed by a plugin');
    expect(session.currentReport()!.checks[0]!.id).toBe('plugin:rpfilter');
  });
});

describe('quitting and Ctrl-C', () => {
  test('Ctrl-C while a rung runs: children stopped, the run aborted, exit 130', async () => {
    const hold = deferred();
    const { r, engine, exits } = start({ hold: { routing: hold } });
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, KEYS.enter, '▸ next: Route');
    await press(r, KEYS.enter, 'working on routing');
    await press(r, KEYS.ctrlC);
    await waitFor(() => exits.length > 0, 'exit');
    expect(exits).toEqual([130]);
    expect(engine.stopped).toBe(1);
    expect(engine.signals[0]!.aborted).toBe(true);
    await waitForText(r, 'interrupted: every child process was stopped (exit 130)');
  });

  test('Ctrl-C on the start screen and in the fix prompt exits 130 too', async () => {
    const a = start({ withTarget: false });
    await waitForText(a.r, '› the built-in lab "wz"');
    await press(a.r, KEYS.ctrlC);
    await waitFor(() => a.exits.length > 0, 'exit');
    expect(a.exits).toEqual([130]);

    const b = start({ ids: ALL });
    await waitForText(b.r, '▸ next: XDP inventory');
    await press(b.r, 'a', 'Diagnosis');
    await press(b.r, 'f', 'Apply it?');
    await press(b.r, KEYS.ctrlC);
    await waitFor(() => b.exits.length > 0, 'exit');
    expect(b.exits).toEqual([130]);
    expect(b.engine.fixes).toEqual([]);
  });

  test('SIGINT/SIGTERM (the shutdown signal) ends the wizard with 130', async () => {
    const ac = new AbortController();
    const hold = deferred();
    const { r, exits, engine } = start({ hold: { preflight: hold }, signal: ac.signal });
    await waitForText(r, 'working on preflight');
    ac.abort(new Error('interrupted by SIGTERM'));
    await waitFor(() => exits.length > 0, 'exit');
    expect(exits).toEqual([130]);
    expect(engine.signals[0]!.aborted).toBe(true);
  });

  test('q between rungs stops the ladder: exit 1 after a failed rung, 0 before', async () => {
    const a = start();
    await waitForText(a.r, '▸ next: XDP inventory');
    await press(a.r, 'q');
    await waitFor(() => a.exits.length > 0, 'exit');
    expect(a.exits).toEqual([0]);
    expect(a.engine.signals[0]!.aborted).toBe(true);

    const b = start();
    await waitForText(b.r, '▸ next: XDP inventory');
    await press(b.r, KEYS.enter, '▸ next: Route');
    await press(b.r, KEYS.enter, '▸ next: bpf_printk');
    await press(b.r, 'q');
    await waitFor(() => b.exits.length > 0, 'exit');
    expect(b.exits).toEqual([1]);
    await waitForText(b.r, 'stopped after 3 rung(s) (exit 1)');
  });
});
