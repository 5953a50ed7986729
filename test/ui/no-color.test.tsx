// NO_COLOR: colour on a colour terminal, none with NO_COLOR set — marks and words carry the meaning alone.
// chalk decides its level when it loads, so FORCE_COLOR is set before Ink is imported (this file is isolated).
import { afterAll, describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/engine/types.js';

process.env.FORCE_COLOR = '1';
const COLOUR = /\u001B\[(3[0-7]|9[0-7]|38;)/;

afterAll(() => { delete process.env.FORCE_COLOR; delete process.env.NO_COLOR; });

async function endFrame(env: Record<string, string | undefined>, themed: boolean): Promise<string> {
  const { Wizard } = await import('../../src/ui/app.js');
  const { WizardSession } = await import('../../src/ui/session.js');
  const { makeTheme } = await import('../../src/ui/theme.js');
  const { renderTui, waitForText } = await import('./helpers.js');
  const { VETH_REPORT, fakeEngine, plannedFrom } = await import('./fake-engine.js');
  const report = VETH_REPORT as RunReport;
  const session = new WizardSession({
    engine: fakeEngine(), checks: plannedFrom(report, report.checks.map((c) => c.id)), tool: { name: 'xdp-doctor', version: '0.1.0' }, target: report.target,
  });
  for (const [k, v] of Object.entries(env)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  const r = renderTui(themed ? <Wizard session={session} theme={makeTheme(env as NodeJS.ProcessEnv)} /> : <Wizard session={session} />);
  await waitForText(r, 'next: XDP inventory');
  r.stdin.write('a');
  const f = await waitForText(r, /exit 1/);
  r.unmount();
  return f;
}

function plainOf(f: string): string {
  return f.replace(/\u001B\[[0-9;]*m/g, '');
}

describe('NO_COLOR', () => {
  test('colours by default on a colour terminal', async () => {
    expect(await endFrame({ NO_COLOR: undefined }, false)).toMatch(COLOUR);
  });
  test('none with NO_COLOR=1 (read from the environment), the marks stay', async () => {
    const f = await endFrame({ NO_COLOR: '1' }, false);
    expect(f).not.toMatch(COLOUR);
    expect(f).toContain('✗');
    expect(plainOf(f)).toContain('Route  client ✓ → gw ✓ → lb ◆ → gw ✗ → real ·');
  });
});
