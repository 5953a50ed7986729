// checks/redirect-target.ts: the device a redirect was meant for, checked as the target is, on the interfaces
// recorded in the namespace of a devmap redirect into a veth whose peer has no XDP program (test/zoo).
import { describe, expect, it } from 'vitest';
import { parseLinks } from '../../src/tools/ip.js';
import { redirectTarget, slotText } from '../../checks/redirect-target.js';
import { recording } from './helpers/recordings.js';

const links = parseLinks(recording('ip/links-redirect-target-veth.json'));
const ns = { kind: 'name' as const, name: 'xz-r-s' };

describe('redirectTarget', () => {
  it('a veth whose peer has no XDP program: says so, and the fix puts XDP_PASS on that peer', () => {
    const t = redirectTarget(4, links, ns);
    expect(t.ifname).toBe('zr0');
    expect(t.problem).toBe('zr0 (ifindex 4, veth) is a veth whose peer zr1 has no XDP program: its queue has no NAPI, so zr0 cannot take XDP frames');
    expect(t.fixes[0]!.commands[0]).toEqual(expect.arrayContaining(['ip', 'link', 'set', 'dev', 'zr1', 'xdpdrv']));
    expect(t.fixes[0]!.netns).toEqual(ns);
  });

  it('a device that is down, and an ifindex that is not here', () => {
    const down = links.map((l) => (l.ifname === 'zr0' ? { ...l, up: false } : l));
    expect(redirectTarget(4, down, ns)).toMatchObject({ ifname: 'zr0', problem: 'zr0 (ifindex 4, veth) is DOWN', fixes: [{ commands: [['ip', 'link', 'set', 'dev', 'zr0', 'up']] }] });
    expect(redirectTarget(99, links, ns).problem).toMatch(/ifindex 99 is not an interface in this namespace/);
  });

  it('a veth whose peer runs XDP is fine', () => {
    const ok = links.map((l) => (l.ifname === 'zr1' ? { ...l, xdp: { mode: 'native' as const, progId: 1 } } : l));
    expect(redirectTarget(4, ok, ns)).toEqual({ ifindex: 4, ifname: 'zr0', fixes: [] });
  });

  it('a driver that refused redirected frames (ENXIO at devmap flush), not a veth: its XDP program and its queues against the CPUs', () => {
    // lo stands in for a physical NIC here: not a veth, no XDP program, 1 TX queue (recorded), on a 2-CPU host.
    const t = redirectTarget(1, links, ns, { errno: 6, cpus: 2 });
    expect(t.ifname).toBe('lo');
    expect(t.problem).toMatch(/^lo \(ifindex 1\) refused the redirected frames \(ENXIO\): it runs no XDP program/);
    expect(t.problem).toContain('it has 1 TX queue(s) for 2 CPUs');
    expect(t.problem).not.toMatch(/peer/);
    expect(t.fixes[0]!.commands.at(-1)).toEqual(expect.arrayContaining(['ip', 'link', 'set', 'dev', 'lo', 'xdpdrv']));
    expect(t.fixes[0]!.undo).toEqual([['ip', 'link', 'set', 'dev', 'lo', 'xdpdrv', 'off']]);
    expect(t.fixes[1]!.title).toContain('ethtool -L lo combined 2');
  });

  it('a driver with enough queues and its own XDP program: the refusal is still named, with what to compare', () => {
    const withProg = links.map((l) => (l.ifname === 'lo' ? { ...l, xdp: { mode: 'native' as const, progId: 9 } } : l));
    const t = redirectTarget(1, withProg, ns, { errno: 6, cpus: 1 });
    expect(t.problem).toMatch(/ndo_xdp_xmit returned ENXIO/);
    expect(t.fixes).toEqual([]);
    // Without a refusal a healthy non-veth target is not blamed.
    expect(redirectTarget(1, links, ns)).toEqual({ ifindex: 1, ifname: 'lo', fixes: [] });
  });

  it('names the map slot, or bpf_redirect without a map', () => {
    expect(slotText(1960, 0, 'tx_ports')).toBe(' (tx_ports slot 0)');
    expect(slotText(2147483647, 0)).toBe(' (bpf_redirect, no map)');
    expect(slotText(undefined)).toBe('');
  });
});
