// The wizard on the REAL engine functions with scripted checks: runLadder's per-check gate paces the rungs,
// progress and live lines come through the runner, a rung that reads facts sees what an earlier one published
// (also when re-run), and `f` + `y` goes through the real applyFix (logged with its undo) and a real re-run.
// Nothing runs a process: the Exec records argv and answers every command with success.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { applyFix } from '../../src/engine/apply-fix.js';
import { sharedFactsLadder } from '../../src/engine/ladder.js';
import type { Check, Target } from '../../src/engine/types.js';
import { fakeExec } from '../../src/plugins/testing.js';
import { Wizard } from '../../src/ui/app.js';
import { WizardSession, type WizardEngine } from '../../src/ui/session.js';
import { makeTheme } from '../../src/ui/theme.js';
import { KEYS, press, renderTui, waitFor, waitForText, type Rendered } from './helpers.js';

// Every command succeeds with no output (none of these checks starts a collector: checked at the end).
const exec = fakeExec([{ argv: () => true }]);
const ran = () => exec.calls.map((c) => c.argv);

let peerHasXdp = false;
const target: Target = { kind: 'iface', iface: 'l0', netns: { kind: 'name', name: 'lb' }, hops: [], windowMs: 20, expect: [] };
const fix = {
  title: 'attach a dummy XDP_PASS program to the veth peer g1',
  commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'obj', 'xdp_pass.o', 'sec', 'xdp']],
  undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'off']],
  netns: { kind: 'name' as const, name: 'gw' },
};
const checks: Check[] = [
  {
    id: 'inventory', title: 'XDP inventory', rung: 1, question: 'What is loaded?',
    async run(ctx) {
      ctx.progress('reading program 42');
      ctx.facts.set('inventory', { progId: 42, peerXdp: peerHasXdp });
      return { status: 'pass', summary: 'xdp_prog_func (id 42) native on l0', evidence: [{ label: 'program', data: 'id 42' }], findings: [] };
    },
  },
  {
    id: 'ethtool-stats', title: 'Driver XDP counters', rung: 7, after: ['inventory'], question: 'Do the counters show refused frames?', observes: true,
    async run(ctx) {
      const inv = ctx.facts.get<{ progId: number; peerXdp: boolean }>('inventory');
      for (let i = 1; i <= 3; i++) ctx.live(`rx_queue_0_xdp_tx_errors: ${i}`);
      const outcome = await ctx.window.ready();
      await ctx.tools.exec.run(['ethtool', '-S', 'l0'], { netns: ctx.target.netns });
      if (inv?.peerXdp) return { status: 'pass', summary: `no errors (prog ${inv.progId}, window ${outcome.note})`, evidence: [], findings: [] };
      return {
        status: 'fail', summary: `xdp_tx_errors +3 on l0 (prog ${inv?.progId})`, evidence: [{ label: 'ethtool -S l0', data: 'rx_queue_0_xdp_tx_errors: 3' }],
        findings: [{ cause: 'veth-peer-no-xdp', severity: 'critical', message: 'l0 counted 3 refused XDP_TX frames', errno: { value: 6, name: 'ENXIO' }, fixes: [fix] }],
      };
    },
  },
];

let dir: string;
let r: Rendered | undefined;
afterEach(() => { r?.unmount(); r = undefined; rmSync(dir, { recursive: true, force: true }); });

function engine(): WizardEngine {
  dir = mkdtempSync(join(tmpdir(), 'xdpd-ui-'));
  // As the real engine does: the climbs of one wizard share the facts store the engine keeps.
  const climb = sharedFactsLadder();
  return {
    discover: async () => ({ programs: [], labs: [], problems: [], namespaces: 0 }),
    resolve: async () => target,
    climb: (c) => climb({ ...c, exec, toolStatus: {}, tool: { name: 'xdp-doctor', version: '0.1.0' } }),
    async applyFix(cause, f) {
      const a = await applyFix(exec, cause, f, dir);
      peerHasXdp = a.ok;
      return { ok: a.ok, state: a.record.state, output: a.output, commands: a.record.commands, undo: a.record.undo, error: a.record.error };
    },
    probe: async () => undefined,
    writeFile: async () => undefined,
    stopChildren: () => undefined,
  };
}

describe('the wizard on runLadder', () => {
  test('gate paces the rungs; live lines, facts, fix with its undo logged, re-run that passes', async () => {
    peerHasXdp = false;
    exec.calls.length = 0;
    const session = new WizardSession({ engine: engine(), checks: checks.map((check) => ({ check, source: 'built-in' })), tool: { name: 'xdp-doctor', version: '0.1.0' }, target, liveFlushMs: 1 });
    r = renderTui(<Wizard session={session} theme={makeTheme({ NO_COLOR: '1' })} />);
    let f = await waitForText(r, '▸ next: Driver XDP counters');
    expect(f).toMatch(/✓ XDP inventory[\s\S]*What is loaded\?[\s\S]*xdp_prog_func \(id 42\)/);
    expect(ran()).toEqual([]);
    f = await press(r, KEYS.enter, '✗ Driver XDP counters');
    expect(f).toContain('xdp_tx_errors +3 on l0 (prog 42)');
    expect(f).toContain('• l0 counted 3 refused XDP_TX frames (ENXIO, errno 6)');
    // After the rungs the report's host identity asks the target's NIC who it is (ethtool -i), maybe not yet.
    expect(ran().filter((a) => a.join(' ') !== 'ethtool -i l0')).toEqual([['ethtool', '-S', 'l0']]);
    f = await waitForText(r, 'Diagnosis');
    expect(f).toContain('ENXIO (errno 6');
    f = await press(r, 'd', 'Details: ✗ Driver XDP counters');
    expect(f).toContain('$ nsenter --net=/run/netns/lb -- ethtool -S l0');
    expect(f).toContain('rx_queue_0_xdp_tx_errors: 3');
    await press(r, KEYS.escape, 'f apply fix');
    await press(r, 'f', 'Apply it?');
    f = await press(r, 'y', '✓ the fix worked');
    expect(ran()).toContainEqual(['nsenter', '--net=/run/netns/gw', '--', 'ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'obj', 'xdp_pass.o', 'sec', 'xdp']);
    const log = JSON.parse(readFileSync(join(dir, 'fixes.json'), 'utf8'));
    expect(log[0]).toMatchObject({ cause: 'veth-peer-no-xdp', state: 'applied', undo: [['nsenter', '--net=/run/netns/gw', '--', 'ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'off']] });
    expect(f).toMatch(/✓ Driver XDP counters\s+\(after fix\)/);
    expect(f).toMatch(/no errors \(prog 42, window passive window of 20 ms \(no probe\)\)/);
    await waitFor(() => session.verdict() === 0, 'verdict 0');
    expect(exec.calls.filter((c) => c.kind === 'spawn')).toEqual([]);
  });
});
