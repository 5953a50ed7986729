// src/tools/tcpdump.ts: lines of `tcpdump -n -l -tt` recorded on this machine (veth in the lab, IPIP and
// SYN retransmissions recorded in a throwaway namespace, see test/recordings/RECORDED-BY-UNIT-TESTS.md).
import { describe, it, expect } from 'vitest';
import { createTcpdump, parseTcpdumpLine, parseTcpdumpOutput, tcpdumpArgv } from '../../src/tools/tcpdump.js';
import { recording } from './helpers/recordings.js';
import { fakeExec } from '../../src/plugins/testing.js';

const lines = (name: string) => recording(`tcpdump/${name}`).split('\n').filter(Boolean);

describe('parseTcpdumpLine', () => {
  it('reads a SYN: timestamp, addresses, ports, flags and sequence number', () => {
    const syn = lines('peer-v1-syn.txt').at(-1)!;
    expect(parseTcpdumpLine(syn)).toEqual({
      ts: 1795525697.04823, proto: 'IP', src: '10.9.0.2', sport: 50352, dst: '192.168.10.1', dport: 50002,
      flags: 'S', seq: 2506769298, raw: syn,
    });
  });

  it('reads ARP request and reply as ARP without addresses', () => {
    const [req, rep] = lines('peer-v1-syn.txt');
    expect(parseTcpdumpLine(req!)).toEqual({ ts: 1795525696.842786, proto: 'ARP', raw: req, neighbour: true });
    expect(parseTcpdumpLine(rep!)).toEqual({ ts: 1795525696.842816, proto: 'ARP', raw: rep, neighbour: true });
  });

  it('reads ICMP echo request and reply: addresses, no ports, no flags', () => {
    const [, , req, rep] = lines('peer-v1-syn.txt');
    const r = parseTcpdumpLine(req!)!;
    expect(r).toMatchObject({ proto: 'IP', src: '10.9.0.2', dst: '10.9.0.1' });
    expect(r.sport).toBeUndefined();
    expect(r.dport).toBeUndefined();
    expect(r.flags).toBeUndefined();
    expect(r.seq).toBe(1); // the parser reads ICMP "seq 1" too; the routing rung only uses seq of SYNs
    expect(parseTcpdumpLine(rep!)).toMatchObject({ proto: 'IP', src: '10.9.0.1', dst: '10.9.0.2' });
  });

  it('reads an IPIP packet: outer addresses apart, the inner SYN as src/dst/ports', () => {
    const [line] = lines('ipip-syn.txt');
    expect(line).toContain('IP 10.111.221.11 > 10.111.222.11: IP 10.111.220.11.35562 > 192.168.10.1.50002: Flags [S]');
    const p = parseTcpdumpLine(line!)!;
    expect(p).toEqual({
      ts: 1795526420.214041, proto: 'IP', outer: { src: '10.111.221.11', dst: '10.111.222.11' },
      src: '10.111.220.11', sport: 35562, dst: '192.168.10.1', dport: 50002, flags: 'S', seq: 2506769298, raw: line,
    });
    expect(p.malformed).toBeUndefined();
  });

  // `lab up --ipv6`: tcpdump on gw g2 (lab-v6-g2-ip6ip6.txt) and g1 while `lab probe` ran; the LB's copies are
  // IPv6-in-IPv6, the real's replies plain IPv6 (direct server return).
  it('reads an IPv6-in-IPv6 packet: outer addresses apart, the inner SYN as src/dst/ports', () => {
    const [line, reply] = lines('lab-v6-g2-ip6ip6.txt');
    const p = parseTcpdumpLine(line!)!;
    expect(p).toEqual({
      ts: 1796305359.466789, proto: 'IP6', outer: { src: 'fd00:111:221::11', dst: 'fd00:111:222::11' },
      src: 'fd00:111:220::11', sport: 52370, dst: 'fd00:192:168:10::1', dport: 50002, flags: 'S', seq: 1764855512, raw: line,
    });
    expect(parseTcpdumpLine(reply!)).toMatchObject({ proto: 'IP6', src: 'fd00:192:168:10::1', sport: 50002, dst: 'fd00:111:220::11', flags: 'S.' });
    expect(parseTcpdumpLine(reply!)!.outer).toBeUndefined();
  });

  it('on the LB\'s link: each request twice, plain towards the LB and encapsulated back from it', () => {
    const pkts = parseTcpdumpOutput(lines('lab-v6-g1-ip6ip6.txt').join('\n'));
    expect(pkts).toHaveLength(12);
    expect(pkts.filter((p) => p.outer)).toHaveLength(6);
    expect(pkts.every((p) => p.src === 'fd00:111:220::11' && p.dport === 50002)).toBe(true);
  });

  // `lab up --ipv6` with bad-iphdr: the LB's copy claims a payload of 20480 bytes (0x0050 stored as 50 00).
  it('IPv6: names tcpdump\'s complaint glued to the outer address, and still follows the inner SYN', () => {
    const [plain, bad] = lines('lab-v6-g1-badhdr.txt');
    expect(parseTcpdumpLine(plain!)!.malformed).toBeUndefined();
    expect(parseTcpdumpLine(bad!)).toMatchObject({
      proto: 'IP6', malformed: 'truncated-ip6 - 20400 bytes missing!', outer: { src: 'fd00:111:221::11', dst: 'fd00:111:222::11' },
      src: 'fd00:111:220::11', sport: 37890, dst: 'fd00:192:168:10::1', dport: 50002, flags: 'S',
    });
  });

  it('names tcpdump\'s complaint about a malformed IPIP packet (outer tot_len without htons)', () => {
    const [line] = lines('ipip-badhdr-syn.txt');
    expect(parseTcpdumpLine(line!)!.malformed).toBe('truncated-ip - 15300 bytes missing!');
  });

  it('still follows the flow of a malformed IPIP packet (outer and inner addresses)', () => {
    const [line] = lines('ipip-badhdr-syn.txt');
    expect(parseTcpdumpLine(line!)).toMatchObject({
      proto: 'IP', outer: { src: '10.111.221.11', dst: '10.111.222.11' },
      src: '10.111.220.11', sport: 35562, dst: '192.168.10.1', dport: 50002, flags: 'S',
    });
  });

  it('ignores what is not a packet line: stderr, blank lines', () => {
    for (const l of recording('tcpdump/peer-v1-stderr.txt').split('\n')) expect(parseTcpdumpLine(l)).toBeUndefined();
    expect(parseTcpdumpLine('')).toBeUndefined();
  });
});

describe('parseTcpdumpOutput', () => {
  it('parses a whole capture in order', () => {
    const ps = parseTcpdumpOutput(recording('tcpdump/peer-v1-syn.txt'));
    expect(ps.map((p) => p.proto)).toEqual(['ARP', 'ARP', 'IP', 'IP', 'IP', 'IP', 'IP']);
    expect(ps.filter((p) => p.flags === 'S')).toHaveLength(1);
  });

  it('the XDP interface saw no SYN (XDP consumed it before the tap)', () => {
    const ps = parseTcpdumpOutput(recording('tcpdump/xdp-v0-no-syn.txt'));
    expect(ps).toHaveLength(6);
    expect(ps.some((p) => p.dport === 50002)).toBe(false);
  });

  it('SYN retransmissions keep port and sequence number', () => {
    const ps = parseTcpdumpOutput(recording('tcpdump/syn-retrans.txt'));
    expect(ps).toHaveLength(4);
    expect(new Set(ps.map((p) => `${p.src}:${p.sport}>${p.dst}:${p.dport} ${p.flags} ${p.seq}`))).toEqual(
      new Set(['10.111.221.11:50828>192.168.10.1:50002 S 3886450763']));
  });

  it('stderr alone is no packets', () => {
    expect(parseTcpdumpOutput(recording('tcpdump/peer-v1-stderr.txt'))).toEqual([]);
  });
});

describe('capture', () => {
  it('runs tcpdump with an argv (filter words appended) and is ready on "listening on" in stderr', () => {
    expect(tcpdumpArgv({ iface: 'v1', filter: ['tcp', 'port', '50002'] })).toEqual(
      ['tcpdump', '-i', 'v1', '-n', '-l', '-tt', '--immediate-mode', 'tcp', 'port', '50002']);
    const exec = fakeExec([{ argv: tcpdumpArgv({ iface: 'v1' }), netns: 'gw' }]);
    const seen: string[] = [];
    createTcpdump(exec).capture({ iface: 'v1', netns: { kind: 'name', name: 'gw' }, onPacket: (p) => seen.push(p.proto) });
    const opts = exec.calls[0]!.opts!;
    expect(exec.calls[0]!.kind).toBe('spawn');
    expect(opts.netns).toEqual({ kind: 'name', name: 'gw' });
    const [stderr1, stderr2] = recording('tcpdump/peer-v1-stderr.txt').split('\n');
    expect(opts.readyWhen!(stderr1!, 'stderr')).toBe(false);
    expect(opts.readyWhen!(stderr2!, 'stderr')).toBe(true);
    expect(opts.readyWhen!(stderr2!, 'stdout')).toBe(false);
    for (const l of lines('peer-v1-syn.txt')) opts.onLine!(l, 'stdout');
    opts.onLine!(stderr1!, 'stderr');
    expect(seen).toEqual(['ARP', 'ARP', 'IP', 'IP', 'IP', 'IP', 'IP']);
  });
});

describe('ICMP echo pairing fields', () => {
  it('reads request/reply, id and seq (recorded ping on a veth)', () => {
    const pkts = parseTcpdumpOutput(recording('tcpdump/icmp-echo-answered.txt'));
    expect(pkts.map((p) => p.echo)).toEqual([1, 1, 2, 2, 3, 3].map((seq, i) => ({ reply: i % 2 === 1, id: 32327, seq })));
  });
});

describe('IPv6 lines (recorded: ping -6 and nc -6 on a zoo pair)', () => {
  const ps = parseTcpdumpOutput(recording('tcpdump/ipv6-ping-nc.txt'));
  it('neighbour discovery is marked, echo requests and replies paired by id/seq, TCP ports after the last dot', () => {
    expect(ps.map((p) => p.proto)).toEqual(Array(13).fill('IP6'));
    expect(ps.slice(0, 3).every((p) => p.neighbour)).toBe(true);
    expect(ps[3]).toMatchObject({ src: 'fd00:111:60::1', dst: 'fd00:111:60::2', echo: { reply: false, id: 13613, seq: 1 } });
    expect(ps[4]).toMatchObject({ echo: { reply: true, id: 13613, seq: 1 } });
    expect(ps[4]!.neighbour).toBeUndefined();
    expect(ps[7]).toMatchObject({ src: 'fd00:111:60::1', sport: 52896, dst: 'fd00:111:60::2', dport: 8080, flags: 'S', seq: 3600557026 });
    expect(ps[8]).toMatchObject({ sport: 8080, dport: 52896, flags: 'S.' });
  });
});
