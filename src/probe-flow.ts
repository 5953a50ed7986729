// Where a probe command sends its packets, read from its argv for the probes people use (ping, nc, curl, wget,
// socat, dig, hping3, iperf3): the destination address, the protocol and the port. The rungs follow that
// flow through captures and verdicts. Only literal IPv4 and IPv6 addresses are read: a host name would need a
// lookup in the probe's namespace, and a wrong guess is worse than none (then --flow says it).
import { ipv6Text, ipv6Words } from './tools/addresses.js';

export interface ProbeFlow { ip: string; port?: number; proto: 'icmp' | 'tcp' | 'udp' }

// Functions, not module-level constants: what they decide is then measured by mutation testing per test (a
// mutant of a module-level constant is fixed when the module loads, and no test can switch it).
function isIpv4(s: string): boolean {
  return /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(s);
}
/** A literal IPv6 address (no zone, no brackets). Eight words need a colon: a dotted IPv4 address is not one. */
export function isIpv6Literal(s: string): boolean {
  return ipv6Words(s) !== undefined;
}
function isIp(s: string): boolean {
  return isIpv4(s) || isIpv6Literal(s);
}
function portOf(s: string | undefined): number | undefined {
  return s && /^\d{1,5}$/.test(s) && Number(s) > 0 && Number(s) < 65536 ? Number(s) : undefined;
}

/** Positional words, skipping the options that take a value. */
function positionals(args: string[], withValue: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-')) { if (withValue.has(a)) i++; continue; }
    out.push(a);
  }
  return out;
}

function ncValue(): Set<string> {
  return new Set(['-p', '-s', '-w', '-i', '-q', '-X', '-x', '-I', '-O', '-T', '-V', '-W', '-M', '-m', '-P']);
}
function pingValue(): Set<string> {
  return new Set(['-c', '-i', '-W', '-w', '-s', '-t', '-I', '-l', '-p', '-Q', '-S', '-M', '-m', '-F', '-T']);
}
function hpingValue(): Set<string> {
  return new Set(['-c', '-i', '-p', '-s', '-t', '-d', '-I', '-a', '-w', '-o', '-N', '-H', '-g', '-m', '-E', '-e', '-k', '-M', '-L', '-O', '-Q', '-W', '-b']);
}

function fromUrl(url: string): ProbeFlow | undefined {
  const m = /^(https?|ftp):\/\/(\[[0-9a-fA-F:.]+\]|[^/:]+)(?::(\d+))?/.exec(url);
  const host = m?.[2]?.replace(/^\[(.*)\]$/, '$1');
  if (!m || !host || !isIp(host)) return undefined;
  return { ip: host, proto: 'tcp', port: portOf(m[3]) ?? (m[1] === 'https' ? 443 : m[1] === 'ftp' ? 21 : 80) };
}

/** The flow of a probe command, its address in canonical lower case (IPv6 as the kernel prints it; the probes'
 * parsers below leave that to this one place). */
export function flowOfProbe(argv: string[]): ProbeFlow | undefined {
  const f = flowOfArgv(argv);
  return f ? { ...f, ip: canonicalIp(f.ip) } : undefined;
}

/** IPv6 in its RFC 5952 form (lower case, longest zero run as ::), so captures and decoded frames compare equal. */
export function canonicalIp(ip: string): string {
  const words = ipv6Words(ip);
  return words ? ipv6Text(words) : ip;
}

function flowOfArgv(argv: string[]): ProbeFlow | undefined {
  const [cmd0, ...args] = argv;
  const cmd = (cmd0 ?? '').split('/').pop()!;
  if (/^(ping|ping4|ping6|fping|fping6|arping)$/.test(cmd)) {
    const ip = positionals(args, pingValue()).find(isIp);
    return ip ? { ip, proto: 'icmp' } : undefined;
  }
  if (/^(nc|ncat|netcat|nc\.openbsd|nc\.traditional)$/.test(cmd)) {
    const [host, port] = positionals(args, ncValue());
    if (!host || !isIp(host)) return undefined;
    return { ip: host, proto: args.includes('-u') ? 'udp' : 'tcp', ...(portOf(port) ? { port: portOf(port) } : {}) };
  }
  if (cmd === 'curl' || cmd === 'wget') {
    for (const a of args) { const f = fromUrl(a); if (f) return f; }
    return undefined;
  }
  if (cmd === 'socat') {
    for (const a of args) {
      const m = /^(TCP[46]?|UDP[46]?|TCP-CONNECT|UDP-SENDTO|UDP-CONNECT|TCP[46]-CONNECT|UDP[46]-SENDTO|UDP[46]-CONNECT):(\[[0-9a-fA-F:.]+\]|[\d.]+):(\d+)/i.exec(a);
      const host = m?.[2]?.replace(/^\[(.*)\]$/, '$1');
      if (m && host && isIp(host)) return { ip: host, proto: /^udp/i.test(m[1]!) ? 'udp' : 'tcp', port: portOf(m[3]) };
    }
    return undefined;
  }
  if (cmd === 'dig' || cmd === 'kdig') {
    const at = args.find((a) => a.startsWith('@') && isIp(a.slice(1)));
    if (!at) return undefined;
    const p = args.indexOf('-p');
    return { ip: at.slice(1), proto: args.includes('+tcp') ? 'tcp' : 'udp', port: (p >= 0 ? portOf(args[p + 1]) : undefined) ?? 53 };
  }
  if (cmd === 'hping3' || cmd === 'hping') {
    const ip = positionals(args, hpingValue()).find(isIp);
    if (!ip) return undefined;
    if (args.includes('-1') || args.includes('--icmp')) return { ip, proto: 'icmp' };
    const p = args.indexOf('-p');
    const port = p >= 0 ? portOf(args[p + 1]?.replace(/^[+]+/, '')) : undefined;
    return { ip, proto: args.includes('-2') || args.includes('--udp') ? 'udp' : 'tcp', ...(port ? { port } : {}) };
  }
  if (cmd === 'iperf3' || cmd === 'iperf') {
    const c = args.indexOf('-c');
    const ip = c >= 0 ? args[c + 1] : undefined;
    if (!ip || !isIp(ip)) return undefined;
    const p = args.indexOf('-p');
    return { ip, proto: args.includes('-u') ? 'udp' : 'tcp', port: (p >= 0 ? portOf(args[p + 1]) : undefined) ?? (cmd === 'iperf3' ? 5201 : 5001) };
  }
  return undefined;
}

/**
 * A tcpdump filter (argv words) for the flow in both directions, requests and replies, and the neighbour
 * resolution the flow needs first: ARP about its IPv4 address, or IPv6 neighbour solicitations and
 * advertisements (sent to a solicited-node multicast address, so matched by ICMPv6 type, not by host). A filter
 * that drops those stops the flow before its first packet. IP fragments after the first carry no ports, so a port
 * filter would miss them; they are rare on a probe's small packets. Tagged frames (one 802.1Q tag) match too.
 */
export function captureFilterOf(flow: ProbeFlow): string[] {
  const v6 = flow.ip.includes(':');
  const host = ['host', flow.ip];
  const main = flow.proto === 'icmp'
    ? [v6 ? 'icmp6' : 'icmp', 'and', ...host]
    : [flow.proto, 'and', ...host, ...(flow.port ? ['and', 'port', String(flow.port)] : [])];
  const neighbours = v6 ? ['icmp6', 'and', '(', 'ip6[40]', '==', '135', 'or', 'ip6[40]', '==', '136', ')'] : ['arp', 'and', ...host];
  const flowOnly = ['(', ...main, ')', 'or', '(', ...neighbours, ')'];
  // The same behind an 802.1Q tag in the frame: `vlan` moves the offsets of everything after it. A tag carried
  // beside the frame (skb metadata) is not in the filter's view, so the first half matches those frames.
  return ['(', ...flowOnly, ')', 'or', '(', 'vlan', 'and', '(', ...flowOnly, ')', ')'];
}
