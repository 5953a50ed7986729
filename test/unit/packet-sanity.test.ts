// checks/packet-sanity.ts: field-by-field verdicts on tshark's real dissections (test/recordings/tshark), and
// the rung over a fake tshark that replays them.
import { fakeExec, type ExecCall } from '../../src/plugins/testing.js';
import { recording } from './helpers/recordings.js';
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import packetSanity, { checkPacket, judgeByEntry, pseudoHeaderSum } from '../../checks/packet-sanity.js';
import { verdictOf } from '../../checks/xdpdump-verdicts.js';
import { readPcap } from '../../src/tools/pcap.js';
import { XDPDUMP, type XdpdumpFacts } from '../../src/plugins/facts.js';
import type { CheckContext, ProbeOutcome } from '../../src/engine/types.js';
import { createTools } from '../../src/tools/index.js';
import { parseTsharkJson } from '../../src/tools/tshark.js';


const packets = (name: string) => parseTsharkJson(recording(`tshark/${name}.json`));
const pcapPath = (name: string) => fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url));

describe('checkPacket', () => {
  it('bad-iphdr: the outer tot_len written without htons, expected vs found', () => {
    const v = checkPacket(packets('bad-iphdr-exit')[0]!, 'XDP_TX');
    expect(v.problems).toEqual([{
      cause: 'malformed-packet', field: 'outer IPv4 total length', severity: 'critical',
      message: 'outer IPv4 total length is 20480 (0x5000), expected 80 (0x0050) = frame length 94 − 14: written without htons',
    }]);
    expect(v.warnings).toEqual([]);
  });

  // `lab up --ipv6` with bad-iphdr (lab-v6-badhdr-exit: the replay's exit pcap): the LB's IPv6-in-IPv6 SYN with
  // the outer payload length in host order. tshark only warns (plen_exceeds_framing); ipv6_rcv drops it.
  it('IPv6 bad-iphdr: the outer payload length written without htons; tshark\'s warning not repeated', () => {
    const [p] = packets('lab-v6-badhdr-exit');
    expect(p!.ipv6.map((l) => [l.payloadLen, l.nextHeader])).toEqual([[20480, 41], [40, 6]]);
    const v = checkPacket(p!, 'XDP_TX');
    expect(v.problems).toEqual([{
      cause: 'malformed-packet', field: 'outer IPv6 payload length', severity: 'critical',
      message: 'outer IPv6 payload length is 20480 (0x5000), expected 80 (0x0050) = frame length 134 − 14 − 40: written without htons',
    }]);
    expect(v.warnings).toEqual([]);
  });

  it('IPv6: a payload shorter than the frame is trimmed by the kernel, not a problem; longer is, as the inner one', () => {
    const [p] = packets('lab-v6-badhdr-exit');
    const fixed = { ...p!, experts: [], ipv6: [{ ...p!.ipv6[0]!, payloadLen: 80 }, p!.ipv6[1]!] };
    expect(checkPacket(fixed, 'XDP_TX')).toMatchObject({ problems: [], warnings: [] });
    const shortOuter = { ...fixed, ipv6: [{ ...fixed.ipv6[0]!, payloadLen: 60 }, fixed.ipv6[1]!] };
    expect(checkPacket(shortOuter, 'XDP_TX').problems.map((x) => x.message)).toEqual([
      'inner IPv6 payload length is 40 (0x0028), expected 20 (0x0014) = outer IPv6 payload length 60 − 40: it claims more bytes than the frame holds (receivers drop it as truncated)',
    ]);
  });

  // Exit pcaps the replay wrote on zoo scenarios (XDP_DOCTOR_RECORD_DIR): encapsulations that are well formed (GUE,
  // IPv6-in-IPv6: outer and inner payload lengths agree) and an IPv6 SYN whose checksum is still partial.
  it('zoo exits: GUE and IPv6-in-IPv6 well formed; an IPv6 partial checksum after XDP_PASS only a warning', () => {
    for (const name of ['zoo-gue-exit', 'zoo-ip6ip6-exit']) {
      for (const p of packets(name)) expect(checkPacket(p, 'XDP_PASS'), `${name} #${p.number}`).toMatchObject({ problems: [], warnings: [] });
    }
    expect(packets('zoo-ip6ip6-exit')[1]!.ipv6.map((l) => l.nextHeader)).toEqual([41, 58]);
    const syn = packets('zoo-nat-v6-exit')[1]!;
    const v = checkPacket(syn, 'XDP_PASS');
    expect(v.problems).toEqual([]);
    expect(v.warnings).toEqual([expect.stringMatching(/^TCP checksum is 0xfe13, expected 0xf17c: 0xfe13 is only the pseudo-header sum.*XDP_PASS: the local stack may still accept it/)]);
  });

  it('GUE over IPv6 with the UDP checksum 0: refused by IPv6, one problem in our words, tshark\'s not repeated', () => {
    const ps = packets('zoo-gue-v6-zero-csum-exit').filter((p) => p.transport.length);
    expect(ps.length).toBeGreaterThan(0);
    for (const p of ps) {
      expect(checkPacket(p, 'XDP_PASS').problems).toEqual([{
        cause: 'malformed-packet', field: 'UDP checksum', severity: 'critical',
        message: 'UDP checksum is 0x0000 over IPv6: IPv6 requires a UDP checksum (RFC 8200 §8.1), so receivers drop it (__udp6_lib_rcv, Udp6InCsumErrors) unless the socket opted in to zero checksums (RFC 6936)',
      }]);
    }
    // Over IPv4 the same zero means "no checksum": fine.
    for (const p of packets('zoo-gue-exit')) expect(checkPacket(p, 'XDP_PASS').problems).toEqual([]);
  });

  it('healthy exit packets have no problem', () => {
    for (const p of packets('healthy-exit')) expect(checkPacket(p, 'XDP_TX')).toMatchObject({ problems: [], warnings: [] });
  });

  it('names each problem of the crafted variants', () => {
    const v = packets('variants-crafted').map((p) => checkPacket(p, 'XDP_TX').problems.map((x) => x.message));
    expect(v[0]).toEqual([]);
    expect(v[1]).toEqual(['outer IPv4 header checksum is 0x1234, expected 0xaab5 (computed over the header as written)']);
    expect(v[2]).toEqual([
      'outer IPv4 total length is 80 (0x0050), expected 36 (0x0024) = frame length 50 − 14: it claims more bytes than the frame holds (receivers drop it as truncated)',
      'inner IPv4 total length is 60 (0x003c), expected 16 (0x0010) = the frame bytes after the outer IPv4 header (36 − 20): it claims more bytes than the frame holds (receivers drop it as truncated)',
      'tshark: Malformed Packet (Exception occurred)',
    ]);
    expect(v[3]).toEqual(['IPv4 header length is 16 bytes (IHL 4), expected at least 20 (IHL 5)']);
    expect(v[4]).toEqual(['inner IPv4 total length is 15360 (0x3c00), expected 60 (0x003c) = outer IPv4 total length 80 − 20: written without htons']);
    expect(v[5]).toEqual(['tshark: Malformed Packet (Exception occurred)']);
  });

  it('csum-offload: a TCP checksum that is only the pseudo-header sum is a partial checksum, a problem after XDP_TX', () => {
    const [p] = packets('csum-offload-exit');
    const tx = checkPacket(p!, 'XDP_TX');
    expect(tx.problems).toHaveLength(1);
    expect(tx.problems[0]).toMatchObject({ cause: 'tx-checksum-partial', field: 'inner TCP checksum', severity: 'high' });
    expect(tx.problems[0]!.message).toMatch(/^inner TCP checksum is 0xb152, expected 0x[0-9a-f]{4}: 0xb152 is only the pseudo-header sum/);
    const pass = checkPacket(p!, 'XDP_PASS');
    expect(pass.problems).toEqual([]);
    expect(pass.warnings[0]).toMatch(/CHECKSUM_PARTIAL .*XDP_PASS/);
  });

  it('computes the pseudo-header sum a CHECKSUM_PARTIAL segment carries', () => {
    expect(pseudoHeaderSum('10.111.220.11', '192.168.10.1', 6, 40)).toBe(0xb152);
    // IPv6 (RFC 8200 §8.1: both addresses, a 32-bit length, the next header): the SYN of lab-v6-csum-offload-exit.
    expect(pseudoHeaderSum('fd00:111:220::11', 'fd00:192:168:10::1', 6, 40)).toBe(0x007d);
  });

  // `lab up --ipv6` with csum-offload: the client's partial checksum inside the LB's IPv6-in-IPv6 copy.
  it('IPv6 csum-offload: the partial TCP checksum is found without the entry frame, after XDP_TX a problem', () => {
    const [p] = packets('lab-v6-csum-offload-exit');
    const tx = checkPacket(p!, 'XDP_TX');
    expect(tx.problems).toHaveLength(1);
    expect(tx.problems[0]).toMatchObject({ cause: 'tx-checksum-partial', field: 'TCP checksum', severity: 'high' });
    expect(tx.problems[0]!.message).toMatch(/^TCP checksum is 0x007d, expected 0x4d71: 0x007d is only the pseudo-header sum/);
    expect(checkPacket(p!, 'XDP_PASS').problems).toEqual([]);
  });
});

function ctxWith(facts: Record<string, unknown>, tsharkJson?: string): { ctx: CheckContext; calls: ExecCall[] } {
  const exec = fakeExec([
    { argv: (argv) => argv[0] === 'mkfifo', stdout: '' },
    { argv: (argv) => argv[0] === 'tshark', stdout: tsharkJson ?? '[]', stderr: recording('tshark/stderr-root.txt') },
  ]);
  const store = new Map(Object.entries(facts));
  const ctx: CheckContext = {
    target: { kind: 'lab', iface: 'l0', hops: [], windowMs: 3000, expect: [] },
    tools: createTools(exec),
    window: { ready: () => Promise.reject(new Error('packet-sanity does not observe')) as Promise<ProbeOutcome> },
    facts: { get: (k) => store.get(k) as never, set: (k, v) => { store.set(k, v); } },
    signal: new AbortController().signal,
    progress: () => undefined,
    live: () => undefined,
    options: {},
    finished: async () => undefined,
  };
  return { ctx, calls: exec.calls };
}

const facts = (verdicts: XdpdumpFacts['verdicts'], exitPcap = pcapPath('g1-in-bad-iphdr-nano.pcap')): Record<string, unknown> =>
  ({ [XDPDUMP]: { exitPcap, verdicts, mode: 'replay' } satisfies XdpdumpFacts });

describe('packet-sanity rung', () => {
  it('bad-iphdr: fail with a malformed-packet finding naming the field', async () => {
    const { ctx, calls } = ctxWith(facts([{ index: 1, inLen: 74, outLen: 94, action: 'XDP_TX' }]), recording('tshark/bad-iphdr-exit.json'));
    const r = await packetSanity.run(ctx);
    // tshark started before the pcap was known, on a FIFO the exit pcap is written into once the xdpdump rung ended.
    const [mkfifo, tshark] = calls;
    expect(mkfifo!.argv).toEqual(['mkfifo', '-m', '600', expect.stringMatching(/\/xdp-doctor-tshark-[^/]+\/capture\.fifo$/)]);
    expect(tshark!.argv.slice(0, 3)).toEqual(['tshark', '-r', mkfifo!.argv[3]]);
    expect(r.status).toBe('fail');
    expect(r.findings).toEqual([{
      cause: 'malformed-packet', fixes: [],
      message: 'outer IPv4 total length is 20480 (0x5000), expected 80 (0x0050) = frame length 94 − 14: written without htons (1 of 1 exit packet(s))',
    }]);
    expect(r.summary).toContain('1 of 1 exit packet(s) malformed');
  });

  it('healthy: pass', async () => {
    const v = [1, 2, 3].map((index) => ({ index, inLen: 74, outLen: 94, action: 'XDP_TX' }));
    const { ctx } = ctxWith(facts(v, pcapPath('healthy-exit-replay.pcap')), recording('tshark/healthy-exit.json'));
    const r = await packetSanity.run(ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^3 exit packet\(s\) well formed \(outer and inner IPv4\)/);
    expect(r.findings).toEqual([]);
  });

  it('groups one problem over several packets into one finding', async () => {
    const v = [1, 2, 3, 4, 5, 6].map((index) => ({ index, inLen: 74, outLen: 94, action: index === 1 ? 'XDP_DROP' : 'XDP_TX' }));
    const { ctx } = ctxWith(facts(v, pcapPath('variants-crafted.pcap')), recording('tshark/variants-crafted.json'));
    const r = await packetSanity.run(ctx);
    expect(r.status).toBe('fail');
    const malformed = r.findings.filter((f) => /Malformed Packet/.test(f.message));
    expect(malformed).toHaveLength(1);
    expect(malformed[0]!.message).toMatch(/\(2 of 5 exit packet\(s\): #3, #6\)$/);
    expect(r.findings.every((f) => f.cause === 'malformed-packet')).toBe(true);
  });

  it('csum-offload: fail with tx-checksum-partial, not malformed-packet', async () => {
    const { ctx } = ctxWith(facts([1, 2, 3].map((index) => ({ index, inLen: 74, outLen: 94, action: 'XDP_TX' })), pcapPath('csum-offload-exit-replay.pcap')), recording('tshark/csum-offload-exit.json'));
    const r = await packetSanity.run(ctx);
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.cause)).toEqual(['tx-checksum-partial']);
    expect(r.findings[0]!.message).toMatch(/\(3 of 3 exit packet\(s\): #1, #2, #3\)$/);
    expect(r.summary).toMatch(/^3 of 3 exit packet\(s\) carry an unfinished checksum: inner TCP checksum is 0xb152/);
  });

  it('a port rewrite on a partial checksum (IPv4 and IPv6): judged by how it entered — never a wrong checksum after XDP_PASS', async () => {
    for (const scenario of ['port-rewrite', 'port-rewrite-v6']) {
      const exit = pcapPath(`zoo-${scenario}-exit.pcap`);
      const entries = readPcap(readFileSync(pcapPath(`zoo-${scenario}-entry.pcap`))).packets;
      const exits = readPcap(readFileSync(exit)).packets;
      const v = entries.map((e, i) => verdictOf(i + 1, e.data, exits[i]!.data, 'XDP_PASS'));
      const { ctx } = ctxWith(facts(v, exit), recording(`tshark/zoo-${scenario}-exit.json`));
      const r = await packetSanity.run(ctx);
      expect(r.status, scenario).toBe('pass');
      expect(r.findings).toEqual([]);
      const warnings = r.evidence.find((e) => e.label === 'tshark warnings')?.data as string;
      expect(warnings).toMatch(/TCP checksum entered the program partial .* was updated incrementally by the program: after XDP_PASS the receiving stack trusts a CHECKSUM_PARTIAL packet/);
      // The same frames sent on with XDP_TX keep an unfinished checksum: the receiver verifies it.
      const tx = await packetSanity.run(ctxWith(facts(v.map((x) => ({ ...x, action: x.trip?.before.kind === 'arp' || x.trip?.before.proto === 'icmpv6' ? 'XDP_PASS' : 'XDP_TX' })), exit), recording(`tshark/zoo-${scenario}-exit.json`)).ctx);
      expect(tx.findings.map((f) => f.cause)).toEqual(['tx-checksum-partial']);
      // Without the entry's state (xdpdump lines without bytes), the exit is judged as a full checksum: as before.
      const blind = await packetSanity.run(ctxWith(facts(v.map(({ trip: _t, ...x }) => x), exit), recording(`tshark/zoo-${scenario}-exit.json`)).ctx);
      expect(blind.findings.map((f) => f.cause)).toEqual(['malformed-packet']);
    }
  });

  it('judgeByEntry: partial after XDP_PASS a warning, after XDP_TX/REDIRECT a problem; wrong on entry is the sender\'s; complete is judged as usual', () => {
    expect(judgeByEntry({ proto: 'tcp', before: 'partial', after: 'updated' }, 'XDP_PASS', 'TCP')!.warning).toMatch(/trusts a CHECKSUM_PARTIAL/);
    expect(judgeByEntry({ proto: 'tcp', before: 'partial', after: 'partial' }, 'XDP_REDIRECT', 'TCP')!.problem).toMatchObject({ cause: 'tx-checksum-partial', severity: 'high' });
    expect(judgeByEntry({ proto: 'udp', before: 'bad', after: 'bad' }, 'XDP_PASS', 'UDP')!.warning).toMatch(/already wrong when the packet entered/);
    expect(judgeByEntry({ proto: 'tcp', before: 'ok', after: 'bad' }, 'XDP_PASS', 'TCP')).toBeUndefined();
  });

  it('skips with a reason when there is nothing to dissect', async () => {
    expect((await packetSanity.run(ctxWith({}).ctx)).status).toBe('skip');
    const dropped = await packetSanity.run(ctxWith(facts([{ index: 1, inLen: 74, outLen: 74, action: 'XDP_DROP' }])).ctx);
    expect(dropped).toMatchObject({ status: 'skip', summary: 'no packet left the program (XDP_DROP): nothing to dissect' });
  });

  it('the tshark started early is stopped when there is nothing to dissect, or the exit pcap is gone', async () => {
    const { ctx, calls } = ctxWith({});
    expect(await packetSanity.run(ctx)).toMatchObject({ status: 'skip' });
    // Stopped (its signal aborted) before the rung ended, whether it had started yet or not: none is left running.
    const tsharks = (c: ExecCall[]) => c.filter((x) => x.argv[0] === 'tshark');
    expect(tsharks(calls).every((x) => x.opts!.signal!.aborted)).toBe(true); // here, stopped before mkfifo: no tshark at all
    const gone = ctxWith(facts([{ index: 1, inLen: 74, outLen: 94, action: 'XDP_TX' }], '/nonexistent/exit.pcap'));
    expect(await packetSanity.run(gone.ctx)).toMatchObject({ status: 'skip', summary: 'the exit pcap /nonexistent/exit.pcap could not be read' });
    expect(tsharks(gone.calls).every((x) => x.opts!.signal!.aborted)).toBe(true);
  });
});
