// checks/drop-reasons.ts while the probe runs: the first drop bpftrace prints (recorded on the lab's bad-iphdr
// fault: PKT_TOO_SMALL on gw's g1) is told to the window when it is on the route and not routine.
import { describe, expect, it } from 'vitest';
import dropReasons from '../../checks/drop-reasons.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { INVENTORY, PREFLIGHT } from '../../src/plugins/facts.js';
import type { NetnsRef, Target } from '../../src/engine/types.js';
import { recording, vmlinuxBtf } from './helpers/recordings.js';

const GW: NetnsRef = { kind: 'name', name: 'spd-gw' };
const LB: NetnsRef = { kind: 'name', name: 'spd-lb' };
const GW_INODE = '4026532247'; // the namespace inode the recorded drop names
const target: Partial<Target> = {
  kind: 'lab', iface: 'l0', netns: LB, flow: { ip: '192.168.10.1', port: 50002, proto: 'tcp' },
  hops: [{ label: 'gw g1 (towards lb)', iface: 'g1', netns: GW, node: 'gw' }],
};
const facts = {
  [PREFLIGHT]: { tracefs: '/sys/kernel/tracing' },
  [INVENTORY]: { iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 7, maps: [], kind: 'veth', mtu: 1500 },
};
const exec = (gwInode: string): Recording[] => [
  { argv: ['readlink', '/proc/self/ns/net'], netns: 'spd-gw', stdout: `net:[${gwInode}]\n` },
  { argv: ['readlink', '/proc/self/ns/net'], netns: 'spd-lb', stdout: 'net:[4026532300]\n' },
  { argv: ['ip', '-j', 'link', 'show'], netns: 'spd-gw', stdout: recording('ip/lab-gw-links-peer-no-xdp.json') },
  { argv: ['ip', '-j', 'link', 'show'], stdout: '[]' },
  vmlinuxBtf,
  { argv: (a) => a[0] === 'bpftrace', lines: recording('drop-reasons/lab-bad-iphdr-first-drop.stdout.txt').split('\n') },
];
const files = { '/sys/kernel/tracing/events/skb/kfree_skb/format': recording('drop-reasons/kfree_skb-format-6.18.txt') };

describe('drop-reasons: the first drop, live', () => {
  it('PKT_TOO_SMALL on g1 in the gw namespace: a drop signal for the window, and the rung fails as before', async () => {
    const run = await runCheck(dropReasons, { target, facts, files, exec: exec(GW_INODE), probe: { ok: false, exitCode: 1 } });
    expect(run.sightings).toEqual([{ kind: 'signal', source: 'drop', what: 'PKT_TOO_SMALL at g1 (gw)' }]);
    expect(run.result.status).toBe('fail');
  });

  it('the same drop in a namespace off the route: nothing told', async () => {
    const run = await runCheck(dropReasons, { target, facts, files, exec: exec('4026530000'), probe: { ok: false, exitCode: 1 } });
    expect(run.sightings).toEqual([]);
  });
});
