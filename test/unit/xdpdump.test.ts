// src/tools/xdpdump.ts: its failure on this machine (fentry EPERM, recorded on the lab), and its capture
// output as printed by xdp-tools 1.3.1 (the xdpdump(8) examples installed here, the blog's session).
import { fakeExec } from '../../src/plugins/testing.js';
import { recording } from './helpers/recordings.js';
import { describe, it, expect } from 'vitest';
import {
  createXdpdump, ingressCaptureArgv, isPermissionFailure, pairXdpdumpEvents, parseXdpdumpEventLine, parseXdpdumpHexLine,
  parseXdpdumpListening, parseXdpdumpOutput, xdpActionName, xdpdumpArgv, xdpdumpFailure,
} from '../../src/tools/xdpdump.js';


const lines = (name: string) => recording(`xdpdump/${name}`).split('\n');

describe('xdpdumpFailure', () => {
  it("quotes xdpdump's ERROR line when fentry is refused (EPERM)", () => {
    const stderr = lines('entry-exit-eperm-stderr.txt');
    expect(stderr[0]).toBe("Couldn't raise rlimit: Operation not permitted");
    const why = xdpdumpFailure(stderr)!;
    expect(why).toBe("ERROR: Can't load eBPF object: Operation not permitted(-1)");
    expect(isPermissionFailure(why)).toBe(true);
  });

  it('ignores verbose chatter and finds the same reason with --verbose', () => {
    expect(xdpdumpFailure(lines('entry-exit-eperm-verbose-stderr.txt'))).toBe("ERROR: Can't load eBPF object: Operation not permitted(-1)");
  });

  it('falls back to the last meaningful line when there is no ERROR line', () => {
    const why = xdpdumpFailure(lines('no-such-iface-stderr.txt'))!;
    expect(why).toBe("Couldn't find network interface 'nosuch'.");
    expect(isPermissionFailure(why)).toBe(false);
    expect(xdpdumpFailure([])).toBeUndefined();
  });
});

describe('parseXdpdumpEventLine', () => {
  it("reads the blog's entry and exit lines (74 bytes in, 94 out, XDP_TX)", () => {
    const [entry, exit] = lines('blog-entry-exit.txt');
    expect(parseXdpdumpEventLine(entry!)).toEqual({
      ts: '1694209748.510390618', sec: 1694209748, nsec: 510390618, func: 'xdp_prog_func', point: 'entry',
      pktLen: 74, ifindex: 15, rxQueue: 0, id: 1,
    });
    expect(parseXdpdumpEventLine(exit!)).toMatchObject({ point: 'exit', action: 'TX', pktLen: 94, id: 1 });
  });

  it('reads the -x form with the captured length', () => {
    const line = lines('man-hex-entry.txt')[1]!;
    expect(parseXdpdumpEventLine(line)).toMatchObject({ func: 'xdp_dispatcher', point: 'entry', pktLen: 102, capLen: 102, ifindex: 2, id: 1 });
  });

  it('is undefined for everything else', () => {
    for (const l of ['', '^C', '4 packets captured', lines('man-hex-entry.txt')[0]!, lines('man-hex-entry.txt')[2]!]) {
      expect(parseXdpdumpEventLine(l)).toBeUndefined();
    }
  });
});

describe('parseXdpdumpHexLine', () => {
  it('reads 16 bytes and a short last line, never the printable column', () => {
    const hex = lines('man-hex-entry.txt');
    expect(parseXdpdumpHexLine(hex[2]!)).toEqual({ offset: 0, bytes: [0x52, 0x54, 0x00, 0xdb, 0x44, 0xb6, 0x52, 0x54, 0x00, 0x34, 0x38, 0xda, 0x08, 0x00, 0x45, 0x48] });
    expect(parseXdpdumpHexLine(hex[8]!)).toEqual({ offset: 0x60, bytes: [0x09, 0x29, 0xa9, 0xee, 0xdf, 0x89] });
    expect(parseXdpdumpHexLine('0x0000:  52 54')).toBeUndefined();
  });
});

describe('parseXdpdumpListening', () => {
  it('reads the interface, programs and mode', () => {
    expect(parseXdpdumpListening(lines('man-dispatcher-entry-exit.txt')[0]!)).toEqual({
      iface: 'eth0', programs: [{ id: 10558, func: 'xdp_dispatcher' }, { id: 10587, func: 'xdp_pass' }], mode: 'entry/exit', snaplen: 262144,
    });
    expect(parseXdpdumpListening(lines('man-hex-entry.txt')[0]!)).toMatchObject({ programs: [{ id: 10651, func: 'xdp_dispatcher' }], mode: 'entry' });
  });
});

describe('parseXdpdumpOutput', () => {
  it('joins each -x event with its bytes', () => {
    const out = parseXdpdumpOutput(lines('man-hex-entry.txt'));
    expect(out.events).toHaveLength(2);
    expect(out.events.map((e) => e.data?.length)).toEqual([102, 66]);
    expect(out.events[1]!.data!.subarray(0, 14).toString('hex')).toBe('525400db44b652540034 38da0800'.replace(/ /g, ''));
    expect(out.captured).toBe(2);
    expect(out.droppedPerfRing).toBe(0);
    expect(out.badHex).toBe(0);
    expect(out.listening?.iface).toBe('eth0');
  });

  it('reads stderr and stdout apart (the "listening on" line is on stderr)', () => {
    const all = lines('man-hex-entry.txt');
    const out = parseXdpdumpOutput(all.slice(1), all.slice(0, 1));
    expect(out.listening?.programs).toEqual([{ id: 10651, func: 'xdp_dispatcher' }]);
    expect(out.events).toHaveLength(2);
  });
});

describe('pairXdpdumpEvents', () => {
  it("pairs the blog's entries and exits by id", () => {
    const pairs = pairXdpdumpEvents(parseXdpdumpOutput(lines('blog-entry-exit.txt')).events);
    expect(pairs.map((p) => [p.id, p.entry?.pktLen, p.exit?.pktLen, p.exit?.action])).toEqual([[1, 74, 94, 'TX'], [2, 74, 94, 'TX']]);
  });

  it('takes the verdict of the outermost program when a dispatcher and its members are captured', () => {
    const out = parseXdpdumpOutput(lines('man-dispatcher-entry-exit.txt'));
    const pairs = pairXdpdumpEvents(out.events, out.listening!.programs[0]!.func);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.entry!.func).toBe('xdp_dispatcher');
    expect(pairs[0]!.exit).toMatchObject({ func: 'xdp_dispatcher', action: 'PASS' });
  });
});

describe('argv', () => {
  it('xdpdump entry/exit with hex, optional programs and snaplen', () => {
    expect(xdpdumpArgv({ iface: 'l0' })).toEqual(['xdpdump', '-i', 'l0', '--rx-capture', 'entry,exit', '-x']);
    expect(xdpdumpArgv({ iface: 'eth0', programs: [10558, 'xdp_pass@10587'], snaplen: 128, hex: false }))
      .toEqual(['xdpdump', '-i', 'eth0', '--rx-capture', 'entry,exit', '-p', '10558,xdp_pass@10587', '-s', '128']);
    expect(() => xdpdumpArgv({ iface: 'a/b' })).toThrow(/interface/);
    expect(() => xdpdumpArgv({ iface: 'averyveryverylongname' })).toThrow(/interface/);
    expect(() => xdpdumpArgv({ iface: 'l0', programs: ['x;rm'] })).toThrow(/program/);
  });

  it('the fallback capture: the peer egress, written as packets arrive, as root', () => {
    expect(ingressCaptureArgv({ iface: 'g1', file: '/tmp/d/ingress.pcap', filter: ['tcp', 'port', '50002'], maxPackets: 256 })).toEqual([
      'tcpdump', '-i', 'g1', '-Q', 'out', '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', '262144', '-w', '/tmp/d/ingress.pcap', '-c', '256', 'tcp', 'port', '50002',
    ]);
    expect(() => ingressCaptureArgv({ iface: 'g1', file: 'relative.pcap' })).toThrow(/absolute/);
  });

  it('maps XDP return values to names', () => {
    expect([0, 1, 2, 3, 4, 7].map(xdpActionName)).toEqual(['ABORTED', 'DROP', 'PASS', 'TX', 'REDIRECT', 'UNKNOWN(7)']);
  });
});

describe('createXdpdump', () => {
  it('attaches xdpdump on its stderr "listening on" line, in the target netns', () => {
    const exec = fakeExec([{ argv: (argv) => argv[0] === 'xdpdump', netns: 'h4-lb' }]);
    createXdpdump(exec).capture({ iface: 'l0', netns: { kind: 'name', name: 'h4-lb' } });
    const { kind, argv, opts } = exec.calls[0]!;
    expect(kind).toBe('spawn');
    expect(argv[0]).toBe('xdpdump');
    expect(opts!.netns).toEqual({ kind: 'name', name: 'h4-lb' });
    const listening = lines('man-dispatcher-entry-exit.txt')[0]!;
    expect(opts!.readyWhen!(listening, 'stderr')).toBe(true);
    expect(opts!.readyWhen!(listening, 'stdout')).toBe(false);
    expect(opts!.readyWhen!(lines('entry-exit-eperm-stderr.txt')[1]!, 'stderr')).toBe(false);
  });

  it("attaches the fallback tcpdump on its -w form of the listening line", () => {
    const exec = fakeExec([{ argv: (argv) => argv[0] === 'tcpdump' && argv.includes('/tmp/x.pcap') }]);
    createXdpdump(exec).ingressCapture({ iface: 'g1', file: '/tmp/x.pcap' });
    const opts = exec.calls[0]!.opts!;
    const [first] = lines('ingress-capture-tcpdump-stderr.txt');
    expect(opts.readyWhen!(first!, 'stderr')).toBe(true);
    expect(opts.readyWhen!('2 packets captured', 'stderr')).toBe(false);
  });
});
