// `lab status` read through src/tools over recorded output: the interfaces and params of lab lt1 (recorded while it
// was up), shown under the namespace names of test/recordings/ip/netns-list.json (ut-gw, ut-client), so the lab
// reads as half built. The interface lines are the ones `lab status` printed for lt1 before it used src/tools.
import { describe, expect, it } from 'vitest';
import { params6ValueHex } from '../../src/lab/params.js';
import { formatStatus, labStatus, params6Of, paramsOf } from '../../src/lab/status.js';
import { fakeExec } from '../../src/plugins/testing.js';
import { parseMapDump } from '../../src/tools/bpftool.js';
import { recording } from './helpers/recordings.js';

const PARAMS_PIN = '/sys/fs/bpf/ut/lb_maps/xdp_params_array';

describe('paramsOf', () => {
  it('reads xdp_params_array[0] from the BTF-formatted dump', () => {
    expect(paramsOf(parseMapDump(recording('bpftool/map-dump-pinned-params.json')))).toEqual({
      dst_mac: '06:c4:2c:9d:bd:ca', daddr: 175103499, saddr: 175103243, vip: 3232238081,
    });
    expect(paramsOf(parseMapDump(recording('bpftool/map-dump-params-zero.json')))).toEqual({ dst_mac: '00:00:00:00:00:00', daddr: 0, saddr: 0, vip: 0 });
  });

  it('no entry, or no BTF to name the fields: no params', () => {
    expect(paramsOf([])).toBeNull();
    expect(paramsOf(parseMapDump(recording('bpftool/map-dump-hash-nobtf.json')))).toBeNull();
  });
});

// map-dump-params6-set.json: `bpftool -j map dump` of xdp_params6_array after the update `lab up --ipv6` makes
// (bpf/build/xdp_lb.o loaded and pinned under a throwaway /sys/fs/bpf/ut-rec-PID, removed afterwards).
describe('params6Of and the IPv6 params lab up writes', () => {
  const dump = parseMapDump(recording('bpftool/map-dump-params6-set.json'));

  it('reads xdp_params6_array[0] from its raw 56 bytes: addresses as text', () => {
    expect(params6Of(dump)).toEqual({ dst_mac: '06:c4:2c:9d:bd:ca', daddr: 'fd00:111:222::11', saddr: 'fd00:111:221::11', vip: 'fd00:192:168:10::1' });
    expect(params6Of([])).toBeNull();
    expect(params6Of(parseMapDump(recording('bpftool/map-dump-pinned-params.json')))).toBeNull(); // 20 bytes: the IPv4 map
  });

  it('the value lab up writes is the one the kernel stored', () => {
    expect(params6ValueHex('06:c4:2c:9d:bd:ca')).toEqual(dump[0]!.value!.map((b) => b.toString(16).padStart(2, '0')));
  });
});

describe('labStatus', () => {
  it('a lab with two of its namespaces: interfaces, XDP programs and params from ip and bpftool', async () => {
    const exec = fakeExec([
      { argv: ['ip', '-j', 'netns', 'list'], stdout: recording('ip/netns-list.json') },
      { argv: ['ip', '-j', 'link', 'show'], netns: 'ut-client', stdout: recording('ip/lab-links-client.json') },
      { argv: ['ip', '-j', 'link', 'show'], netns: 'ut-gw', stdout: recording('ip/lab-links-gw.json') },
      { argv: ['bpftool', '-j', 'map', 'dump', 'pinned', PARAMS_PIN], stdout: recording('bpftool/map-dump-pinned-params.json') },
    ]);
    const s = await labStatus(exec, 'ut');
    expect(exec.unmatched).toEqual([]);
    expect(s.phase).toBe('partial');
    expect(s.interfaces.find((i) => i.iface === 'g1')!.xdp).toEqual({ mode: 'native', id: 15703, name: 'xdp_pass', tag: expect.any(String) });
    expect(formatStatus(s)).toBe([
      'lab ut: partial',
      '  client 10.111.220.11 -> gw -> lb 10.111.221.11 (XDP LB, IPIP to real) -> gw -> real 10.111.222.11 (VIP 192.168.10.1:50002) -> client',
      '  client netns ut-client',
      '         c0  10.111.220.11/24  ifindex 2 7e:bb:d3:68:15:f0 up           no xdp',
      '  gw     netns ut-gw',
      '         g0  10.111.220.12/24  ifindex 2 6a:04:bb:9b:0c:fc up           no xdp',
      // No pins under /sys/fs/bpf/ut here, so no object name after the program's.
      '         g1  10.111.221.12/24  ifindex 3 06:c4:2c:9d:bd:ca up           xdp native id 15703 xdp_pass',
      '         g2  10.111.222.12/24  ifindex 4 7e:3c:16:fc:59:d1 up           no xdp',
      '  lb     netns ut-lb (missing)',
      '         l0  10.111.221.11/24  missing                                  no xdp',
      '  real   netns ut-real (missing)',
      '         r0  10.111.222.11/24  missing                                  no xdp',
      '  params xdp_params_array[0]: dst_mac 06:c4:2c:9d:bd:ca daddr 10.111.222.11 saddr 10.111.221.11 vip 192.168.10.1',
      '  echo server: none',
      '  faults: none',
      '',
    ].join('\n'));
  });

  it('an unreadable params pin is no params; a failing namespace list is an error, not "down"', async () => {
    const exec = fakeExec([
      { argv: ['ip', '-j', 'netns', 'list'], stdout: recording('ip/netns-list.json') },
      { argv: ['ip', '-j', 'link', 'show'], stdout: recording('ip/lab-links-client.json') },
      { argv: ['bpftool', '-j', 'map', 'dump', 'pinned', PARAMS_PIN], exitCode: 255, stdout: recording('bpftool/prog-show-pinned-missing.json') },
    ]);
    const s = await labStatus(exec, 'ut');
    expect(s.params).toBeNull();
    expect(formatStatus(s)).toContain('  params: no pinned xdp_params_array under /sys/fs/bpf/ut\n');
    const failing = fakeExec([{ argv: ['ip', '-j', 'netns', 'list'], exitCode: 1 }]);
    await expect(labStatus(failing, 'ut')).rejects.toThrow('ip: netns list: exit 1');
  });
});
