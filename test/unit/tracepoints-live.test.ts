// checks/tracepoints.ts while the probe runs (reportError): a first-error line bpftrace prints is told to the window
// only when it is the target's (or its peer's), so a loss the probe sees is explained before the window ends — and
// a line from another program, or one printed before the probes were attached, tells it nothing.
import { describe, expect, it } from 'vitest';
import tracepoints from '../../checks/tracepoints.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { INVENTORY, PREFLIGHT, type InventoryFacts } from '../../src/plugins/facts.js';
import type { NetnsRef, Target } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const LB: NetnsRef = { kind: 'name', name: 'h3-lb' };
const GW: NetnsRef = { kind: 'name', name: 'h3-gw' };
const target: Partial<Target> = { kind: 'lab', iface: 'l0', netns: LB };
const inventory: InventoryFacts = {
  iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 1637, progName: 'xdp_prog_func', maps: [], kind: 'veth', mtu: 1500,
  peer: { ifname: 'g1', ifindex: 3, netns: GW, netnsName: 'h3-gw', up: true, gro: false, mtu: 1500 },
};
// The tracefs directory as the recorded `bpftrace -l` lists it: one entry per event.
const tracefs = Object.fromEntries(recording('bpftrace/list-xdp.txt').trim().split('\n')
  .map((l) => [`/sys/kernel/tracing/events/xdp/${l.split(':')[2]}/format`, '']));

const RECORDED = recording('bpftrace/xdp-veth-peer-first-error.stdout.txt').split('\n');
const ATTACHED = RECORDED.findIndex((l) => l.includes('xdp-doctor: probes attached'));
const RECORDED_ERROR = RECORDED.find((l) => l.includes('xdp-doctor: error'))!;
// A first-error line as firstErrorPrint prints it (tracepoint, ifindex, errno, program id), in the recorded line's
// JSON: derived, since the recording holds only xdp_bulk_tx's (which has no program id).
const errorLine = (what: string) => RECORDED_ERROR.replace('xdp_bulk_tx 2 6 0', what);
/** The recorded run with these first-error lines printed after the attach marker instead of the recorded one. */
const withErrors = (...lines: string[]) => [...RECORDED.slice(0, ATTACHED + 1), ...lines, ...RECORDED.slice(ATTACHED + 2)];

function exec(stdout: string[]): Recording[] {
  return [
    { argv: ['ip', '-j', '-d', 'link', 'show'], netns: 'h3-lb', stdout: recording('ip/lab-lb-links.json') },
    { argv: ['ip', '-j', '-d', 'link', 'show'], stdout: recording('ip/lab-gw-links-peer-no-xdp.json') },
    { argv: ['ethtool', '-i', /.+/], stdout: recording('ethtool/driver-veth-l0.txt') },
    { argv: ['ethtool', '-S', 'l0'], times: 1, stdout: recording('ethtool/veth-l0-before-probe.txt') },
    { argv: ['ethtool', '-S', 'l0'], stdout: recording('ethtool/veth-l0-after-probe-enxio.txt') },
    { argv: ['ethtool', '-S', 'g1'], stdout: recording('ethtool/veth-g1-peer-no-xdp.txt') },
    { argv: (a) => a[0] === 'bpftrace', lines: stdout },
  ];
}
const run = (stdout: string[], inv: InventoryFacts = inventory) =>
  runCheck(tracepoints, { target, exec: exec(stdout), files: tracefs, facts: { [INVENTORY]: inv, [PREFLIGHT]: { tracefs: '/sys/kernel/tracing' } }, probe: { ok: false, exitCode: 1 } });

describe('tracepoints: the first error, live', () => {
  it('XDP_ABORTED by the target\'s program (its id on the line): told as xdp_exception on l0, no errno', async () => {
    const r = await run(withErrors(errorLine('xdp_exception 2 0 1637')));
    expect(r.sightings).toEqual([{ kind: 'signal', source: 'xdp-error', what: 'xdp:xdp_exception on l0' }]);
  });

  it('the program id settles it: the same ifindex from another program is not told, and does not stop a later one of ours', async () => {
    const theirs = await run(withErrors(errorLine('xdp_exception 2 0 999')));
    expect(theirs.sightings).toEqual([]);
    const both = await run(withErrors(errorLine('xdp_redirect_err 2 95 999'), errorLine('xdp_redirect_err 2 95 1637')));
    expect(both.sightings).toEqual([{ kind: 'signal', source: 'xdp-error', what: 'xdp:xdp_redirect_err err -95 on l0' }]);
  });

  it('5.10\'s xdp_redirect_map_err is judged as xdp_redirect_err (it fires on the program\'s device) and told by its own name', async () => {
    // An inventory without the program's id (derived) leaves the ifindex to decide: ifindex 1 is lo in both
    // namespaces, which runs no XDP program, so an event that fires on the program's device cannot be from it.
    const noProgId = { ...inventory, progId: undefined };
    const lo = await run(withErrors(errorLine('xdp_redirect_map_err 1 6 55')), noProgId);
    expect(lo.sightings).toEqual([]);
    const l0 = await run(withErrors(errorLine('xdp_redirect_map_err 2 6 55')), noProgId);
    expect(l0.sightings).toEqual([{ kind: 'signal', source: 'xdp-error', what: 'xdp:xdp_redirect_map_err err -6 on l0' }]);
  });

  it('an error printed before the attach marker is not the probe\'s: nothing told, the rung judges the counts as before', async () => {
    const early = [RECORDED[0]!, RECORDED_ERROR, ...RECORDED.slice(1, ATTACHED + 1), ...RECORDED.slice(ATTACHED + 2)];
    const r = await run(early);
    expect(r.sightings).toEqual([]);
    expect(r.result.summary).toBe('xdp_bulk_tx err -6 (ENXIO) ×1 on l0 (veth)');
  });
});
