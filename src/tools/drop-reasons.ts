// skb drop reasons: since 5.17 every freed skb carries `enum skb_drop_reason` in tracepoint:skb:kfree_skb. The
// names and numbers differ between kernels, so they are read from this kernel's tracepoint format (its
// __print_symbolic table is generated from the enum). One bpftrace program counts the probe's flow — packets to or
// from its address, and IPIP packets whose inner header goes there — per reason, device, network namespace (inode)
// and kernel function.
import type { BpftraceJson } from './bpftrace.js';
import { readinessProbe } from './bpftrace.js';
import { excerpt, num, ToolOutputError } from './json.js';

export const DROP_MAP = '@xdp_doctor_drops';

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

/** The program for the flow of these addresses. bpftrace reads args->protocol in host order (ntohs in the tracepoint). */
export function dropReasonsProgram(ips: string[]): string {
  if (!ips.length) throw new Error('dropReasonsProgram: no address to follow');
  const any = (v: string) => ips.map((ip) => `${v} == ${be32AsHostU32(ip)}`).join(' || ');
  return [
    'tracepoint:skb:kfree_skb',
    '{',
    '  $proto = args->protocol;',
    '  if ($proto != 0x0800) { return; }',
    '  $skb = (struct sk_buff *)args->skbaddr;',
    '  $ip = (struct iphdr *)($skb->head + $skb->network_header);',
    '  $d = $ip->daddr;',
    '  $s = $ip->saddr;',
    // An IPIP packet (a load balancer's encapsulation) belongs to the flow when its inner destination does.
    '  $inner = ((struct iphdr *)($skb->head + $skb->network_header + 20))->daddr;',
    `  if (${any('$d')} || ${any('$s')} || ($ip->protocol == 4 && (${any('$inner')}))) {`,
    '    $dev = $skb->dev;',
    `    ${DROP_MAP}[args->reason, $dev->ifindex, $dev->nd_net.net->ns.inum, $ip->protocol, ksym(args->location)] = count();`,
    '  }',
    '}',
    readinessProbe(),
  ].join('\n');
}

export interface DropBucket { reason: number; ifindex: number; netnsInode: number; /** IPv4 protocol of the dropped packet (1 ICMP, 4 IPIP, 6 TCP, 17 UDP). */ proto: number; location: string; count: number }

export function dropBuckets(json: BpftraceJson): DropBucket[] {
  const out: DropBucket[] = [];
  for (const [key, value] of Object.entries(json.maps[DROP_MAP] ?? {})) {
    const [reason, ifindex, inode, proto, ...loc] = key.split(',');
    const count = num(value);
    if (![reason, ifindex, inode, proto].every((p) => p !== undefined && /^\d+$/.test(p.trim())) || count === undefined) {
      throw new ToolOutputError('bpftrace', `${DROP_MAP} entry "${key}" is not reason,ifindex,netns,protocol,location → count`, excerpt(`${key}: ${JSON.stringify(value)}`));
    }
    out.push({ reason: Number(reason), ifindex: Number(ifindex), netnsInode: Number(inode), proto: Number(proto), location: loc.join(',').trim(), count });
  }
  return out.sort((a, b) => b.count - a.count);
}
