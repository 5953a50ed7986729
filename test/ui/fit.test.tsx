// Readable in 80x24: Ink clears the whole terminal (scrollback included) and repaints whenever its live region
// is as tall as the terminal. Drive a whole session at 80x24 on a TTY-like stdout and prove that never happens.
import { afterEach, describe, expect, test } from 'vitest';
import { Wizard } from '../../src/ui/app.js';
import { WizardSession } from '../../src/ui/session.js';
import { makeTheme } from '../../src/ui/theme.js';
import { fitSegments, summarySegments } from '../../src/ui/summary.js';
import { diagnose } from '../../src/engine/diagnosis.js';
import { KEYS, press, renderTui, waitFor, type Rendered } from './helpers.js';
import { VETH_REPORT, deferred, fakeEngine, plannedFrom } from './fake-engine.js';

const CLEAR = '\u001B[2J';
let r: Rendered | undefined;
afterEach(() => { r?.unmount(); r = undefined; });

const seen = (x: Rendered) => x.stdout.writes.join('');
async function waitSeen(x: Rendered, text: string | RegExp) {
  await waitFor(() => (typeof text === 'string' ? seen(x).includes(text) : text.test(seen(x))), () => `${String(text)}`);
}

describe('80x24', () => {
  test('the whole session — start screen with many programs, a flood of live lines, details, fix, summary — never clears the screen', async () => {
    const programs = Array.from({ length: 40 }, (_, i) => ({ iface: `veth${i}`, ifindex: i + 2, netns: `ns${i}`, progId: 100 + i, progName: 'xdp_prog', mode: 'native' as const }));
    const hold = deferred();
    const engine = fakeEngine({
      discovery: { labs: [{ name: 'wz', phase: 'up', faults: ['veth-peer'], programs: 2 }], programs, problems: ['x: denied'], namespaces: 41 },
      live: { routing: Array.from({ length: 200 }, (_, i) => `client c0: IP 10.111.220.11.${40000 + i} > 192.168.10.1.50002: Flags [S], seq ${i}, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0`) },
      hold: { routing: hold },
    });
    const session = new WizardSession({
      engine, checks: plannedFrom(VETH_REPORT, VETH_REPORT.checks.map((c) => c.id)), tool: { name: 'xdp-doctor', version: '0.1.0' }, preferLab: 'wz', liveFlushMs: 5,
    });
    r = renderTui(<Wizard session={session} theme={makeTheme({})} />, { columns: 80, rows: 24, tty: true });
    await waitSeen(r, 'veth10');
    for (let i = 0; i < 30; i++) await press(r, KEYS.down);
    await waitSeen(r, /› veth2\d/);
    for (let i = 0; i < 30; i++) await press(r, KEYS.up);
    await press(r, KEYS.enter);
    await waitSeen(r, 'next: XDP inventory');
    await press(r, KEYS.enter);
    await waitSeen(r, 'next: Route');
    await press(r, KEYS.enter);
    await waitSeen(r, 'seq 199');
    hold.resolve();
    await waitSeen(r, 'next: bpf_printk');
    await press(r, 'd');
    await waitSeen(r, 'Details: ✗ Route');
    await press(r, KEYS.pageDown);
    await press(r, 'd');
    await press(r, 'a');
    await waitSeen(r, 'Diagnosis');
    await press(r, 'f');
    await waitSeen(r, 'Apply it?');
    await press(r, 'y');
    await waitSeen(r, 'the fix worked');
    await press(r, 'q');
    expect(seen(r)).not.toContain(CLEAR);
  });

  test('the summary fits 80x24 with room for the footer, keeping the errno and the fix command', () => {
    const lines = fitSegments(summarySegments({ report: { ...VETH_REPORT, diagnosis: diagnose(VETH_REPORT.checks), exitCode: 1 }, columns: 80 }), 24 - 8);
    expect(lines.length).toBeLessThanOrEqual(16);
    for (const l of lines) expect(l.text.length).toBeLessThanOrEqual(80);
    const text = lines.map((l) => l.text).join('\n');
    expect(text).toContain('ENXIO (errno 6');
    expect(text).toMatch(/\$ nsenter --net=\/run\/netns\/wz-gw -- ip link set dev g1 xdpdrv obj/);
    expect(text).toContain('Route  client ✓ → gw ✓ → lb ◆ → gw ✗ → real ·');
    expect(text).toMatch(/exit 1$/);
  });
});

describe('resize', () => {
  test('a narrower terminal re-wraps the live region', async () => {
    const { WizardSession: S } = await import('../../src/ui/session.js');
    const engine = fakeEngine({});
    const session = new S({ engine, checks: plannedFrom(VETH_REPORT, ['preflight', 'inventory']), tool: { name: 'xdp-doctor', version: '0.1.0' }, target: VETH_REPORT.target });
    r = renderTui(<Wizard session={session} theme={makeTheme({ NO_COLOR: '1' })} />, { columns: 120, rows: 40 });
    await waitFor(() => r!.frame().includes('▸ next: XDP inventory'), 'the next rung');
    expect(r.frame()).toMatch(/Which XDP program runs on the interface, in which mode, with which maps, and what is on the veth peer\?/);
    r.stdout.columns = 60;
    r.stdout.emit('resize');
    await waitFor(() => /Which XDP program runs on the interface, in which mode,\n\s+with which maps/.test(r!.frame()), () => `a re-wrapped question in:\n${r!.frame()}`);
  });
});
