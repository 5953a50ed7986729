// Parsers on output recorded inside the VMs of `npm run test:kernels` (test/recordings/kernels/<kernel>/), where
// what this machine's 6.18 refuses works: fentry, so xdpdump's own entry/exit capture; freplace, so libxdp's
// multiprog dispatcher. The host's recordings cover the other branch (xdpdump's EPERM, a program attached directly).
import { describe, expect, it } from 'vitest';
import { parseXdpLoaderStatus, DISPATCHER_NAME } from '../../src/tools/xdp-loader.js';
import { pairXdpdumpEvents, parseXdpdumpOutput, xdpdumpFailure } from '../../src/tools/xdpdump.js';
import { parseNetShow, parseProg } from '../../src/tools/bpftool.js';
import { parseLinks } from '../../src/tools/ip.js';
import { recording } from './helpers/recordings.js';

const k61 = (p: string) => recording(`kernels/6.1/${p}`);
const lines = (s: string) => s.split('\n');

describe('xdp-loader status (6.1: the dispatcher loads)', () => {
  it('names the dispatcher on the interface and its component, with prio and chain actions', () => {
    expect(parseXdpLoaderStatus(k61('xdp-loader/status-count-pass.txt'))).toEqual([{
      iface: 'ks0',
      program: { name: DISPATCHER_NAME, mode: 'native', id: 163, tag: '90f686eb86991928' },
      components: [{ prio: 50, name: 'count_pass', id: 172, tag: '8b87438288e11ed4', chainActions: ['XDP_PASS'] }],
    }]);
    const [allow] = parseXdpLoaderStatus(k61('xdp-loader/status-allowlist.txt'));
    expect(allow!.program!.id).toBe(215);
    expect(allow!.components.map((c) => [c.name, c.id])).toEqual([['allowlist', 224]]);
  });
});

describe('bpftool and ip on a dispatcher (6.1)', () => {
  it('the link and bpftool show the dispatcher; its component is an ext program with its own maps', () => {
    const [link] = parseLinks(k61('ip/link-show-xdp-loader.json'));
    expect(link!.xdp).toMatchObject({ progId: 163, progName: DISPATCHER_NAME, mode: 'native' });
    expect(parseProg(k61('bpftool/prog-show-dispatcher.json'))).toMatchObject({ id: 163, name: DISPATCHER_NAME });
    const comp = parseProg(k61('bpftool/prog-show-component.json'));
    expect(comp).toMatchObject({ id: 172, name: 'count_pass', mapIds: [134] });
    expect(JSON.parse(k61('bpftool/prog-show-component.json')).type).toBe('ext');
    const net = parseNetShow(k61('bpftool/net-show-xdp-loader.json'));
    expect(net.map((a) => [a.devname, a.progId])).toEqual([['ks0', 163]]);
  });
});

describe('xdpdump where fentry loads (6.1)', () => {
  it("the lab's veth-peer fault: 74 bytes in, 94 out, XDP_TX, entry and exit paired", () => {
    const out = parseXdpdumpOutput(lines(k61('xdpdump/lab-veth-peer-entry-exit-stdout.txt')), lines(k61('xdpdump/lab-veth-peer-entry-exit-stderr.txt')));
    expect(out.listening?.programs[0]).toMatchObject({ func: 'xdp_prog_func' });
    expect(out.captured).toBe(out.events.length);
    expect(out.droppedPerfRing).toBe(0);
    expect(out.badHex).toBe(0);
    const packets = pairXdpdumpEvents(out.events, out.listening?.programs[0]?.func);
    expect(packets.length).toBeGreaterThan(0);
    for (const p of packets) {
      expect(p.entry).toMatchObject({ point: 'entry', pktLen: 74 });
      expect(p.exit).toMatchObject({ point: 'exit', action: 'TX', pktLen: 94 });
      expect(p.entry!.data).toHaveLength(74);
      expect(p.exit!.data).toHaveLength(94);
    }
    expect(xdpdumpFailure(lines(k61('xdpdump/lab-veth-peer-entry-exit-stderr.txt')))).not.toMatch(/ERROR/);
  });

  it('behind the dispatcher xdpdump attaches to the component itself (func count_pass, XDP_PASS)', () => {
    const out = parseXdpdumpOutput(lines(k61('xdpdump/xdp-loader-entry-exit-stdout.txt')), lines(k61('xdpdump/xdp-loader-entry-exit-stderr.txt')));
    expect(out.listening?.programs.map((p) => p.func)).toEqual(['count_pass']);
    const packets = pairXdpdumpEvents(out.events, 'count_pass');
    expect(packets.length).toBeGreaterThan(0);
    for (const p of packets) expect(p.exit?.action).toBe('PASS');
  });
});
