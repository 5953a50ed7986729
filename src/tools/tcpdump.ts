// tcpdump on one hop: started as a collector (attached when it prints "listening on"), lines parsed into
// packets. With -n -l -tt the line format is stable across 4.9x versions.
import type { NetnsRef } from './netns.js';
import type { Collector, Exec } from './exec.js';

export interface TcpdumpPacket {
  ts: number;
  /** "IP", "ARP", "IP6", ... */
  proto: string;
  src?: string; dst?: string; sport?: number; dport?: number;
  /** TCP flags as printed: "S", "S.", "P.", "R" ... */
  flags?: string;
  seq?: number;
  /** ICMP echo: which half, and the id and sequence that pair a reply with its request. */
  echo?: { reply: boolean; id: number; seq: number };
  /** IPIP, IPv6-in-IPv6 (or either family in the other): the outer addresses; src/dst/ports then describe the inner packet. */
  outer?: { src: string; dst: string };
  /** ARP or IPv6 neighbour discovery: the flow's neighbour resolution, not one of its requests or replies. */
  neighbour?: boolean;
  /** tcpdump's own complaint: "bad hdr length", "truncated-ip", ... */
  malformed?: string;
  raw: string;
}

const ADDR = /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/;

function splitAddr(s: string): { ip?: string; port?: number } {
  const m = ADDR.exec(s.replace(/:$/, ''));
  return m ? { ip: m[1], port: m[2] ? Number(m[2]) : undefined } : {};
}

export function parseTcpdumpLine(line: string): TcpdumpPacket | undefined {
  const m = /^(\d+\.\d+)\s+(?:\S+\s+(?:In|Out|M|B|P)\s+)?(IP6?|ARP|[A-Z][\w-]*),?\s+(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const pkt: TcpdumpPacket = { ts: Number(m[1]), proto: m[2]!, raw: line };
  if (pkt.proto === 'ARP' || /ICMP6, neighbor (solicitation|advertisement)/.test(line)) pkt.neighbour = true;
  let rest = m[3]!;
  // tcpdump puts its complaint before the addresses: "truncated-ip - 15300 bytes missing! A > B: ...".
  const takeComplaint = () => {
    const start = rest.search(/\d+\.\d+\.\d+\.\d+(?:\.\d+)? > /);
    if (start > 0) { pkt.malformed ??= rest.slice(0, start).trim(); rest = rest.slice(start); }
  };
  // The family whose header the addresses and ports below come from: the inner one of a tunnelled packet.
  let family = pkt.proto;
  if (family === 'IP') takeComplaint();
  // IPv6's complaint is glued to the first address: "truncated-ip6 - 20400 bytes missing!fd00:…".
  const complaint6 = family === 'IP6' ? /^(truncated-ip6 - \d+ bytes missing!)\s*/.exec(rest) : null;
  if (complaint6) { pkt.malformed = complaint6[1]; rest = rest.slice(complaint6[0].length); }
  if (family === 'IP' || family === 'IP6') {
    // Outer header of a tunnelled packet: "A > B: IP C.p > D.q: ..." (IPIP), "A > B: IP6 C.p > D.q: ..."
    // (IPv6-in-IPv6, or IPv6 in IPv4); outer addresses carry no port.
    const encap = /^([0-9a-f:]+|\d+\.\d+\.\d+\.\d+) > ([0-9a-f:]+|\d+\.\d+\.\d+\.\d+): (?:\(tos[^)]*\) )?(IP6?) (.*)$/.exec(rest);
    if (encap) { pkt.outer = { src: encap[1]!, dst: encap[2]! }; family = encap[3]!; rest = encap[4]!; }
  }
  if (family === 'IP') {
    takeComplaint();
    const hdr = /^(\S+) > (\S+?):? (.*)$/.exec(rest);
    if (hdr) {
      const s = splitAddr(hdr[1]!), d = splitAddr(hdr[2]!);
      Object.assign(pkt, { src: s.ip, sport: s.port, dst: d.ip, dport: d.port });
      const flags = /Flags \[([^\]]*)\]/.exec(hdr[3]!);
      if (flags) pkt.flags = flags[1];
      const seq = /\bseq (\d+)/.exec(hdr[3]!);
      if (seq) pkt.seq = Number(seq[1]);
      const echo = /ICMP echo (request|reply), id (\d+), seq (\d+)/.exec(hdr[3]!);
      if (echo) pkt.echo = { reply: echo[1] === 'reply', id: Number(echo[2]), seq: Number(echo[3]) };
    }
    const bad = /(bad hdr length[^,\]]*|truncated-ip - \d+ bytes missing!|bad-len \d+|IP \d+ bytes missing!?|wrong link-layer[^,\]]*)/.exec(line);
    if (bad && !pkt.malformed) pkt.malformed = bad[1];
  }
  if (family === 'IP6') {
    // "A.p > B.q: Flags [S], ..." or "A > B: ICMP6, echo request, id 5, seq 1, length 64"; an IPv6 address has no
    // dots, so a trailing ".N" is the port.
    const hdr = /^([0-9a-f:]+)(?:\.(\d+))? > ([0-9a-f:]+)(?:\.(\d+))?: (.*)$/i.exec(rest);
    if (hdr) {
      Object.assign(pkt, { src: hdr[1], dst: hdr[3], ...(hdr[2] ? { sport: Number(hdr[2]) } : {}), ...(hdr[4] ? { dport: Number(hdr[4]) } : {}) });
      const flags = /Flags \[([^\]]*)\]/.exec(hdr[5]!);
      if (flags) pkt.flags = flags[1];
      const seq = /\bseq (\d+)/.exec(hdr[5]!);
      if (seq && flags) pkt.seq = Number(seq[1]);
      const echo = /ICMP6, echo (request|reply), id (\d+), seq (\d+)/.exec(hdr[5]!);
      if (echo) pkt.echo = { reply: echo[1] === 'reply', id: Number(echo[2]), seq: Number(echo[3]) };
    }
  }
  return pkt;
}

export function parseTcpdumpOutput(text: string): TcpdumpPacket[] {
  return text.split('\n').map(parseTcpdumpLine).filter((p): p is TcpdumpPacket => p !== undefined);
}

export interface TcpdumpOptions {
  iface: string; netns?: NetnsRef; filter?: string[]; maxLines?: number;
  onPacket?(p: TcpdumpPacket): void; timeoutMs?: number;
}

export function tcpdumpArgv(o: Pick<TcpdumpOptions, 'iface' | 'filter'>): string[] {
  return ['tcpdump', '-i', o.iface, '-n', '-l', '-tt', '--immediate-mode', ...(o.filter ?? [])];
}

export function createTcpdump(exec: Exec) {
  return {
    /** Attached (ready) once tcpdump prints "listening on"; stop() ends it and returns its lines. */
    capture(o: TcpdumpOptions): Collector {
      return exec.spawn(tcpdumpArgv(o), {
        netns: o.netns,
        maxLines: o.maxLines ?? 2000,
        timeoutMs: o.timeoutMs ?? 60_000,
        // tcpdump attaches in milliseconds; its readiness waits the one attach timeout like every collector's.
        readyWhen: (line, stream) => stream === 'stderr' && line.startsWith('listening on'),
        onLine: (line, stream) => {
          if (stream !== 'stdout' || !o.onPacket) return;
          const p = parseTcpdumpLine(line);
          if (p) o.onPacket(p);
        },
      });
    },
  };
}
export type TcpdumpTool = ReturnType<typeof createTcpdump>;
