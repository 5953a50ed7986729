// Rung 6: are the packets the program sends on well formed? The blog's wireshark step: the exit pcap (from
// xdpdump, or from the BPF_PROG_TEST_RUN replay) dissected by tshark, then checked field by field: tshark's
// expert errors and malformed markers, the IPv4 total length against the bytes actually in the frame, the
// IPv4 header checksum, and for IPIP the inner header too. A receiver drops a packet whose tot_len claims more
// than it has (ip_rcv_core → IPSTATS_MIB_INTRUNCATEDPKTS) or whose checksum is wrong (IPSTATS_MIB_CSUMERRORS).
// IPv6 has no header checksum; its payload length is judged as ipv6_rcv judges it (more than the frame holds:
// dropped as truncated; less: the rest trimmed, not an error), through IPv6-in-IPv6 too.
import {
  defineCheck, XDPDUMP, type CheckResult, type ChecksumTrip, type Evidence, type ExpertItem, type Finding, type Ipv4Layer, type Ipv6Layer, type Severity,
  type TsharkPacket, type XdpdumpFacts, ipv6Words,
} from '../src/plugins/api.js';

interface PacketProblem {
  /** malformed-packet, or tx-checksum-partial for a TCP/UDP checksum that is only the pseudo-header sum. */
  cause: 'malformed-packet' | 'tx-checksum-partial';
  /** Field path in words: "outer IPv4 total length", "inner IPv4 header checksum". */
  field: string;
  message: string;
  /** How broken this field is: orders the problems of one packet (the cause's severity is the kb's). */
  severity: Severity;
}

interface PacketVerdict {
  number: number;
  action?: string;
  problems: PacketProblem[];
  /** tshark expert items at warning level: evidence, not findings. */
  warnings: string[];
}

const hex16 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const swap16 = (n: number) => ((n & 0xff) << 8) | ((n >> 8) & 0xff);
/** Frames shorter than this are padded on real Ethernet: trailing bytes after the IP packet are legal. */
const ETH_MIN_FRAME = 60;

function layerName(i: number, count: number): string {
  if (count === 1) return 'IPv4';
  if (i === 0) return 'outer IPv4';
  return i === count - 1 ? 'inner IPv4' : `IPv4 #${i + 1}`;
}

/**
 * Checks one dissected packet. The expected total length of the first IPv4 header is what the frame holds
 * after its link-layer header; of an encapsulated header, what its outer header leaves after itself.
 */
export function checkPacket(p: TsharkPacket, action?: string, checksum?: ChecksumTrip): PacketVerdict {
  const problems: PacketProblem[] = [];
  const warnings: string[] = [];
  const explained = new Set<number>();
  let available = p.frameLen - p.l2Len;
  let availableWhy = `frame length ${p.frameLen} − ${p.l2Len}`;
  const count = p.ipv4.length;
  for (const [i, ip] of p.ipv4.entries()) {
    const name = layerName(i, count);
    if (ip.version !== 4) {
      problems.push({ cause: 'malformed-packet', field: `${name} version`, severity: 'critical', message: `${name} version is ${ip.version}, expected 4` });
      explained.add(i);
      break;
    }
    if (ip.hdrLen < 20) {
      problems.push({ cause: 'malformed-packet', field: `${name} header length`, severity: 'critical', message: `${name} header length is ${ip.hdrLen} bytes (IHL ${ip.hdrLen / 4}), expected at least 20 (IHL 5)` });
      explained.add(i);
      break;
    }
    const tooLong = ip.totalLen > available;
    const tooShort = ip.totalLen < available && !(i === 0 && p.frameLen <= ETH_MIN_FRAME);
    if (ip.totalLen < ip.hdrLen || tooLong || tooShort) {
      const swapped = swap16(ip.totalLen) === available;
      problems.push({
        cause: 'malformed-packet',
        field: `${name} total length`,
        severity: tooLong || ip.totalLen < ip.hdrLen ? 'critical' : 'high',
        message: `${name} total length is ${ip.totalLen} (${hex16(ip.totalLen)}), expected ${available} (${hex16(available)}) = ${availableWhy}` +
          (swapped ? ': written without htons' : tooLong ? ': it claims more bytes than the frame holds (receivers drop it as truncated)' : ': bytes after the IP packet'),
      });
      explained.add(i);
    }
    if (ip.checksumStatus === 'bad') {
      problems.push({
        cause: 'malformed-packet', field: `${name} header checksum`, severity: 'critical',
        message: `${name} header checksum is ${ip.checksum !== undefined ? hex16(ip.checksum) : '?'}, expected ${ip.checksumCalculated !== undefined ? hex16(ip.checksumCalculated) : '?'}` +
          ' (computed over the header as written)',
      });
      explained.add(i);
    }
    // What this header leaves for the next one (IPIP): its own length as written, bounded by the frame.
    const next = Math.min(ip.totalLen, available) - ip.hdrLen;
    availableWhy = ip.totalLen > available
      ? `the frame bytes after the ${name} header (${available} − ${ip.hdrLen})`
      : `${name} total length ${ip.totalLen} − ${ip.hdrLen}`;
    available = next;
    if (ip.proto !== 4) break;
  }

  const explained6 = checkIpv6Lengths(p, problems);

  const explainedL4 = new Set<string>();
  for (const [k, t] of p.transport.entries()) {
    // IPv6 has no "no checksum" for UDP (RFC 8200 §8.1): a zero is refused, where IPv4 takes it as none.
    if (t.proto === 'udp' && t.checksum === 0 && !p.ipv4.length && p.ipv6.length) {
      const name = `${p.ipv6.length > 1 ? 'outer ' : ''}UDP checksum`;
      problems.push({
        cause: 'malformed-packet', field: name, severity: 'critical',
        message: `${name} is 0x0000 over IPv6: IPv6 requires a UDP checksum (RFC 8200 §8.1), so receivers drop it ` +
          '(__udp6_lib_rcv, Udp6InCsumErrors) unless the socket opted in to zero checksums (RFC 6936)',
      });
      explainedL4.add(`udp#${p.transport.slice(0, k).filter((x) => x.proto === 'udp').length}`);
      continue;
    }
    if (t.checksumStatus !== 'bad') continue;
    // The innermost transport checksum is judged by the state it entered the program in (the xdpdump rung
    // decoded both frames): tshark computes a full checksum, which a partial one never is.
    const judged = k === p.transport.length - 1 && checksum && checksum.proto === t.proto ? judgeByEntry(checksum, action, t.proto.toUpperCase()) : undefined;
    if (judged) {
      explainedL4.add(`${t.proto}#${p.transport.slice(0, k).filter((x) => x.proto === t.proto).length}`);
      if (judged.problem) problems.push(judged.problem); else warnings.push(judged.warning!);
      continue;
    }
    const ip = p.ipv4[t.ipIndex] ?? ipv6AsPseudo(p.ipv6.at(-1));
    const name = `${count > 1 ? (t.ipIndex === 0 ? 'outer ' : 'inner ') : ''}${t.proto.toUpperCase()} checksum`;
    const found = t.checksum !== undefined ? hex16(t.checksum) : '?';
    const expected = t.checksumCalculated !== undefined ? hex16(t.checksumCalculated) : '?';
    explainedL4.add(`${t.proto}#${p.transport.slice(0, k).filter((x) => x.proto === t.proto).length}`);
    const partial = ip?.src && ip.dst && t.checksum !== undefined &&
      t.checksum === pseudoHeaderSum(ip.src, ip.dst, t.proto === 'tcp' ? 6 : 17, ip.totalLen - ip.hdrLen);
    if (partial) {
      const msg = `${name} is ${found}, expected ${expected}: ${found} is only the pseudo-header sum, the checksum of a ` +
        'CHECKSUM_PARTIAL packet (TX checksum offload on the sender) that nothing completed';
      if (action === 'XDP_TX' || action === 'XDP_REDIRECT') {
        problems.push({ cause: 'tx-checksum-partial', field: name, severity: 'high', message: `${msg}: ${action} sends it on as is, the receiver drops it (TcpInCsumErrors)` });
      } else {
        warnings.push(`${msg} (${action ?? 'verdict unknown'}: the local stack may still accept it)`);
      }
    } else {
      problems.push({ cause: 'malformed-packet', field: name, severity: 'high', message: `${name} is ${found}, expected ${expected}: the program changed the packet without updating it` });
    }
  }

  for (const e of p.experts) {
    if (e.severity === 'warn' && !(e.layer === 'ipv6' && explained6.has(e.layerIndex))) { warnings.push(describeExpert(e)); continue; }
    if (e.severity !== 'error') continue;
    // An expert error on a layer already reported field by field is the same problem in tshark's words.
    if (e.layer === 'ip' && explained.has(e.layerIndex)) continue;
    if (e.layer === 'ipv6' && explained6.has(e.layerIndex)) continue;
    if ((e.layer === 'tcp' || e.layer === 'udp') && explainedL4.has(`${e.layer}#${e.layerIndex}`) && /checksum/.test(e.field ?? e.message)) continue;
    problems.push({
      cause: 'malformed-packet',
      field: e.layer === '_ws.malformed' ? 'dissection' : `${e.layer === 'ip' ? layerName(e.layerIndex, count) : e.layer}${e.field ? ` (${e.field})` : ''}`,
      severity: 'critical',
      message: `tshark: ${e.message}${e.layer === 'ip' ? ` in the ${layerName(e.layerIndex, count)} header` : e.layer !== '_ws.malformed' ? ` (${e.layer})` : ''}`,
    });
  }
  if (p.malformed && !problems.some((x) => x.field === 'dissection')) {
    problems.push({ cause: 'malformed-packet', field: 'dissection', severity: 'critical', message: `tshark marks the packet malformed (${p.protocols})` });
  }
  return { number: p.number, problems, warnings };
}

const ipv6Name = (i: number, count: number) => (count === 1 ? 'IPv6' : i === 0 ? 'outer IPv6' : i === count - 1 ? 'inner IPv6' : `IPv6 #${i + 1}`);
const IPV6_HDR = 40;

/**
 * IPv6 payload lengths of a packet with no IPv4 header, outside in: the first gets what the frame holds after
 * the link layer and its own 40 bytes; an inner header (next header 41) what its outer one's payload leaves.
 * Returns the layers reported, so tshark's own words for them are not repeated.
 */
function checkIpv6Lengths(p: TsharkPacket, problems: PacketProblem[]): Set<number> {
  const explained = new Set<number>();
  if (p.ipv4.length) return explained;
  let available = p.frameLen - p.l2Len - IPV6_HDR;
  let availableWhy = `frame length ${p.frameLen} − ${p.l2Len} − ${IPV6_HDR}`;
  for (const [i, ip] of p.ipv6.entries()) {
    const name = ipv6Name(i, p.ipv6.length);
    // A payload length of 0 with a hop-by-hop header is a jumbogram; anything shorter than the frame is trimmed.
    if (ip.payloadLen > available && !(ip.payloadLen === 0 && ip.nextHeader === 0)) {
      const swapped = swap16(ip.payloadLen) === available;
      problems.push({
        cause: 'malformed-packet', field: `${name} payload length`, severity: 'critical',
        message: `${name} payload length is ${ip.payloadLen} (${hex16(ip.payloadLen)}), expected ${available} (${hex16(available)}) = ${availableWhy}` +
          (swapped ? ': written without htons' : ': it claims more bytes than the frame holds (receivers drop it as truncated)'),
      });
      explained.add(i);
    }
    availableWhy = `${name} payload length ${Math.min(ip.payloadLen, available)} − ${IPV6_HDR}`;
    available = Math.min(ip.payloadLen, available) - IPV6_HDR;
    if (ip.nextHeader !== 41) break;
  }
  return explained;
}

/** The innermost IPv6 header in the shape the partial-checksum test reads (addresses, L4 length). */
function ipv6AsPseudo(ip: Ipv6Layer | undefined): { src?: string; dst?: string; totalLen: number; hdrLen: number } | undefined {
  return ip && { src: ip.src, dst: ip.dst, totalLen: ip.payloadLen + IPV6_HDR, hdrLen: IPV6_HDR };
}

/**
 * A transport checksum that entered the program partial (CHECKSUM_PARTIAL: the sender's offload left the
 * pseudo-header sum for the device to complete) or already wrong, judged as the kernel will judge it. After
 * XDP_PASS the receiving stack trusts a CHECKSUM_PARTIAL skb (skb_csum_unnecessary()), so the field's value
 * does not matter, whether the program updated it incrementally or left it; XDP_TX and XDP_REDIRECT turn the
 * frame into an xdp_frame, which has no checksum state, and the next receiver verifies the unfinished value.
 * Undefined: the entry was a complete checksum, and the exit is judged as one.
 */
export function judgeByEntry(c: ChecksumTrip, action: string | undefined, name: string): { problem?: PacketProblem; warning?: string } | undefined {
  const how = c.after === 'updated' ? 'updated incrementally by the program' : c.after === 'partial' ? 'left as the pseudo-header sum' : `left ${c.after}`;
  if (c.before === 'partial') {
    const entered = `${name} checksum entered the program partial (CHECKSUM_PARTIAL: the sender's checksum offload left the pseudo-header sum for the device to complete) and was ${how}`;
    if (action === 'XDP_TX' || action === 'XDP_REDIRECT') {
      return { problem: { cause: 'tx-checksum-partial', field: `${name} checksum`, severity: 'high', message: `${entered}: ${action} sends it on as an xdp_frame, which has no checksum state, so the receiver verifies the unfinished value and drops it (TcpInCsumErrors)` } };
    }
    return { warning: `${entered}: after ${action ?? 'the program'} the receiving stack trusts a CHECKSUM_PARTIAL packet and does not verify it` };
  }
  if (c.before === 'bad') return { warning: `${name} checksum was already wrong when the packet entered the program: the sender's, not the program's` };
  return undefined;
}

/**
 * The 16-bit one's-complement sum (not inverted) of the IPv4 or IPv6 pseudo-header: what a CHECKSUM_PARTIAL
 * packet carries.
 */
export function pseudoHeaderSum(src: string, dst: string, proto: number, l4Len: number): number {
  let sum = 0;
  if (src.includes(':')) {
    for (const w of [...(ipv6Words(src) ?? []), ...(ipv6Words(dst) ?? [])]) sum += w;
    sum += (l4Len >>> 16) + (l4Len & 0xffff);
  } else {
    const octets = [...src.split('.'), ...dst.split('.')].map(Number);
    for (let i = 0; i < 8; i += 2) sum += (octets[i]! << 8) | octets[i + 1]!;
    sum += l4Len;
  }
  sum += proto;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

const describeExpert = (e: ExpertItem) => `${e.layer}${e.layerIndex ? `#${e.layerIndex + 1}` : ''}: ${e.message}`;

const describeIp = (ip: Ipv4Layer) =>
  `${ip.src ?? '?'} > ${ip.dst ?? '?'} proto ${ip.proto} len ${ip.totalLen} ihl ${ip.hdrLen} csum ${ip.checksum !== undefined ? hex16(ip.checksum) : '?'} (${ip.checksumStatus ?? '?'})`;

const describeIp6 = (ip: Ipv6Layer) => `${ip.src ?? '?'} > ${ip.dst ?? '?'} next header ${ip.nextHeader} payload ${ip.payloadLen}`;

/** Actions after which a packet leaves the program (the others are dropped: their bytes do not matter). */
const LEAVES = new Set(['XDP_TX', 'XDP_REDIRECT', 'XDP_PASS']);

export default defineCheck({
  id: 'packet-sanity',
  title: 'Packet sanity (tshark on the exit packets)',
  question: 'Are the packets the program sends on well formed (lengths, checksums, the inner packet of IPIP)?',
  rung: 6,
  needs: ['tshark'],
  // tshark starts once the collectors are attached and waits on a FIFO for the exit pcap: its start-up (~0.3 s of
  // CPU) overlaps the window, and no longer competes with the collectors' attach on two cores.
  readsLater: ['xdpdump'],
  timeoutMs: 30_000,
  async run(ctx) {
    let capture: (bytes: Uint8Array | undefined) => void = () => undefined;
    const exitPcap = new Promise<Uint8Array | undefined>((resolve) => { capture = resolve; });
    const xdpdumpDone = ctx.finished('xdpdump');
    // The window opens once every collector is attached; xdpdump may also end without one (skipped, no window).
    const tshark = Promise.race([ctx.window.opened?.() ?? Promise.resolve(), xdpdumpDone])
      .then(() => ctx.tools.tshark.dissectLater(exitPcap, { signal: ctx.signal }));
    tshark.catch(() => undefined); // awaited below, or stopped on a skip
    // Nothing to dissect: tshark is stopped (no capture), and gone before the rung ends.
    const skip = async (summary: string) => {
      capture(undefined);
      await tshark.catch(() => undefined);
      return { status: 'skip' as const, summary, evidence: [], findings: [] };
    };
    await xdpdumpDone;
    const xd = ctx.facts.get<XdpdumpFacts>(XDPDUMP);
    if (!xd) return skip('no exit packets: the xdpdump rung captured none (see its reason)');
    if (!xd.exitPcap) return skip('the xdpdump rung wrote no exit pcap');
    const leaving = xd.verdicts.filter((v) => LEAVES.has(v.action));
    if (!leaving.length) return skip(`no packet left the program (${[...new Set(xd.verdicts.map((v) => v.action))].join(', ')}): nothing to dissect`);
    ctx.progress(`dissecting ${xd.exitPcap} with tshark`);
    const bytes = ctx.tools.dryRun ? undefined : await ctx.tools.files.readBytes(xd.exitPcap);
    if (!ctx.tools.dryRun && !bytes) return skip(`the exit pcap ${xd.exitPcap} could not be read`);
    capture(bytes);
    const r = await tshark;
    if (ctx.tools.dryRun) return { status: 'skip', summary: 'dry run: tshark not run', evidence: [], findings: [] };
    return judge(xd, r);
  },
});

/** The exit packets against what the program meant to send, one finding per problem. */
function judge(xd: XdpdumpFacts, r: { argv: string[]; packets: TsharkPacket[]; stderr: string }): CheckResult {
  const source = xd.mode === 'replay' ? 'replayed through BPF_PROG_TEST_RUN' : 'captured by xdpdump at exit';
  const evidence: Evidence[] = [{ label: 'exit pcap', data: `${xd.exitPcap} (${r.packets.length} packet(s), ${source}, fed to tshark through a FIFO)`, command: r.argv }];
  if (r.stderr) evidence.push({ label: 'tshark stderr', data: r.stderr });

  const checked: (PacketVerdict & { pkt: TsharkPacket })[] = [];
  for (const pkt of r.packets) {
    // Frame N of the exit pcap is verdict N (both rungs write them in the same order).
    const action = xd.verdicts[pkt.number - 1]?.action;
    if (action && !LEAVES.has(action)) continue;
    checked.push({ ...checkPacket(pkt, action, xd.verdicts[pkt.number - 1]?.trip?.checksum), action, pkt });
  }
  const lines = checked.slice(0, 12).map((c) =>
    `#${c.number} ${c.action ?? ''} ${c.pkt.frameLen} bytes ${c.pkt.protocols}: ` +
    (c.pkt.ipv4.length ? c.pkt.ipv4.map(describeIp).join(' | ') : c.pkt.ipv6.length ? c.pkt.ipv6.map(describeIp6).join(' | ') : 'no IP') +
    (c.problems.length ? `  ✗ ${c.problems.map((p) => p.field).join(', ')}` : '  ✓'));
  evidence.push({ label: 'dissection', data: lines.join('\n') + (checked.length > 12 ? `\n... ${checked.length - 12} more` : '') });
  const warnings = [...new Set(checked.flatMap((c) => c.warnings))];
  if (warnings.length) evidence.push({ label: 'tshark warnings', data: warnings.slice(0, 10).join('\n') });

  // One finding per problem (cause and field), with how many packets show it. Values may differ per packet
  // (a checksum covers the timestamps); the first packet's message stands for the group.
  const groups = new Map<string, { p: PacketProblem; packets: number[] }>();
  for (const c of checked) {
    for (const p of c.problems) {
      const key = `${p.cause}|${p.field}`;
      const g = groups.get(key) ?? { p, packets: [] };
      g.packets.push(c.number);
      groups.set(key, g);
    }
  }
  const ranked = [...groups.values()].sort((a, b) => RANK[a.p.severity] - RANK[b.p.severity]);
  const findings: Finding[] = ranked.map(({ p, packets }) => ({
    cause: p.cause, fixes: [],
    message: `${p.message} (${packets.length} of ${checked.length} exit packet(s)` +
      `${packets.length < checked.length || packets.length > 1 ? `: #${packets.slice(0, 8).join(', #')}${packets.length > 8 ? ', ...' : ''}` : ''})`,
  }));
  if (!checked.length) return { status: 'skip', summary: 'tshark found no packet that leaves the program in the exit pcap', evidence, findings: [] };
  if (findings.length) {
    const bad = checked.filter((c) => c.problems.length).length;
    const worst = ranked[0]!.p;
    const more = groups.size > 1 ? ` (+${groups.size - 1} more problem(s))` : '';
    const what = findings.every((f) => f.cause === 'tx-checksum-partial') ? 'carry an unfinished checksum' : 'malformed';
    return { status: 'fail', summary: `${bad} of ${checked.length} exit packet(s) ${what}: ${worst.message}${more}`, evidence, findings };
  }
  const encap = checked.some((c) => c.pkt.ipv4.length > 1) ? ' (outer and inner IPv4)' : checked.some((c) => c.pkt.ipv6.length > 1) ? ' (outer and inner IPv6)' : '';
  return {
    status: 'pass',
    summary: `${checked.length} exit packet(s) well formed${encap}: lengths match the frames, header checksums correct, no tshark errors`,
    evidence, findings,
  };
}

const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
