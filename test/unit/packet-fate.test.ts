// checks/packet-fate.ts and the drop-reasons rung's run(): the kernel's drops (bpftrace -f json recorded on the
// zoo runs) attributed to the program only when the kernel says so, and joined to what the program changed (the
// entry/exit pcaps of the same runs, compared by verdictOf). The fake Exec serves the recordings.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import packetFate, { explainDrop } from '../../checks/packet-fate.js';
import dropReasons from '../../checks/drop-reasons.js';
import { verdictOf } from '../../checks/xdpdump-verdicts.js';
import { DROPS, INVENTORY, PROBE_OUTCOME, XDPDUMP, type DropFacts, type FlowDrop, type XdpdumpFacts } from '../../src/plugins/facts.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { readPcap } from '../../src/tools/pcap.js';
import { recording, vmlinuxBtf } from './helpers/recordings.js';

const pcap = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);

/** The verdicts the replay gave on a zoo run, from its entry and exit pcaps. */
function verdicts(scenario: string, action: (i: number) => string = () => 'XDP_PASS'): XdpdumpFacts {
  const entry = pcap(`zoo-${scenario}-entry.pcap`), exit = pcap(`zoo-${scenario}-exit.pcap`);
  return { mode: 'replay', verdicts: entry.map((e, i) => verdictOf(i + 1, e, exit[i]!, action(i))) };
}

const drop = (d: Partial<FlowDrop>): FlowDrop => ({
  reason: 'NOT_SPECIFIED', count: 1, ifindex: 2, ifname: 'zs0', where: 'zs0 (netns srv)', location: '', l3: 'IPv4', proto: 6,
  onXdpIface: true, byProgram: false, routine: false, ...d,
});

const SERVER = { kind: 'name', name: 'srv' } as const;
const CLIENT = { kind: 'name', name: 'cli' } as const;
const target = (flow: { ip: string; proto: 'icmp' | 'tcp'; port?: number }) => ({
  iface: 'zs0', netns: SERVER, flow, probe: { argv: ['ping', flow.ip], netns: CLIENT },
});
const inventory = { iface: 'zs0', ifindex: 2, netns: SERVER, maps: [] };

describe('explainDrop: the change that explains a kernel drop', () => {
  it('OTHERHOST: a pushed VLAN tag, else a rewritten destination MAC; nothing else', () => {
    expect(explainDrop(drop({ reason: 'OTHERHOST' }), [{ field: 'vlan.push', after: '100' }], 'zs0', true)?.why).toMatch(/no VLAN 100 device is configured on zs0/);
    expect(explainDrop(drop({ reason: 'OTHERHOST' }), [{ field: 'eth.dst', before: 'a', after: 'b' }], 'zs0', true)?.change.field).toBe('eth.dst');
    expect(explainDrop(drop({ reason: 'OTHERHOST' }), [{ field: 'l4.dport', before: '1', after: '2' }], 'zs0', true)).toBeUndefined();
  });
  it('NO_SOCKET: the rewritten port; IP_LOCAL_SOURCE: the outer source of the encapsulation; IP_NOPROTO: an encapsulation', () => {
    expect(explainDrop(drop({ reason: 'NO_SOCKET' }), [{ field: 'l4.dport', before: '8081', after: '8080' }], 'zs0', true)?.why).toMatch(/^nothing listens on port 8080/);
    // On the client's side, it is the reply from the new port that nobody recognizes.
    expect(explainDrop(drop({ reason: 'NO_SOCKET', onXdpIface: false }), [{ field: 'l4.dport', before: '8081', after: '8080' }], 'zc0', false)?.why).toMatch(/^the replies come back from port 8080, which the client's connection to 8081 does not recognize/);
    expect(explainDrop(drop({ reason: 'IP_LOCAL_SOURCE' }), [{ field: 'encap', after: 'IPv4 10.0.0.2 > 10.0.0.9 (IPIP)' }], 'zs0', true)?.why).toMatch(/10\.0\.0\.2 is an address of the receiving host itself/);
    expect(explainDrop(drop({ reason: 'IP_RPFILTER' }), [{ field: 'ip.src', before: '1.1.1.1', after: '10.0.0.7' }], 'zs0', true)?.why).toMatch(/route back to 10\.0\.0\.7/);
    expect(explainDrop(drop({ reason: 'IP_NOPROTO' }), [{ field: 'encap', after: 'IPv4 a > b (IPIP)' }], 'zs0', true)?.why).toMatch(/nothing on the receiver decapsulates/);
    expect(explainDrop(drop({ reason: 'IP_NOPROTO' }), [], 'zs0', true)).toBeUndefined();
  });
  it('a drop away from where the changed packet arrives (a reply refused on its way back) is not joined to the change', () => {
    expect(explainDrop(drop({ reason: 'IP_RPFILTER', onXdpIface: false }), [{ field: 'encap', after: 'IPv4 10.0.0.2 > 10.0.0.9 (IPIP)' }], 'g2', false)).toBeUndefined();
    expect(explainDrop(drop({ reason: 'OTHERHOST', onXdpIface: false }), [{ field: 'vlan.push', after: '100' }], 'g2', false)).toBeUndefined();
  });
  it('a frame that grew and a too-small one: PKT_TOO_SMALL is a length written wrong, never the MTU', () => {
    expect(explainDrop(drop({ reason: 'PKT_TOO_SMALL' }), [{ field: 'length', before: '74', after: '94' }], 'zs0', true)).toBeUndefined();
  });
  it('a TTL the program lowered to 1 or 0 explains the forwarding path\'s IP_INHDR and reasons without a case of their own; an unrelated change explains nothing', () => {
    expect(explainDrop(drop({ reason: 'IP_INHDR', location: 'ip_forward' }), [{ field: 'ip.ttl', before: '2', after: '1' }], 'zs0', true)?.change.field).toBe('ip.ttl');
    expect(explainDrop(drop({ reason: 'NOT_SPECIFIED' }), [{ field: 'ip.ttl', before: '1', after: '0' }], 'zs0', true)?.change.field).toBe('ip.ttl');
    expect(explainDrop(drop({ reason: 'NETFILTER_DROP' }), [{ field: 'ip.ttl', before: '64', after: '63' }], 'zs0', true)).toBeUndefined();
  });
});

describe('packet-fate rung', () => {
  it('VLAN push: the kernel\'s OTHERHOST on the XDP interface itself is joined to the tag, the top cause names it', async () => {
    const { result } = await runCheck(packetFate, {
      target: target({ ip: '10.111.60.2', proto: 'icmp' }),
      facts: {
        [INVENTORY]: inventory, [XDPDUMP]: verdicts('vlan-push'),
        [DROPS]: { trouble: true, drops: [drop({ reason: 'OTHERHOST', count: 3, proto: 1, location: 'ip_rcv_core' })] } satisfies DropFacts,
      },
    });
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => f.cause)).toEqual(['xdp-change-dropped']);
    expect(result.findings[0]!.message).toMatch(/^the program pushes an 802\.1Q tag, VLAN 100, onto the frames and returns XDP_PASS; the kernel dropped 3 packet\(s\) of the flow for it: no VLAN 100 device/);
    expect(result.findings[0]!.message).toContain('OTHERHOST ×3 at zs0 (netns srv) (the XDP interface itself) in ip_rcv_core');
    expect(result.findings[0]!.fixes[0]!.title).toContain('ip link add link zs0 name zs0.100 type vlan id 100');
  });

  it('the same drops with the probe passing: the change is reported, nothing is a cause', async () => {
    const { result } = await runCheck(packetFate, {
      target: target({ ip: '10.111.60.2', proto: 'icmp' }),
      facts: { [INVENTORY]: inventory, [XDPDUMP]: verdicts('vlan-push'), [DROPS]: { trouble: false, drops: [drop({ reason: 'OTHERHOST' })] } },
    });
    expect(result).toMatchObject({ status: 'pass', findings: [] });
    expect(result.summary).toMatch(/^the program changed 3 packet\(s\) it passed on: 802\.1Q tag VLAN 100 pushed, length 98 → 102/);
  });

  it('a drop the program made (its verdict) is never joined to a change', async () => {
    const { result } = await runCheck(packetFate, {
      target: target({ ip: '10.111.60.2', proto: 'icmp' }),
      facts: { [INVENTORY]: inventory, [XDPDUMP]: verdicts('vlan-push'), [DROPS]: { trouble: true, drops: [drop({ reason: 'OTHERHOST', byProgram: true })] } },
    });
    expect(result.findings).toEqual([]);
  });

  it('IPv6 neighbour discovery dropped: the client never resolved the server, no verdict claimed for packets never sent', async () => {
    const { result } = await runCheck(packetFate, {
      target: target({ ip: 'fd00:111:60::2', proto: 'icmp' }),
      facts: { [INVENTORY]: inventory, [XDPDUMP]: verdicts('ip-only-nd', () => 'XDP_DROP'), [PROBE_OUTCOME]: { ran: true, ok: false } },
      exec: [{ argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: '[{"dst":"fd00:111:60::2","dev":"zc0","state":["INCOMPLETE"]}]' }],
    });
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => f.cause)).toEqual(['neighbour-dropped']);
    expect(result.findings[0]!.message).toBe('the program returns XDP_DROP for 2 of 2 IPv6 neighbour discovery frame(s) on zs0: the client never resolved fd00:111:60::2 ' +
      '(its neighbour entry: fd00:111:60::2 INCOMPLETE on zc0); no packet of the probe itself reached the program: it was never sent');
  });

  it('ARP dropped, the neighbour table recorded on the client: INCOMPLETE', async () => {
    const arpOnly = verdicts('port-rewrite', () => 'XDP_DROP');
    arpOnly.verdicts = arpOnly.verdicts.slice(0, 1);
    const { result } = await runCheck(packetFate, {
      target: target({ ip: '10.111.60.2', proto: 'icmp' }),
      facts: { [INVENTORY]: inventory, [XDPDUMP]: arpOnly, [PROBE_OUTCOME]: { ran: true, ok: false } },
      exec: [{ argv: ['ip', '-j', 'neigh', 'show'], netns: 'cli', stdout: recording('ip/neigh-arp-dropped.json') }],
    });
    expect(result.findings[0]!.message).toMatch(/XDP_DROP for 1 of 1 ARP frame\(s\) on zs0: the client never resolved 10\.111\.60\.2 \(its neighbour entry: 10\.111\.60\.2 INCOMPLETE on zc0\)/);
    expect(result.findings[0]!.fixes[0]!.title).toMatch(/let ARP/);
  });

  it('no packet bytes (xdpdump lines only): skip, saying why', async () => {
    const { result } = await runCheck(packetFate, { facts: { [XDPDUMP]: { mode: 'xdpdump', verdicts: [{ index: 1, inLen: 60, outLen: 60, action: 'XDP_PASS' }] } } });
    expect(result.status).toBe('skip');
  });
});

/** The drop-reasons rung over a recorded bpftrace run: server netns inode 4026532247 (srv), client 4026532178 (cli). */
async function dropRun(stdout: string, flow: { ip: string; proto: 'icmp' | 'tcp'; port?: number }, probeOk = false) {
  const links = (ifname: string) => JSON.stringify([{ ifindex: 1, ifname: 'lo', flags: ['UP'] }, { ifindex: 2, ifname, flags: ['UP', 'LOWER_UP'] }]);
  const exec: Recording[] = [
    vmlinuxBtf,
    { argv: (a) => a[0] === 'bpftrace', lines: stdout.split('\n').filter(Boolean) },
    { argv: ['readlink', '/proc/self/ns/net'], netns: 'srv', stdout: 'net:[4026532247]\n' },
    { argv: ['readlink', '/proc/self/ns/net'], netns: 'cli', stdout: 'net:[4026532178]\n' },
    { argv: (a) => a[0] === 'ip' && a.includes('link'), netns: 'srv', stdout: links('zs0') },
    { argv: (a) => a[0] === 'ip' && a.includes('link'), netns: 'cli', stdout: links('zc0') },
  ];
  return runCheck(dropReasons, {
    target: target(flow), exec, probe: { ran: true, ok: probeOk },
    files: { '/sys/kernel/tracing/events/skb/kfree_skb/format': recording('drop-reasons/kfree_skb-format-6.18.txt') },
    facts: { [INVENTORY]: { ...inventory, peer: { ifname: 'zc0', ifindex: 2, netns: CLIENT, netnsName: 'cli', up: true } } },
  });
}

describe('drop-reasons rung: whose drop it is', () => {
  it('OTHERHOST on the XDP interface after a VLAN push is the kernel\'s, not the program\'s verdict', async () => {
    const { result, facts } = await dropRun(recording('drop-reasons/zoo-vlan-push-otherhost.stdout.txt'), { ip: '10.111.60.2', proto: 'icmp' });
    const d = (facts[DROPS] as DropFacts).drops;
    expect(d).toEqual([expect.objectContaining({ reason: 'OTHERHOST', count: 3, ifname: 'zs0', onXdpIface: true, byProgram: false, routine: false, l3: 'IPv4', location: 'ip_rcv_core' })]);
    expect(result.status).toBe('fail');
    expect(result.findings.map((f) => f.cause)).toEqual(['drop-otherhost']);
    expect(result.findings[0]!.explains).toContain('xdp-change-dropped');
    expect(result.summary).not.toMatch(/dropped by the XDP program itself/);
  });

  it('freed in veth_xdp_rcv_skb (the program\'s XDP_DROP of ARP, reason NOT_SPECIFIED) is the program\'s: no finding', async () => {
    const { result, facts } = await dropRun(recording('drop-reasons/zoo-ip-only-arp-xdp-drop.stdout.txt'), { ip: '10.111.60.2', proto: 'icmp' });
    expect((facts[DROPS] as DropFacts).drops).toEqual([expect.objectContaining({ reason: 'NOT_SPECIFIED', l3: 'ARP', byProgram: true })]);
    expect(result.status).toBe('pass');
    expect(result.summary).toMatch(/\(2 dropped by the XDP program itself on zs0 \(its verdict\)\)$/);
  });

  it('IPv6: NO_SOCKET in tcp_v6_rcv on both ends, the IPv6 flow named', async () => {
    const { result } = await dropRun(recording('drop-reasons/zoo-port-rewrite-v6-no-socket.stdout.txt'), { ip: 'fd00:111:60::2', proto: 'tcp', port: 8081 });
    expect(result.findings.map((f) => [f.cause, f.iface])).toEqual([['no-socket', 'zs0'], ['no-socket', 'zc0']]);
    expect(result.evidence[0]).toMatchObject({ label: 'flow', data: 'IPv6 to or from fd00:111:60::2 (and IPv6-in-IPv6 with that inner destination)' });
    expect(result.evidence[0]!.command!.join(' ')).toContain('*(uint32 *)($ip6 + 24) == 0x110100fd'); // daddr's first word, at this kernel's offsets
  });

  it('IP_LOCAL_SOURCE after the encapsulation; a passing probe turns drops into evidence only', async () => {
    const failed = await dropRun(recording('drop-reasons/zoo-ipip-local-source.stdout.txt'), { ip: '10.111.60.2', proto: 'icmp' });
    expect(failed.result.findings.map((f) => f.cause)).toEqual(['ip-local-source']);
    const passed = await dropRun(recording('drop-reasons/zoo-ipip-local-source.stdout.txt'), { ip: '10.111.60.2', proto: 'icmp' }, true);
    expect(passed.result).toMatchObject({ status: 'pass', findings: [] });
    expect(passed.result.summary).toMatch(/IP_LOCAL_SOURCE ×3 at zs0 .*\(the probe passed\)/);
  });
});
