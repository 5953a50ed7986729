// checks/map-dump.ts run() through the check tester, on recorded bpftool output: the blog's first bug (the
// parameters map all zeros), the same map set and checked against --expect, an empty lookup table as a note, a map
// that cannot be read as a gap, and libbpf's internal maps left out.
import { describe, expect, it } from 'vitest';
import mapDump from '../../checks/map-dump.js';
import { INVENTORY, type InventoryFacts } from '../../src/plugins/facts.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import { parseMap } from '../../src/tools/bpftool.js';
import type { Expectation } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const params = parseMap(recording('bpftool/map-show-params.json'));
const rodata = parseMap(recording('bpftool/map-show-rodata.json'));
const hash = parseMap(recording('bpftool/map-show-hash.json'));
const params6 = parseMap(recording('bpftool/map-show-params6.json'));
const dumpOf = (id: number, file: string): Recording => ({ argv: ['bpftool', '-j', 'map', 'dump', 'id', String(id)], stdout: recording(`bpftool/${file}`) });

function run(maps: InventoryFacts['maps'], exec: Recording[], opts: { expect?: Expectation[]; flow?: string; progId?: number } = {}) {
  const inventory = { iface: 'l0', ifindex: 2, mode: 'native', progId: opts.progId ?? 1637, progName: 'xdp_prog_func', maps, kind: 'veth', mtu: 1500 } as InventoryFacts;
  return runCheck(mapDump, {
    facts: { [INVENTORY]: inventory }, exec,
    target: { expect: opts.expect ?? [], ...(opts.flow ? { flow: { ip: opts.flow, port: 50002, proto: 'tcp' as const } } : {}) },
  }).then((r) => r.result);
}

describe('map-dump rung', () => {
  it('the parameters map all zeros: fail with map-params-unset and the bpftool update to write it', async () => {
    const r = await run([params, rodata], [dumpOf(params.id, 'map-dump-params-zero.json')]);
    expect(r.status).toBe('fail');
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ cause: 'map-params-unset', progId: 1637 });
    expect(f.message).toMatch(/^xdp_params_arra is all zeros \(.*vip 0\.0\.0\.0 \(0\).*\): the loader's write never reached the map$/);
    expect(f.fixes[0]!.commands).toEqual([['bpftool', 'map', 'update', 'id', '38', 'key', 'hex', '00', '00', '00', '00', 'value', 'hex', '<value bytes>']]);
    expect(r.summary).toBe(f.message);
    // The .rodata map holds constants, not configuration: never dumped here.
    expect(r.evidence.map((e) => e.label)).toEqual(['xdp_params_arra (id 38, array)']);
  });

  // The lab's LB since `lab up --ipv6`: a second map, xdp_params6_array, left zero on an IPv4 lab (recorded from a
  // fresh load of bpf/build/xdp_lb.o). It configures IPv6 only, so over IPv4 its zeros cannot be the cause.
  it('a zero map of the other address family is a note without a fix; of the flow\'s own family, the failure', async () => {
    const v4 = await run([params, params6], [dumpOf(params.id, 'map-dump-params-set.json'), dumpOf(params6.id, 'map-dump-params6-zero.json')], { flow: '192.168.10.1' });
    expect(v4.status).toBe('pass');
    expect(v4.findings.map((f) => f.cause)).toEqual(['map-byte-order', 'map-other-family-unset']);
    expect(v4.findings[1]).toEqual(expect.objectContaining({
      cause: 'map-other-family-unset', risk: true, fixes: [],
      message: 'xdp_params6_arr is all zeros (dst_mac 00:00:00:00:00:00, daddr ::, saddr ::, vip ::): the loader\'s write never reached the map (its addresses are IPv6, the followed flow is IPv4: it does not decide this flow)',
    }));
    expect(v4.summary).toMatch(/^2 map\(s\) read; xdp_params_arra: .*vip=192\.168\.10\.1; xdp_params6_arr: dst_mac=00:00:00:00:00:00 daddr=:: saddr=:: vip=::$/);
    const v6 = await run([params, params6], [dumpOf(params.id, 'map-dump-params-set.json'), dumpOf(params6.id, 'map-dump-params6-zero.json')], { flow: 'fd00:192:168:10::1' });
    expect(v6.status).toBe('fail');
    expect(v6.findings.map((f) => [f.cause, f.risk ?? false, f.fixes.length])).toEqual([['map-params-unset', false, 1]]);
    // No flow to tell the family by (a passive window): zeros are the failure, as before.
    const none = await run([params6], [dumpOf(params6.id, 'map-dump-params6-zero.json')]);
    expect(none.findings.map((f) => f.cause)).toEqual(['map-params-unset']);
  });

  it('the parameters set: pass, the decoded fields in the summary; --expect that holds is evidence', async () => {
    const r = await run([params], [dumpOf(params.id, 'map-dump-params-set.json')], { expect: [{ map: 'xdp_params_array', field: 'vip', value: '192.168.10.1' }] });
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
    expect(r.summary).toMatch(/^1 map\(s\) read; xdp_params_arra: .*vip=192\.168\.10\.1/);
    expect(r.evidence.find((e) => e.label === 'expect xdp_params_array.vip')?.data).toBe('192.168.10.1 as expected');
  });

  it('--expect that does not hold, or names no field: map-value-mismatch', async () => {
    const r = await run([params], [dumpOf(params.id, 'map-dump-params-set.json')], {
      expect: [{ map: 'xdp_params_array', field: 'vip', value: '10.0.0.1' }, { map: 'xdp_params_array', field: 'nosuch', value: '1' }],
    });
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => [f.cause, f.message])).toEqual([
      ['map-value-mismatch', expect.stringMatching(/^xdp_params_arra\.vip is 192\.168\.10\.1.*, expected 10\.0\.0\.1$/)],
      ['map-value-mismatch', '--expect xdp_params_array.nosuch: no such field in the program\'s configuration maps'],
    ]);
  });

  it('an empty lookup table is a note (risk), not a failure', async () => {
    const r = await run([hash], [dumpOf(hash.id, 'map-dump-hash.json')]);
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([expect.objectContaining({ cause: 'map-empty', risk: true })]);
    expect(r.summary).toMatch(/^1 map\(s\) read: big_table \(hash\): 0 entr.*; 1 table\(s\) that cannot answer a lookup \(see notes\)$/);
  });

  it('a map bpftool cannot read: warn, the gap named, the other maps still read', async () => {
    const r = await run([hash, params], [
      { argv: ['bpftool', '-j', 'map', 'dump', 'id', String(hash.id)], exitCode: 255, stderr: 'Error: get by id (835): No such file or directory\n' }, // as recorded for a prog id (bpftool/xlated-missing-stderr.txt)
      dumpOf(params.id, 'map-dump-params-set.json'),
    ]);
    expect(r.status).toBe('warn');
    expect(r.summary).toMatch(/; not read: big_table: bpftool: map dump id 835: Error: get by id \(835\): No such file or directory$/);
    expect(r.evidence[0]!.data).toMatch(/^could not be read: /);
  });

  it('no program: skip', async () => {
    const r = await runCheck(mapDump, { facts: {} });
    expect(r.result).toMatchObject({ status: 'skip', summary: 'no program to read maps from (see inventory)' });
    expect(r.commands).toEqual([]);
  });
});
