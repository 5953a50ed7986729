// checks/xdpdump-verdicts.ts flowPacketsOf: which verdicts are the followed flow's, and how they are named. The
// frames are the zoo's recorded pcaps (test/recordings/pcap); the reply case reads them the other way round: the
// client's requests become replies from it when the probe is the server's.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flowPacketsOf, verdictOf } from '../../checks/xdpdump-verdicts.js';
import { readPcap } from '../../src/tools/pcap.js';

const frames = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);
// zoo-vlan-pop-exit: an ARP request, then ICMP echo requests 10.111.60.1 → 10.111.60.2.
const verdicts = frames('zoo-vlan-pop-exit.pcap').map((f, i) => verdictOf(i + 1, f, f, 'XDP_DROP'));

describe('flowPacketsOf', () => {
  it('the packets to the destination, named as the probe\'s', () => {
    const { ours, to } = flowPacketsOf(verdicts, 'zs0', '10.111.60.2');
    expect(ours.map((v) => v.index)).toEqual(verdicts.filter((v) => v.dst === '10.111.60.2').map((v) => v.index));
    expect(ours.length).toBeGreaterThan(0);
    expect(to).toBe('probe packet(s) to 10.111.60.2');
  });
  it('none to the destination but packets from it: the replies, and why the requests were never seen', () => {
    const { ours, to } = flowPacketsOf(verdicts, 'zs0', '10.111.60.1');
    expect(ours.map((v) => v.trip!.before.src)).toEqual(ours.map(() => '10.111.60.1'));
    expect(ours.some((v) => v.trip!.before.kind === 'arp')).toBe(false);
    expect(to).toBe('reply packet(s) from 10.111.60.1 (the probe\'s requests leave through zs0 and never pass the program, which sees only what zs0 receives)');
  });
  it('neither: nothing is the flow\'s; no destination: every IP packet', () => {
    expect(flowPacketsOf(verdicts, 'zs0', '10.9.9.9')).toEqual({ ours: [], to: 'probe packet(s) to 10.9.9.9' });
    expect(flowPacketsOf(verdicts, 'zs0').ours.length).toBe(verdicts.filter((v) => v.dst !== undefined).length);
  });
});
