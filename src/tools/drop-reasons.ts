// skb drop reasons: since 5.17 every freed skb carries `enum skb_drop_reason` in tracepoint:skb:kfree_skb. The
// names and numbers differ between kernels, so they are read from this kernel's tracepoint format (its
// __print_symbolic table is generated from the enum). One bpftrace program counts the probe's flow — packets to or
// from its address, and IPIP packets whose inner header goes there — per reason, device, network namespace (inode)
// and kernel function.
import type { BpftraceJson } from './bpftrace.js';
import { readinessProbe } from './bpftrace.js';
import { excerpt, num, ToolOutputError } from './json.js';
import { ipv6Bytes, ipv6Words } from './addresses.js';
import type { SkbOffsets } from './btf-offsets.js';

const DROP_MAP = '@xdp_doctor_drops';

/** reason number → name ("OTHERHOST"), from the format's `__print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, ...)`. */
export function parseDropReasonNames(format: string): Map<number, string> {
  const out = new Map<number, string>();
  const table = /__print_symbolic\(REC->reason,(.*)\)\s*$/ms.exec(format)?.[1] ?? '';
  for (const m of table.matchAll(/\{\s*(\d+),\s*"([A-Z0-9_]+)"\s*\}/g)) out.set(Number(m[1]), m[2]!);
  return out;
}

/** The format has a `reason` field (5.17 and later). */
export const hasDropReasons = (format: string) => /field:enum skb_drop_reason reason;/.test(format) || /field:[^;]*\breason;/.test(format);

/** An IPv4 address as the kernel's __be32 read by a little-endian CPU (x86, arm64): 10.111.60.2 → 0x023c6f0a. */
export function be32AsHostU32(ip: string): string {
  const b = ip.split('.').map(Number);
  return `0x${[b[3], b[2], b[1], b[0]].map((x) => x!.toString(16).padStart(2, '0')).join('')}`;
}

/** An IPv6 address as four __be32 words read by a little-endian CPU, for comparing in6_u.u6_addr32[i]. */
export function ipv6AsHostU32s(ip: string): string[] {
  const words = ipv6Words(ip);
  if (!words) throw new Error(`not an IPv6 address: ${ip}`);
  const bytes = ipv6Bytes(words);
  return [0, 4, 8, 12].map((i) => `0x${bytes.slice(i, i + 4).reverse().map((x) => x.toString(16).padStart(2, '0')).join('')}`);
}

const isIpv6 = (ip: string) => ip.includes(':');

/** L3 protocol numbers the program keys drops by (the EtherType, as args->protocol gives it in host order). */
export const L3 = { ipv4: 0x0800, ipv6: 0x86dd, arp: 0x0806 } as const;

/**
 * How the program reads the skb, its device and its headers: through struct casts (bpftrace compiles the kernel's
 * BTF to C with clang, 1.4–1.8 s here), or at this kernel's offsets read from its BTF (tools/btf-offsets.ts, 0.4 s).
 */
function skbAccess(o: SkbOffsets | undefined) {
  const at = (type: string, base: string, off: number) => `*(${type} *)(${base} + ${off})`;
  if (!o) {
    return {
      skb: '(struct sk_buff *)args->skbaddr', l3: '$skb->head + $skb->network_header',
      ifindex: '$skb->dev->ifindex', netns: '$skb->dev->nd_net.net->ns.inum',
      ip: '(struct iphdr *)$l3', daddr: '$ip->daddr', saddr: '$ip->saddr', protocol: '$ip->protocol', innerDaddr: '((struct iphdr *)($l3 + 20))->daddr',
      ip6: '(struct ipv6hdr *)$l3', inner6: '(struct ipv6hdr *)($l3 + 40)', nexthdr: '$ip6->nexthdr',
      addr6: (v: string, which: 'saddr' | 'daddr', i: number) => `${v}->${which}.in6_u.u6_addr32[${i}]`,
    };
  }
  const dev = at('uint64', '$skb', o.dev);
  return {
    // An integer, not args->skbaddr's `void *`: bpftrace 0.17 scales arithmetic on a void pointer by 0 ($skb + 16 == $skb).
    skb: '(uint64)args->skbaddr', l3: `${at('uint64', '$skb', o.head)} + ${at('uint16', '$skb', o.networkHeader)}`,
    ifindex: at('int32', dev, o.ifindex), netns: at('uint32', at('uint64', dev, o.devNet), o.netInum),
    ip: '$l3', daddr: at('uint32', '$ip', 16), saddr: at('uint32', '$ip', 12), protocol: at('uint8', '$ip', 9), innerDaddr: at('uint32', '$l3', 36),
    ip6: '$l3', inner6: '$l3 + 40', nexthdr: at('uint8', '$ip6', 6),
    addr6: (v: string, which: 'saddr' | 'daddr', i: number) => at('uint32', v, (which === 'saddr' ? 8 : 24) + 4 * i),
  };
}

/**
 * The program for the flow of these addresses. bpftrace reads args->protocol in host order (ntohs in the
 * tracepoint). IPv4: either address, or an IPIP packet whose inner destination is one (a load balancer's
 * encapsulation). IPv6: either address, or an IPv6-in-IPv6 packet whose inner destination is one (the same
 * load balancer over IPv6). ARP: a request or reply about one of the IPv4 addresses (a filter that
 * drops ARP stops the flow before its first packet). With this kernel's offsets the same fields are read at their
 * offsets instead of through struct casts: the same program, compiled in a quarter of the time.
 */
export function dropReasonsProgram(ips: string[], offsets?: SkbOffsets): string {
  if (!ips.length) throw new Error('dropReasonsProgram: no address to follow');
  const a = skbAccess(offsets);
  const v4 = ips.filter((ip) => !isIpv6(ip)), v6 = ips.filter(isIpv6);
  const any4 = (v: string) => v4.map((ip) => `${v} == ${be32AsHostU32(ip)}`).join(' || ');
  const any6 = (v: string, which: 'saddr' | 'daddr') => v6.map((ip) => `(${ipv6AsHostU32s(ip).map((w, i) => `${a.addr6(v, which, i)} == ${w}`).join(' && ')})`).join(' || ');
  // The first drop per (reason, device, namespace, protocol) is also printed: the probe window hears it live.
  const record = (l3: number, proto: string) => [
    `    $ifx = ${a.ifindex};`,
    `      $ino = ${a.netns};`,
    `      ${DROP_MAP}[$reason, $ifx, $ino, ${l3}, ${proto}, ksym(args->location)] = count();`,
    `      if (${SEEN_MAP}[$reason, $ifx, $ino, ${l3}, ${proto}] == 0) {`,
    `        ${SEEN_MAP}[$reason, $ifx, $ino, ${l3}, ${proto}] = 1;`,
    `        printf("${DROP_MARKER} %d %d %u %d %d\\n", $reason, $ifx, $ino, ${l3}, ${proto});`,
    '      }',
  ].join('\n');
  const lines = ['tracepoint:skb:kfree_skb', '{', '  $proto = args->protocol;', `  $skb = ${a.skb};`, '  $reason = args->reason;'];
  if (v4.length) {
    lines.push(
      '  if ($proto == 0x0800) {',
      `    $l3 = ${a.l3};`,
      `    $ip = ${a.ip};`,
      `    $inner = ${a.innerDaddr};`,
      `    if (${any4(a.daddr)} || ${any4(a.saddr)} || (${a.protocol} == 4 && (${any4('$inner')}))) {`,
      `  ${record(L3.ipv4, a.protocol)}`,
      '    }',
      '  }',
      '  if ($proto == 0x0806) {',
      `    $arp = ${a.l3};`,
      `    if (${any4('*(uint32 *)($arp + 24)')} || ${any4('*(uint32 *)($arp + 14)')}) {`,
      `  ${record(L3.arp, '0')}`,
      '    }',
      '  }',
    );
  }
  if (v6.length) {
    lines.push(
      '  if ($proto == 0x86DD) {',
      `    $l3 = ${a.l3};`,
      `    $ip6 = ${a.ip6};`,
      `    $inner6 = ${a.inner6};`,
      `    if (${any6('$ip6', 'daddr')} || ${any6('$ip6', 'saddr')} || (${a.nexthdr} == 41 && (${any6('$inner6', 'daddr')}))) {`,
      `  ${record(L3.ipv6, a.nexthdr)}`,
      '    }',
      '  }',
    );
  }
  lines.push('}', readinessProbe());
  return lines.join('\n');
}

const DROP_MARKER = 'xdp-doctor: drop';
const SEEN_MAP = '@xdp_doctor_seen';

/** The -f json line of a first drop (dropReasonsProgram): reason number, ifindex, netns inode, EtherType, protocol. */
export function parseDropLine(line: string): Omit<DropBucket, 'location' | 'count'> | undefined {
  if (!/^\{"type":\s*"printf"/.test(line) || !line.includes(DROP_MARKER)) return undefined;
  const m = new RegExp(`${DROP_MARKER} (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)`).exec(line);
  return m ? { reason: Number(m[1]), ifindex: Number(m[2]), netnsInode: Number(m[3]), l3: Number(m[4]), proto: Number(m[5]) } : undefined;
}

export interface DropBucket {
  reason: number; ifindex: number; netnsInode: number;
  /** EtherType of the dropped packet: 0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP. */
  l3: number;
  /** IP protocol / IPv6 next header of the dropped packet (1 ICMP, 4 IPIP, 6 TCP, 17 UDP, 58 ICMPv6); 0 for ARP. */
  proto: number;
  location: string; count: number;
}

export function dropBuckets(json: BpftraceJson): DropBucket[] {
  const out: DropBucket[] = [];
  for (const [key, value] of Object.entries(json.maps[DROP_MAP] ?? {})) {
    const parts = key.split(',').map((p) => p.trim());
    const count = num(value);
    // reason,ifindex,netns,l3,protocol,location; before IPv6 and ARP were followed, reason,ifindex,netns,protocol,location (IPv4).
    const withL3 = parts.length >= 6 && /^\d+$/.test(parts[4]!);
    const [reason, ifindex, inode, l3, proto, ...loc] = withL3 ? parts : [parts[0], parts[1], parts[2], String(L3.ipv4), ...parts.slice(3)];
    if (![reason, ifindex, inode, l3, proto].every((p) => p !== undefined && /^\d+$/.test(p)) || count === undefined) {
      throw new ToolOutputError('bpftrace', `${DROP_MAP} entry "${key}" is not reason,ifindex,netns,l3,protocol,location → count`, excerpt(`${key}: ${JSON.stringify(value)}`));
    }
    out.push({ reason: Number(reason), ifindex: Number(ifindex), netnsInode: Number(inode), l3: Number(l3), proto: Number(proto), location: loc.join(',').trim(), count });
  }
  return out.sort((a, b) => b.count - a.count);
}
