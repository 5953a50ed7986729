// src/tools/drop-reasons.ts and src/kb/drop-reasons.ts: reason names from this kernel's skb:kfree_skb format,
// the bpftrace program for a flow, and its counts, on output recorded here (test/zoo/zoo_icmp_echo.c built
// with ZOO_FORGET_SWAP: its XDP_TX replies die at the sender as OTHERHOST).
import { describe, expect, it } from 'vitest';
import { be32AsHostU32, dropBuckets, dropReasonsProgram, hasDropReasons, ipv6AsHostU32s, parseDropLine, parseDropReasonNames } from '../../src/tools/drop-reasons.js';
import { parseBpftraceJson } from '../../src/tools/bpftrace.js';
import { allDropReasons, dropReasonInfo, isRoutineDrop } from '../../src/kb/drop-reasons.js';
import { causeInfo } from '../../src/kb/causes.js';
import { recording } from './helpers/recordings.js';

const format618 = recording('drop-reasons/kfree_skb-format-6.18.txt');

describe('reason names from the tracepoint format', () => {
  it('6.18: the numbers this kernel uses (they differ between kernels)', () => {
    const names = parseDropReasonNames(format618);
    expect(names.get(2)).toBe('NOT_SPECIFIED');
    expect(names.get(9)).toBe('PKT_TOO_SMALL');
    expect(names.get(10)).toBe('TCP_CSUM');
    expect(names.get(13)).toBe('OTHERHOST');
    expect(names.get(16)).toBe('IP_RPFILTER');
    expect(names.size).toBeGreaterThan(100);
    expect(hasDropReasons(format618)).toBe(true);
  });

  it('a format without the reason field (before 5.17) has none', () => {
    // Derived from the 6.18 recording: the fields 5.10 has (skbaddr, location, protocol) and no reason.
    const old = format618.replace(/\tfield:enum skb_drop_reason reason;[^\n]*\n/, '').replace(/print fmt:.*$/s, 'print fmt: "skbaddr=%p protocol=%u location=%p", REC->skbaddr, REC->protocol, REC->location\n');
    expect(hasDropReasons(old)).toBe(false);
    expect(parseDropReasonNames(old).size).toBe(0);
  });

  it('every reason the kb explains exists in this kernel, and every cause it raises is in the kb', () => {
    const names = new Set(parseDropReasonNames(format618).values());
    for (const r of allDropReasons()) {
      expect(names.has(r.reason), r.reason).toBe(true);
      expect(causeInfo(r.cause), r.cause).toBeDefined();
    }
    expect(dropReasonInfo('SOMETHING_NEW').cause).toBe('stack-drop');
  });
});

describe('the program and its counts', () => {
  it('addresses as the kernel\'s big-endian u32 read on this CPU', () => {
    expect(be32AsHostU32('10.111.60.2')).toBe('0x023c6f0a');
  });

  it('IPv4: the flow in both directions, IPIP by its inner destination, ARP about the address; ends with the readiness probe', () => {
    const p = dropReasonsProgram(['10.111.60.2']);
    expect(p).toContain('tracepoint:skb:kfree_skb');
    expect(p).toContain('if ($ip->daddr == 0x023c6f0a || $ip->saddr == 0x023c6f0a || ($ip->protocol == 4 && ($inner == 0x023c6f0a))) {');
    expect(p).toContain('$ifx = $skb->dev->ifindex;');
    expect(p).toContain('$ino = $skb->dev->nd_net.net->ns.inum;');
    expect(p).toContain('@xdp_doctor_drops[$reason, $ifx, $ino, 2048, $ip->protocol, ksym(args->location)] = count();');
    expect(p).toContain('if (*(uint32 *)($arp + 24) == 0x023c6f0a || *(uint32 *)($arp + 14) == 0x023c6f0a) {');
    expect(p).not.toContain('0x86DD');
    expect(p).toMatch(/printf\("xdp-doctor: probes attached\\n"\)/);
    expect(() => dropReasonsProgram([])).toThrow();
  });

  it('IPv6: the four words of each address as this CPU reads them, both directions, no IPv4 branch', () => {
    expect(ipv6AsHostU32s('fd00:111:60::2')).toEqual(['0x110100fd', '0x00006000', '0x00000000', '0x02000000']);
    expect(ipv6AsHostU32s('::1')).toEqual(['0x00000000', '0x00000000', '0x00000000', '0x01000000']);
    expect(() => ipv6AsHostU32s('fd00::1::2')).toThrow();
    const p = dropReasonsProgram(['fd00:111:60::2']);
    expect(p).toContain('($ip6->daddr.in6_u.u6_addr32[0] == 0x110100fd && $ip6->daddr.in6_u.u6_addr32[1] == 0x00006000 && $ip6->daddr.in6_u.u6_addr32[2] == 0x00000000 && $ip6->daddr.in6_u.u6_addr32[3] == 0x02000000)');
    expect(p).toContain('34525, $ip6->nexthdr, ksym(args->location)] = count();');
    // IPv6-in-IPv6 (the `lab up --ipv6` load balancer) by the inner header's destination, 40 bytes in.
    expect(p).toContain('$l3 = $skb->head + $skb->network_header;');
    expect(p).toContain('$inner6 = (struct ipv6hdr *)($l3 + 40);');
    expect(p).toContain('|| ($ip6->nexthdr == 41 && (($inner6->daddr.in6_u.u6_addr32[0] == 0x110100fd && ');
    expect(p).not.toContain('0x0800');
  });

  // The offsets of this machine's 6.18 kernel (test/unit/btf-offsets.test.ts reads them from its recorded BTF).
  const OFFSETS_618 = { head: 192, networkHeader: 180, dev: 16, ifindex: 224, devNet: 264, netInum: 176 };

  it('at this kernel\'s offsets: the same fields without a struct cast, IPv4 header fields at their RFC 791 places', () => {
    const p = dropReasonsProgram(['10.111.60.2'], OFFSETS_618);
    expect(p).not.toMatch(/struct |->(?!skbaddr|protocol|reason|location)/);
    expect(p).toContain('$skb = (uint64)args->skbaddr;'); // void * arithmetic scales by 0 in bpftrace 0.17
    expect(p).toContain('$l3 = *(uint64 *)($skb + 192) + *(uint16 *)($skb + 180);');
    expect(p).toContain('$inner = *(uint32 *)($l3 + 36);');
    expect(p).toContain('if (*(uint32 *)($ip + 16) == 0x023c6f0a || *(uint32 *)($ip + 12) == 0x023c6f0a || (*(uint8 *)($ip + 9) == 4 && ($inner == 0x023c6f0a))) {');
    expect(p).toContain('$ifx = *(int32 *)(*(uint64 *)($skb + 16) + 224);');
    expect(p).toContain('$ino = *(uint32 *)(*(uint64 *)(*(uint64 *)($skb + 16) + 264) + 176);');
    expect(p).toContain('@xdp_doctor_drops[$reason, $ifx, $ino, 2048, *(uint8 *)($ip + 9), ksym(args->location)] = count();');
  });

  it('at this kernel\'s offsets over IPv6: saddr 8 and daddr 24 bytes in, next header at 6, the inner header 40 bytes on', () => {
    const p = dropReasonsProgram(['fd00:111:60::2'], OFFSETS_618);
    expect(p).not.toContain('struct ');
    expect(p).toContain('(*(uint32 *)($ip6 + 24) == 0x110100fd && *(uint32 *)($ip6 + 28) == 0x00006000 && *(uint32 *)($ip6 + 32) == 0x00000000 && *(uint32 *)($ip6 + 36) == 0x02000000)');
    expect(p).toContain('(*(uint32 *)($ip6 + 8) == 0x110100fd && ');
    expect(p).toContain('$inner6 = $l3 + 40;');
    expect(p).toContain('|| (*(uint8 *)($ip6 + 6) == 41 && ((*(uint32 *)($inner6 + 24) == 0x110100fd && ');
    expect(p).toContain('34525, *(uint8 *)($ip6 + 6), ksym(args->location)] = count();');
  });

  it('reads the six-field keys of a real IPv6 run: NO_SOCKET in tcp_v6_rcv on both ends of the port rewrite', () => {
    expect(dropBuckets(parseBpftraceJson(recording('drop-reasons/zoo-port-rewrite-v6-no-socket.stdout.txt')))).toEqual([
      expect.objectContaining({ reason: 3, ifindex: 2, l3: 0x86dd, proto: 6, location: 'tcp_v6_rcv', count: 2 }),
      expect.objectContaining({ reason: 3, ifindex: 2, l3: 0x86dd, proto: 6, location: 'tcp_v6_rcv', count: 2 }),
    ]);
  });

  it('reads the recorded counts: OTHERHOST ×3 on ifindex 2 of the sender\'s namespace, in ip_rcv_core', () => {
    expect(dropBuckets(parseBpftraceJson(recording('drop-reasons/zoo-echo-noswap-otherhost.stdout.txt')))).toEqual([
      { reason: 13, ifindex: 2, netnsInode: 4026532177, l3: 0x0800, proto: 1, location: 'ip_rcv_core', count: 3 },
    ]);
  });

  it('a healthy ping: the prober frees each ICMP reply as NO_SOCKET in ping_rcv after its raw socket took a copy — routine', () => {
    const [b] = dropBuckets(parseBpftraceJson(recording('drop-reasons/zoo-echo-healthy-icmp-no-socket.stdout.txt')));
    expect(b).toEqual({ reason: 3, ifindex: 2, netnsInode: 4026532177, l3: 0x0800, proto: 1, location: 'ping_rcv', count: 3 });
    expect(isRoutineDrop(parseDropReasonNames(format618).get(b!.reason)!, b!.proto)).toBe(true);
    expect(isRoutineDrop('NO_SOCKET', 6)).toBe(false);
  });
});

describe('first drops, printed live for the probe window', () => {
  const out = recording('drop-reasons/lab-bad-iphdr-first-drop.stdout.txt');
  it('the bad-iphdr run prints its PKT_TOO_SMALL once, with the namespace inode unsigned, before the maps', () => {
    const first = out.split('\n').map(parseDropLine).filter(Boolean);
    expect(first).toEqual([{ reason: 9, ifindex: 3, netnsInode: 4026532247, l3: 0x0800, proto: 4 }]);
    expect(parseDropReasonNames(format618).get(first[0]!.reason)).toBe('PKT_TOO_SMALL');
    expect(dropBuckets(parseBpftraceJson(out))).toMatchObject([{ reason: 9, ifindex: 3, netnsInode: 4026532247, count: 1, location: 'ip_rcv_core' }]);
  });
  it('reads each field once: the reason into a variable', () => {
    const p = dropReasonsProgram(['192.168.10.1']);
    expect(p.match(/args->reason/g)).toHaveLength(1);
    expect(p).toContain('printf("xdp-doctor: drop %d %d %u %d %d\\n"');
  });
});

// bpftrace output of dropReasonsProgram on the zoo scenarios of test/e2e/zoo-changes.test.ts and zoo-ttl.test.ts
// (kept with --artifacts through XDP_DOCTOR_RECORD_DIR): the reason, the kernel function, the family and protocol,
// and what the knowledge base makes of the reason where it was dropped.
describe('drop recordings of the zoo scenarios', () => {
  const names = parseDropReasonNames(format618);
  const cases: [string, string, string, number, number, RegExp][] = [
    ['zoo-ttl-v4-ip-inhdr', 'IP_INHDR', 'ip_forward', 0x0800, 1, /^the TTL \(IPv6: hop limit\) was 1 or less where the stack forwards the packet: time exceeded/],
    ['zoo-gue-no-socket', 'NO_SOCKET', '__udp4_lib_rcv', 0x0800, 17, /^the packet arrived but no socket listens on its port$/],
    ['zoo-ipip-noproto', 'IP_NOPROTO', 'ip_local_deliver_finish', 0x0800, 4, /^no protocol handler for the IPv4 protocol number: typically IPIP or GRE/],
    ['zoo-ip6ip6-noproto', 'IP_NOPROTO', 'ip6_input_finish', 0x86dd, 41, /^no protocol handler for the IPv6 next header: typically IPv6-in-IPv6 \(41\)/],
    ['zoo-nat-no-socket', 'NO_SOCKET', 'tcp_v4_rcv', 0x0800, 6, /^the packet arrived but no socket listens on its port$/],
    ['zoo-nat-v6-no-socket', 'NO_SOCKET', 'tcp_v6_rcv', 0x86dd, 6, /^the packet arrived but no socket listens on its port$/],
    // veth frees the program's XDP_DROP with no reason; the rung attributes it by the function (checks/drop-reasons.ts).
    ['zoo-v6-filter-xdp-drop', 'NOT_SPECIFIED', 'veth_xdp_rcv_skb', 0x86dd, 58, /^the kernel dropped the packet with reason NOT_SPECIFIED$/],
    ['zoo-gue-v6-zero-csum', 'NO_SOCKET', '__udp6_lib_rcv', 0x86dd, 17, /^the packet arrived but no socket listens on its port$/],
    ['zoo-vlan-push-v6-otherhost', 'OTHERHOST', 'ip6_rcv_core', 0x86dd, 58, /^the frame's destination MAC is not this host's/],
  ];
  for (const [file, reason, location, l3, proto, meaning] of cases) {
    it(`${file}: ${reason} in ${location}`, () => {
      const buckets = dropBuckets(parseBpftraceJson(recording(`drop-reasons/${file}.stdout.txt`)));
      expect(buckets).toHaveLength(1);
      const [b] = buckets;
      expect({ reason: names.get(b!.reason), location: b!.location, l3: b!.l3, proto: b!.proto }).toEqual({ reason, location, l3, proto });
      expect(b!.count).toBeGreaterThan(0);
      expect(dropReasonInfo(reason, location).meaning).toMatch(meaning);
    });
  }
});

describe('dropReasonInfo: a reason the forwarding paths reuse', () => {
  it('IP_INHDR in ip_forward / ip6_forward is an expired TTL, not a broken header; elsewhere it stays malformed', () => {
    for (const fn of ['ip_forward', 'ip6_forward', 'ip6_forward+0x2a1/0x8c0']) {
      const info = dropReasonInfo('IP_INHDR', fn);
      expect(info.cause).toBe('stack-drop');
      expect(info.meaning).toBe('the TTL (IPv6: hop limit) was 1 or less where the stack forwards the packet: time exceeded, and the sender is told so with ICMP');
    }
    expect(dropReasonInfo('IP_INHDR', 'ip_rcv_core').cause).toBe('malformed-packet');
    expect(dropReasonInfo('IP_INHDR').cause).toBe('malformed-packet');
    expect(dropReasonInfo('OTHERHOST', 'ip_forward').reason).toBe('OTHERHOST');
  });

  // Seen on `lab up --ipv6` with bad-iphdr: gw g1's ipv6_rcv drops the LB's copy whose payload length is byte-swapped.
  it('PKT_TOO_SMALL in ip6_rcv_core speaks of the IPv6 payload length; in ip_rcv_core of tot_len', () => {
    const v6 = dropReasonInfo('PKT_TOO_SMALL', 'ip6_rcv_core+0x3a/0x5f0');
    expect(v6.cause).toBe('malformed-packet');
    expect(v6.meaning).toBe('the IPv6 payload length claims more bytes than the frame holds after the header (or the header is cut short)');
    expect(v6.afterXdp).toMatch(/payload length without htons/);
    expect(dropReasonInfo('PKT_TOO_SMALL', 'ip_rcv_core').meaning).toMatch(/^the IPv4 total length/);
    expect(v6.explains).toEqual(dropReasonInfo('PKT_TOO_SMALL').explains);
  });

  // Seen on `lab up --ipv6` with params-unset: the LB's stack gets the SYN for the IPv6 VIP and ip6_forward drops it.
  it('IP_INADDRERRORS in ip6_forward names IPv6 forwarding, not ip_forward; the same cause and joins', () => {
    const v6 = dropReasonInfo('IP_INADDRERRORS', 'ip6_forward+0x1c/0x8c0');
    expect(v6.meaning).toBe('the IPv6 packet is addressed to an address this host does not own, and it does not forward IPv6 (net.ipv6.conf.all.forwarding=0)');
    expect(v6.source).toMatch(/^net\/ipv6\/ip6_output\.c ip6_forward\(\)/);
    const v4 = dropReasonInfo('IP_INADDRERRORS', 'ip_error');
    expect(v4.meaning).toContain('ip_forward=0');
    expect({ cause: v6.cause, explains: v6.explains, afterXdp: v6.afterXdp }).toEqual({ cause: v4.cause, explains: v4.explains, afterXdp: v4.afterXdp });
  });
});
