// The wizard's `t`: on an interface with no XDP program it asks for an object and runs the same attach run as
// `xdp-doctor attach`; a refused attach ends in the explanation (the kernel's words, the fix with this host's
// numbers), not an errno. The attach's rung records come from a real `xdp-doctor attach --json` on this machine
// (fixtures/report-attach-veth-mtu.json); the ladder before it is the recorded veth-peer run with its inventory
// record changed to what inventory says on an interface without a program (made for this test).
import { afterEach, describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { Wizard } from '../../src/ui/app.js';
import { WizardSession } from '../../src/ui/session.js';
import type { RunReport } from '../../src/engine/types.js';
import { makeTheme } from '../../src/ui/theme.js';
import { KEYS, after, press, renderTui, waitForText, type Rendered } from './helpers.js';
import { ATTACH_MTU_REPORT, VETH_REPORT, fakeEngine, plannedFrom } from './fake-engine.js';

let open: Rendered[] = [];
afterEach(() => { for (const r of open) r.unmount(); open = []; });

function noProgram(): RunReport {
  const before = structuredClone(VETH_REPORT);
  const inv = before.checks.find((c) => c.id === 'inventory')!;
  Object.assign(inv, {
    status: 'fail', summary: 'no XDP program on l0',
    findings: [{ cause: 'no-xdp-program', severity: 'critical', message: 'no XDP program is attached to l0', iface: 'l0', fixes: [] }],
  });
  return before;
}

function start() {
  const before = noProgram();
  const engine = fakeEngine({ before, also: ATTACH_MTU_REPORT });
  const session = new WizardSession({
    engine, checks: plannedFrom(before, ['preflight', 'inventory']), tool: { name: 'xdp-doctor', version: '0.1.0' },
    target: before.target, liveFlushMs: 5,
  });
  const r = renderTui(<Wizard session={session} theme={makeTheme({ NO_COLOR: '1' })} />, { columns: 110, rows: 50 });
  open.push(r);
  return { r, engine, session };
}

describe('wizard: attach a program where there is none', () => {
  test('t asks for the object, Esc cancels; typed text is the path, q included', async () => {
    const { r, session } = start();
    await waitForText(r, '▸ next: XDP inventory');
    const end = await press(r, 'a', 'Diagnosis');
    expect(after(end, 'Diagnosis')).toContain('t attach a program');
    await press(r, 't', 'Attach an XDP program to l0');
    await press(r, 'q.o', 'BPF object (.o): q.o');
    await press(r, '\u007F', /BPF object \(\.o\): q\.█/);
    await press(r, KEYS.escape);
    expect(session.getState().overlay).toBeUndefined();
    expect(session.getState().phase).toBe('end');
  });

  test('Enter runs the attach run; the refusal ends in its explanation and the fix with the numbers', async () => {
    const { r, engine } = start();
    await waitForText(r, '▸ next: XDP inventory');
    await press(r, 'a', 'Diagnosis');
    await press(r, 't', 'Attach an XDP program to l0');
    await press(r, 'prog.o', 'prog.o█');
    const f = await press(r, KEYS.enter, /Diagnosis[\s\S]*MTU/);
    expect(engine.climbs[1]!.ids).toEqual(['object', 'device', 'mtu', 'queues', 'virtio', 'hook', 'privileges', 'attach']);
    expect(f).toContain(`attach ${resolve('prog.o')} to l0`);
    const end = after(f, 'Diagnosis');
    expect(end).toMatch(/The veth peer's MTU is above what native XDP accepts for this program \(ERANGE\)/);
    expect(end).toMatch(/lower the MTU of the peer g1 to 3506 \(from 9000\)/);
    expect(end).not.toContain('t attach a program');
  });
});
