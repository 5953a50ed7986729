// src/tools/tshark.ts on `tshark -T json --no-duplicate-keys` output recorded with tshark 4.0.17 on this machine
// (test/recordings/tshark/README.md).
import { fakeExec } from '../../src/plugins/testing.js';
import { recording } from './helpers/recordings.js';
import { describe, it, expect } from 'vitest';
import { createTshark, parseTsharkJson, tsharkArgv, tsharkStderr } from '../../src/tools/tshark.js';


const json = (name: string) => recording(`tshark/${name}.json`);

describe('parseTsharkJson', () => {
  it('reads both IPv4 headers of the bad-iphdr frame and ties the expert error to the outer one', () => {
    const [p, ...rest] = parseTsharkJson(json('bad-iphdr-exit'));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ number: 1, frameLen: 94, capLen: 94, protocols: 'eth:ethertype:ip:ip:tcp', l2Len: 14, malformed: false });
    expect(p!.layers).toEqual(['frame', 'eth', 'ip', 'ip', 'tcp']);
    expect(p!.ipv4).toEqual([
      { version: 4, hdrLen: 20, totalLen: 20480, proto: 4, ttl: 64, id: '0x0000', checksum: 0x5b05, checksumCalculated: 0x5b05, checksumStatus: 'good', src: '10.111.221.11', dst: '10.111.222.11' },
      expect.objectContaining({ totalLen: 60, proto: 6, src: '10.111.220.11', dst: '192.168.10.1', checksumStatus: 'good' }),
    ]);
    expect(p!.experts).toContainEqual({ layer: 'ip', layerIndex: 0, field: 'ip.bogus_ip_length', message: 'IPv4 total length exceeds packet length (80 bytes)', severity: 'error' });
    expect(p!.experts).toContainEqual(expect.objectContaining({ layer: 'tcp', field: 'tcp.connection.syn', severity: 'chat' }));
    expect(p!.transport).toEqual([{ proto: 'tcp', ipIndex: 1, srcPort: 55176, dstPort: 50002, checksum: 0x08bb, checksumCalculated: 0x08bb, checksumStatus: 'good' }]);
  });

  it('reads the healthy exit packets: lengths consistent, no error', () => {
    const pkts = parseTsharkJson(json('healthy-exit'));
    expect(pkts.map((p) => [p.frameLen, ...p.ipv4.map((ip) => ip.totalLen)])).toEqual([[94, 80, 60], [86, 72, 52], [107, 93, 73]]);
    expect(pkts.flatMap((p) => p.experts).filter((e) => e.severity === 'error' || e.severity === 'warn')).toEqual([]);
    expect(pkts.every((p) => p.ipv4.every((ip) => ip.checksumStatus === 'good'))).toBe(true);
  });

  it('reads a partial TCP checksum as bad, with the value tshark computed', () => {
    const [p] = parseTsharkJson(json('csum-offload-exit'));
    expect(p!.transport[0]).toMatchObject({ proto: 'tcp', ipIndex: 1, checksum: 0xb152, checksumStatus: 'bad' });
    expect(p!.experts).toContainEqual(expect.objectContaining({ layer: 'tcp', field: 'tcp.checksum_bad.expert', severity: 'error' }));
  });

  it('reads malformed markers, bogus header lengths and bad checksums of the crafted variants', () => {
    const pkts = parseTsharkJson(json('variants-crafted'));
    expect(pkts.map((p) => p.malformed)).toEqual([false, false, true, false, false, true]);
    expect(pkts[1]!.ipv4[0]).toMatchObject({ checksum: 0x1234, checksumCalculated: 0xaab5, checksumStatus: 'bad' });
    expect(pkts[2]!.experts.map((e) => [e.layer, e.layerIndex, e.field])).toEqual([
      ['ip', 0, 'ip.bogus_ip_length'], ['ip', 1, 'ip.bogus_ip_length'], ['_ws.malformed', 0, '_ws.malformed.expert'],
    ]);
    expect(pkts[3]!.ipv4).toEqual([{ version: 4, hdrLen: 16, totalLen: 0, proto: -1 }]);
    expect(pkts[3]!.experts[0]).toMatchObject({ field: 'ip.bogus_header_length', severity: 'error' });
  });

  it('is empty for an empty capture and says so for non-JSON', () => {
    expect(parseTsharkJson('[]\n')).toEqual([]);
    expect(parseTsharkJson('')).toEqual([]);
    expect(() => parseTsharkJson('tshark: oops')).toThrow(/not JSON/);
  });
});

describe('tshark runner', () => {
  it('drops the root warning from stderr', () => {
    expect(tsharkStderr(recording('tshark/stderr-root.txt'))).toBe('');
    expect(tsharkStderr(`${recording('tshark/stderr-root.txt')}tshark: The file "x" doesn't exist.\n`)).toBe('tshark: The file "x" doesn\'t exist.');
  });

  it('builds the argv with checksum validation on and refuses option-like files', () => {
    expect(tsharkArgv('/tmp/d/exit.pcap')).toEqual([
      'tshark', '-r', '/tmp/d/exit.pcap', '-n', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE',
      '-o', 'udp.check_checksum:TRUE', '-T', 'json', '--no-duplicate-keys',
    ]);
    expect(() => tsharkArgv('-w')).toThrow(/invalid/);
  });

  it('dissects through the Exec and reports a failing tshark with its stderr, not the root warning', async () => {
    const ok = fakeExec([{ argv: tsharkArgv('/tmp/exit.pcap'), stdout: json('bad-iphdr-exit'), stderr: recording('tshark/stderr-root.txt') }]);
    const r = await createTshark(ok).dissect('/tmp/exit.pcap');
    expect(r.packets).toHaveLength(1);
    expect(r.stderr).toBe('');
    const bad = fakeExec([{ argv: tsharkArgv('/tmp/exit.pcap'), exitCode: 2, stderr: `${recording('tshark/stderr-root.txt')}tshark: The file "/tmp/exit.pcap" doesn't exist.\n` }]);
    await expect(createTshark(bad).dissect('/tmp/exit.pcap')).rejects.toThrow(/doesn't exist/);
  });
});
