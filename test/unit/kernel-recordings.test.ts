// Parsers on output recorded inside the VMs of `npm run test:kernels` (test/recordings/kernels/<kernel>/, one
// directory per kernel of test/kernels/matrix), where what this machine's 6.18 refuses works: fentry, so
// xdpdump's own entry/exit capture; freplace, so libxdp's multiprog dispatcher. The host's recordings cover the
// other branch (xdpdump's EPERM, test/recordings/xdpdump). Ids differ per recording; each test reads them from
// the recording that names them (the link, xdp-loader status).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseXdpLoaderStatus, DISPATCHER_NAME } from '../../src/tools/xdp-loader.js';
import { pairXdpdumpEvents, parseXdpdumpOutput } from '../../src/tools/xdpdump.js';
import { parseNetShow, parseProg } from '../../src/tools/bpftool.js';
import { parseLinks } from '../../src/tools/ip.js';
import { recording } from './helpers/recordings.js';

const DIR = fileURLToPath(new URL('../recordings/kernels/', import.meta.url));
const KERNELS = existsSync(DIR) ? readdirSync(DIR).sort() : [];
const has = (k: string, p: string) => existsSync(`${DIR}${k}/${p}`);
const lines = (s: string) => s.split('\n');

it('recordings exist for the kernels of the matrix', () => {
  expect(KERNELS).toEqual(expect.arrayContaining(['5.10', '6.1', '6.12']));
});

describe.each(KERNELS)('kernel %s', (k) => {
  const rec = (p: string) => recording(`kernels/${k}/${p}`);

  it('xdp-loader status: the dispatcher on ks0 and its one component, as ip link and bpftool see them', () => {
    const status = parseXdpLoaderStatus(rec('xdp-loader/status-count-pass.txt'));
    expect(status).toHaveLength(1);
    const [ks0] = status;
    expect(ks0!.iface).toBe('ks0');
    expect(ks0!.program).toMatchObject({ name: DISPATCHER_NAME, mode: 'native' });
    expect(ks0!.components).toEqual([{ prio: 50, name: 'count_pass', id: expect.any(Number), tag: '8b87438288e11ed4', chainActions: ['XDP_PASS'] }]);
    const [link] = parseLinks(rec('ip/link-show-xdp-loader.json'));
    expect(link!.xdp).toMatchObject({ progId: ks0!.program!.id, progName: DISPATCHER_NAME, mode: 'native' });
    expect(parseProg(rec('bpftool/prog-show-dispatcher.json'))).toMatchObject({ id: ks0!.program!.id, name: DISPATCHER_NAME });
    const comp = parseProg(rec('bpftool/prog-show-component.json'));
    expect(comp).toMatchObject({ id: ks0!.components[0]!.id, name: 'count_pass' });
    expect(JSON.parse(rec('bpftool/prog-show-component.json')).type).toBe('ext');
    expect(parseNetShow(rec('bpftool/net-show-xdp-loader.json')).map((a) => [a.devname, a.progId])).toEqual([['ks0', ks0!.program!.id]]);
    const [allow] = parseXdpLoaderStatus(rec('xdp-loader/status-allowlist.txt'));
    expect(allow!.components.map((c) => c.name)).toEqual(['allowlist']);
  });

  it.runIf(has(k, 'xdp-loader/status-none.txt'))('xdp-loader status after unload: the interface with no program', () => {
    expect(parseXdpLoaderStatus(rec('xdp-loader/status-none.txt'))).toEqual([{ iface: 'ks0', components: [] }]);
  });

  it("xdpdump on the lab's veth-peer fault: its own entry/exit capture, 74 bytes in, 94 out, XDP_TX", () => {
    const out = parseXdpdumpOutput(lines(rec('xdpdump/lab-veth-peer-entry-exit-stdout.txt')), lines(rec('xdpdump/lab-veth-peer-entry-exit-stderr.txt')));
    expect(out.listening?.programs.map((p) => p.func)).toEqual(['xdp_prog_func']);
    expect(out.captured).toBe(out.events.length);
    expect(out.badHex).toBe(0);
    const packets = pairXdpdumpEvents(out.events, out.listening?.programs[0]?.func);
    expect(packets.length).toBeGreaterThan(0);
    for (const p of packets) {
      expect(p.entry).toMatchObject({ point: 'entry', pktLen: 74 });
      expect(p.exit).toMatchObject({ point: 'exit', action: 'TX', pktLen: 94 });
      expect(p.entry!.data).toHaveLength(74);
      expect(p.exit!.data).toHaveLength(94);
    }
  });

  it('xdpdump behind the dispatcher attaches to the component itself (func count_pass, XDP_PASS)', () => {
    const out = parseXdpdumpOutput(lines(rec('xdpdump/xdp-loader-entry-exit-stdout.txt')), lines(rec('xdpdump/xdp-loader-entry-exit-stderr.txt')));
    expect(out.listening?.programs.map((p) => p.func)).toEqual(['count_pass']);
    const packets = pairXdpdumpEvents(out.events, 'count_pass');
    expect(packets.length).toBeGreaterThan(0);
    for (const p of packets) expect(p.exit?.action).toBe('PASS');
  });
});
