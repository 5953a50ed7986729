// checks/map-dump.ts, decisions beyond map-dump-check.test.ts: when the AF_XDP sockets are counted (an xskmap
// among the maps) and how (`ss --xdp`, recorded: test/recordings/host/ss-xdp-none.txt), the summary's list of maps
// (four, then …), and --expect naming a map by a prefix of its (15-character) name. bpftool output as recorded.
import { describe, expect, it } from 'vitest';
import mapDump from '../../checks/map-dump.js';
import { flowMentions, mapHeadline } from '../../checks/map-contents.js';
import { INVENTORY, type InventoryFacts } from '../../src/plugins/facts.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { parseMap, parseMapDump } from '../../src/tools/bpftool.js';
import { recording } from './helpers/recordings.js';

const map = (t: string) => parseMap(recording(`bpftool/map-show-${t}.json`));
const dumpOf = (id: number, file: string): Recording => ({ argv: ['bpftool', '-j', 'map', 'dump', 'id', String(id)], stdout: recording(`bpftool/${file}`) });
const NS = { kind: 'name', name: 'lb' } as const;

function run(maps: InventoryFacts['maps'], exec: Recording[], opts: { expect?: { map: string; field: string; value: string }[]; flow?: { ip: string; port: number } } = {}) {
  const inventory = { iface: 'l0', ifindex: 2, mode: 'native', progId: 1637, progName: 'xdp_prog_func', maps, kind: 'veth', mtu: 1500, netns: NS } as InventoryFacts;
  return runCheck(mapDump, { facts: { [INVENTORY]: inventory }, exec, target: { expect: opts.expect ?? [], ...(opts.flow ? { flow: { ...opts.flow, proto: 'tcp' as const } } : {}) } });
}

describe('map-dump: AF_XDP sockets for an xskmap', () => {
  const xsk = map('xskmap');
  const hash = map('hash');
  const ss: Recording = { argv: ['ss', '--xdp', '-a', '-n'], netns: NS, stdout: recording('host/ss-xdp-none.txt') };

  it('an xskmap among the maps and no socket in ss --xdp (its header only): the xskmap cannot hold one, a note', async () => {
    const { result, calls } = await run([hash, xsk], [dumpOf(hash.id, 'map-dump-hash.json'), dumpOf(xsk.id, 'map-dump-xskmap-empty.json'), ss]);
    expect(calls.map((c) => c.argv.join(' '))).toContain('ss --xdp -a -n');
    expect(result.findings.filter((f) => f.cause === 'redirect-slot-empty')).toEqual([
      expect.objectContaining({ risk: true, message: expect.stringMatching(/^xsks \(xskmap\): no AF_XDP socket is open/) }),
    ]);
  });

  it('ss cannot tell (it failed): no claim about the sockets', async () => {
    const { result } = await run([xsk], [dumpOf(xsk.id, 'map-dump-xskmap-empty.json'), { ...ss, stdout: '', exitCode: 1 }]);
    expect(result.findings.filter((f) => f.cause === 'redirect-slot-empty')).toEqual([]);
  });

  it('no xskmap: ss is not run', async () => {
    const { calls } = await run([hash], [dumpOf(hash.id, 'map-dump-hash.json')]);
    expect(calls.map((c) => c.argv[0])).toEqual(['bpftool']);
  });
});

describe('map-dump: the summary\'s maps', () => {
  const kinds: [string, string][] = [['hash', 'map-dump-hash.json'], ['lru_hash', 'map-dump-lru_hash.json'], ['percpu_hash', 'map-dump-percpu_hash.json'], ['cpumap', 'map-dump-cpumap.json'], ['prog_array', 'map-dump-prog_array-slot0.json']];
  const maps = kinds.map(([t]) => map(t));
  const recs = kinds.map(([, f], i) => dumpOf(maps[i]!.id, f));
  const headline = (i: number) => mapHeadline(maps[i]!, { entries: parseMapDump(recording(`bpftool/${kinds[i]![1]}`)), truncated: false });

  it('four maps are listed whole; a fifth is "…"; the tables that cannot answer counted after them', async () => {
    const four = (await run(maps.slice(0, 4), recs.slice(0, 4))).result;
    const risks4 = four.findings.filter((f) => f.risk && f.cause !== 'map-byte-order').length;
    expect(four.summary).toBe(`4 map(s) read: ${[0, 1, 2, 3].map(headline).join('; ')}${risks4 ? `; ${risks4} table(s) that cannot answer a lookup (see notes)` : ''}`);
    const five = (await run(maps, recs)).result;
    const risks5 = five.findings.filter((f) => f.risk && f.cause !== 'map-byte-order').length;
    expect(five.summary).toBe(`5 map(s) read: ${[0, 1, 2, 3].map(headline).join('; ')}; …${risks5 ? `; ${risks5} table(s) that cannot answer a lookup (see notes)` : ''}`);
    expect(risks5).toBeGreaterThan(0);
  });
});

describe('map-dump: --expect by a shorter name', () => {
  it('a name that is a prefix of the map\'s (truncated) name finds it', async () => {
    const params = parseMap(recording('bpftool/map-show-params.json'));
    const { result } = await run([params], [dumpOf(params.id, 'map-dump-params-set.json')], { expect: [{ map: 'xdp_params', field: 'vip', value: '192.168.10.1' }] });
    expect(result.status).toBe('pass');
    expect(result.evidence.find((e) => e.label === 'expect xdp_params.vip')?.data).toBe('192.168.10.1 as expected');
  });
});

describe('map-dump: entries that mention the probe\'s flow', () => {
  it('the entry keyed by the probe\'s port (3000 recorded entries, one of them 80) is listed, with nothing "more"', async () => {
    const hash = map('hash');
    const dump = { entries: parseMapDump(recording('bpftool/map-dump-hash-3000.json')), truncated: false };
    const flow = { ip: '10.0.0.1', port: 80 };
    const expected = flowMentions(hash, dump, flow);
    expect(expected).toHaveLength(1);
    const { result } = await run([hash], [dumpOf(hash.id, 'map-dump-hash-3000.json')], { flow });
    expect(result.evidence.filter((e) => e.label === 'entries that mention the probe\'s flow')).toEqual([{ label: 'entries that mention the probe\'s flow', data: expected[0] }]);
  });

  it('no flow: no such evidence', async () => {
    const hash = map('hash');
    const { result } = await run([hash], [dumpOf(hash.id, 'map-dump-hash-3000.json')]);
    expect(result.evidence.map((e) => e.label)).toEqual(['big_table (id 835, hash)']);
  });
});

describe('map-dump: the summary of a configuration map and the notes it counts', () => {
  it('the decoded fields but padding; the byte-order note is context, not a table that cannot answer', async () => {
    const params = parseMap(recording('bpftool/map-show-params.json'));
    const hash = map('hash');
    const { result } = await run([params, hash], [dumpOf(params.id, 'map-dump-params-set.json'), dumpOf(hash.id, 'map-dump-hash.json')], { flow: { ip: '192.168.10.1', port: 50002 } });
    expect(result.findings.map((f) => [f.cause, f.risk])).toEqual([['map-byte-order', true], ['map-empty', true]]);
    expect(result.status).toBe('pass');
    expect(result.summary).toBe('2 map(s) read; xdp_params_arra: dst_mac=02:42:0a:6f:dd:0c daddr=10.111.222.11 saddr=10.111.221.11 vip=192.168.10.1; 1 table(s) that cannot answer a lookup (see notes)');
  });
});

describe('map-dump: what each map\'s evidence and progress say', () => {
  it('the bpftool command of each dump, its progress line, and an unreadable map labelled like a read one', async () => {
    const hash = map('hash');
    const lru = map('lru_hash');
    const { result, progress } = await run([hash, lru], [
      dumpOf(hash.id, 'map-dump-hash.json'),
      // exit and stderr as recorded for a missing id (bpftool/xlated-missing-stderr.txt), for a map here
      { argv: ['bpftool', '-j', 'map', 'dump', 'id', String(lru.id)], exitCode: 255, stderr: `Error: get by id (${lru.id}): No such file or directory\n` },
    ]);
    expect(progress).toEqual(['dumping big_table', 'dumping flows_lru']);
    expect(result.evidence.map((e) => [e.label, e.command])).toEqual([
      ['big_table (id 835, hash)', ['bpftool', '-j', 'map', 'dump', 'id', '835']],
      ['flows_lru (id 834, lru_hash)', ['bpftool', '-j', 'map', 'dump', 'id', '834']],
    ]);
  });
});
