// Where a probe command sends its packets, read from its argv for the probes people use (ping, nc, curl, wget,
// socat, dig, hping3, iperf3): the destination address, the protocol and the port. The rungs follow that
// flow through captures and verdicts. Only literal IPv4 addresses are read: a host name would need a lookup in
// the probe's namespace, and a wrong guess is worse than none (then --flow says it).
export interface ProbeFlow { ip: string; port?: number; proto: 'icmp' | 'tcp' | 'udp' }

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const isIp = (s: string) => IPV4.test(s);
const portOf = (s: string | undefined) => (s && /^\d{1,5}$/.test(s) && Number(s) > 0 && Number(s) < 65536 ? Number(s) : undefined);

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

const NC_VALUE = new Set(['-p', '-s', '-w', '-i', '-q', '-X', '-x', '-I', '-O', '-T', '-V', '-W', '-M', '-m', '-P']);
const PING_VALUE = new Set(['-c', '-i', '-W', '-w', '-s', '-t', '-I', '-l', '-p', '-Q', '-S', '-M', '-m', '-F', '-T']);
const HPING_VALUE = new Set(['-c', '-i', '-p', '-s', '-t', '-d', '-I', '-a', '-w', '-o', '-N', '-H', '-g', '-m', '-E', '-e', '-k', '-M', '-L', '-O', '-Q', '-W', '-b']);

function fromUrl(url: string): ProbeFlow | undefined {
  const m = /^(https?|ftp):\/\/([^/:]+)(?::(\d+))?/.exec(url);
  if (!m || !isIp(m[2]!)) return undefined;
  return { ip: m[2]!, proto: 'tcp', port: portOf(m[3]) ?? (m[1] === 'https' ? 443 : m[1] === 'ftp' ? 21 : 80) };
}

export function flowOfProbe(argv: string[]): ProbeFlow | undefined {
  const [cmd0, ...args] = argv;
  const cmd = (cmd0 ?? '').split('/').pop()!;
  if (/^(ping|ping4|fping|arping)$/.test(cmd)) {
    const ip = positionals(args, PING_VALUE).find(isIp);
    return ip ? { ip, proto: 'icmp' } : undefined;
  }
  if (/^(nc|ncat|netcat|nc\.openbsd|nc\.traditional)$/.test(cmd)) {
    const [host, port] = positionals(args, NC_VALUE);
    if (!host || !isIp(host)) return undefined;
    return { ip: host, proto: args.includes('-u') ? 'udp' : 'tcp', ...(portOf(port) ? { port: portOf(port) } : {}) };
  }
  if (cmd === 'curl' || cmd === 'wget') {
    for (const a of args) { const f = fromUrl(a); if (f) return f; }
    return undefined;
  }
  if (cmd === 'socat') {
    for (const a of args) {
      const m = /^(TCP|TCP4|UDP|UDP4|TCP-CONNECT|UDP-SENDTO|UDP-CONNECT|TCP4-CONNECT|UDP4-SENDTO|UDP4-CONNECT):([\d.]+):(\d+)/i.exec(a);
      if (m && isIp(m[2]!)) return { ip: m[2]!, proto: /^udp/i.test(m[1]!) ? 'udp' : 'tcp', port: portOf(m[3]) };
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
    const ip = positionals(args, HPING_VALUE).find(isIp);
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
 * A tcpdump filter (argv words) for the flow in both directions, requests and replies. IP fragments after the
 * first carry no ports, so a port filter would miss them; they are rare on a probe's small packets.
 */
export function captureFilterOf(flow: ProbeFlow): string[] {
  const host = ['host', flow.ip];
  if (flow.proto === 'icmp') return ['icmp', 'and', ...host];
  return [flow.proto, 'and', ...host, ...(flow.port ? ['and', 'port', String(flow.port)] : [])];
}
