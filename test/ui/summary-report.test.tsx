// The wizard's summary renders a RunReport and nothing else: given a report the engine wrote (recorded from real
// lab runs, and the wizard's fixtures), it shows that report's top cause, route stops and route verdict, probe and
// exit code. The view takes no lab flag and finds no line by its text (test/ui/renders-only.test.ts keeps the
// source so); here the behaviour is held.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import type { FixOutcome, RunReport } from '../../src/engine/types.js';
import { Summary } from '../../src/ui/summary.js';
import { routePicture } from '../../src/ui/route.js';
import { Wizard } from '../../src/ui/app.js';
import { WizardSession } from '../../src/ui/session.js';
import { makeTheme } from '../../src/ui/theme.js';
import { VETH_REPORT, fakeEngine, plannedFrom } from './fake-engine.js';
import { plain, renderTui, waitForText, type Rendered } from './helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const load = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as RunReport;

// lab-veth-peer-cut-at-20000-bytes is not JSON on purpose (a killed writer), and has no place here.
const REPORTS = [
  'test/recordings/reports/lab-healthy.json',
  'test/recordings/reports/lab-veth-peer.json',
  'test/recordings/reports/lab-params-unset.json',
  'test/recordings/reports/lab-params-unset-before-host-identity.json',
  'test/ui/fixtures/report-veth-peer.json',
  'test/ui/fixtures/report-healthy.json',
  'test/ui/fixtures/report-attach-veth-mtu.json',
];

let r: Rendered | undefined;
afterEach(() => { r?.unmount(); r = undefined; });

/** Wide and tall enough that nothing wraps or is dropped: what is on screen is what the report says. */
function screen(report: RunReport): string {
  r = renderTui(<Summary report={report} columns={1000} maxLines={200} />, { columns: 1000, rows: 200 });
  return plain(r.frame());
}

describe('Summary renders the report', () => {
  test.each(REPORTS)('%s: its top cause, route verdict and stops, and exit code', (path) => {
    const report = load(path);
    const s = screen(report);
    const top = report.diagnosis[0];
    // Words are re-spaced by the wrapping: one space between the title and its confidence.
    if (top) expect(s).toContain(`1. ${top.title} [${Math.round(top.confidence * 100)}%]`);
    else expect(s).toContain('Diagnosis: nothing wrong found');
    if (report.route?.hops.length) {
      expect(s).toContain(report.route.verdict);
      const stops = routePicture(report.route)!.stops.map((st) => st.name);
      expect(s).toMatch(new RegExp(`^Route {2}${stops.map((n) => `${n} \\S`).join(' → ')}$`, 'm'));
    } else {
      expect(s).not.toMatch(/^Route /m);
    }
    expect(s).toMatch(new RegExp(`exit ${report.exitCode}$`, 'm'));
  });

  test('the route verdict is the report\'s even where another picture would tell it differently', () => {
    const report = load('test/recordings/reports/lab-veth-peer.json');
    const verdict = 'a verdict only the engine could have written';
    const s = screen({ ...report, route: { ...report.route!, verdict } });
    expect(s).toContain(verdict);
  });

  test('stops are the nodes the report names (no renaming in the view); hops without one are named by interface', () => {
    const report = load('test/recordings/reports/lab-veth-peer.json');
    expect(screen(report)).toContain('Route  client ✓ → gw ✓ → lb ◆ → gw ✗ → real ·');
    r!.unmount();
    const hops = report.route!.hops.map(({ node: _node, ...h }) => h);
    expect(screen({ ...report, route: { ...report.route!, hops } })).toContain('Route  c0 ✓ → g0 ✓ → g1 ✓ → l0 ◆ → g2 ✗ → r0 ·');
  });

  test('a target that is not the lab is drawn the same way', () => {
    const report = load('test/recordings/reports/lab-veth-peer.json');
    const s = screen({ ...report, target: { ...report.target, kind: 'iface' } });
    expect(s).toContain('Route  client ✓ → gw ✓ → lb ◆ → gw ✗ → real ·');
  });

  test('after a fix, the probe and the outcome shown are the re-run\'s', () => {
    const report = load('test/recordings/reports/lab-veth-peer.json');
    const fix: FixOutcome = {
      cause: report.diagnosis[0]!.cause, title: 'attach', commands: [], undo: [], applied: true, output: [], worked: true,
      rerun: { probe: { ran: true, ok: true, startedAt: 0, endedAt: 1 }, checks: [], diagnosis: [] },
    };
    const s = screen({ ...report, fix, exitCode: 0 });
    expect(s).toMatch(/probe passed · .* · fix worked · exit 0$/m);
  });

  test('a climb that crashed has no report: no diagnosis is made up in the view, only how it ended', async () => {
    const engine = fakeEngine({});
    engine.climb = async () => { throw new Error('the engine fell over'); };
    const session = new WizardSession({ engine, checks: plannedFrom(VETH_REPORT, ['preflight']), tool: { name: 'xdp-doctor', version: '0.1.0' }, target: VETH_REPORT.target });
    r = renderTui(<Wizard session={session} theme={makeTheme({ NO_COLOR: '1' })} />);
    const f = await waitForText(r, 'no diagnosis: the run ended without a report');
    expect(f).toContain('the ladder stopped: the engine fell over');
    // No rung failed, yet the run did not finish: exit 1, as the CLI's internal error, never 0.
    expect(f).toMatch(/no diagnosis: the run ended without a report · no rung finished · exit 1/);
    expect(f).not.toContain('Diagnosis');
    session.quit();
    expect(session.getState()).toMatchObject({ phase: 'done', exitCode: 1 });
  });
});
