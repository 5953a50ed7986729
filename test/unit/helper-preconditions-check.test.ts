// checks/helper-preconditions.ts through runCheck: the helpers inventory read from the kernel (recorded xlated
// dumps) decide what is checked; for bpf_fib_lookup the rung reads sysctl, ip route get and ip neigh in the XDP
// namespace (outputs recorded around zoo_fib_fwd, test/recordings/fib) and judges them against the window's drops.
import { describe, expect, it } from 'vitest';
import check from '../../checks/helper-preconditions.js';
import { runCheck } from '../../src/plugins/testing.js';
import { DROPS, INVENTORY, type DropFacts, type InventoryFacts } from '../../src/plugins/facts.js';
import { parseXlatedJson, programCalls } from '../../src/tools/bpftool-xlated.js';
import { recording } from './helpers/recordings.js';

const NS = 'xh-rec-r';
const netns = { kind: 'name' as const, name: NS };
const inv = (prog: string): InventoryFacts => ({
  iface: 'hr0', ifindex: 2, netns, mode: 'native', progId: 14249, progName: 'fib_fwd', maps: [],
  calls: programCalls(parseXlatedJson(recording(`xlated/${prog}.xlated.json`))),
});
const fibExec = [
  { argv: ['sysctl', '-n', 'net/ipv4/conf/hr0/forwarding'], netns: NS, stdout: recording('fib/sysctl-ipv4-hr0-forwarding-off.txt') },
  { argv: ['sysctl', '-n', 'net/ipv6/conf/hr0/forwarding'], netns: NS, stdout: recording('fib/sysctl-ipv6-hr0-forwarding.txt') },
  { argv: ['ip', '-j', 'route', 'get', '10.112.2.1'], netns: NS, stdout: recording('fib/route-get-server.json') },
  { argv: ['ip', '-j', 'neigh', 'show'], netns: NS, stdout: recording('fib/neigh-after-ping-forwarding-off.json') },
];
const drops: DropFacts = {
  trouble: true,
  drops: [{
    reason: 'IP_INADDRERRORS', count: 2, ifindex: 2, ifname: 'hr0', where: `hr0 (netns ${NS})`, netns, location: 'ip_error',
    l3: 'IPv4', proto: 1, onXdpIface: true, byProgram: false, routine: false,
  }],
};

describe('helper-preconditions', () => {
  it('a program that calls no checked helper passes, naming what it calls', async () => {
    const r = await runCheck(check, { facts: { [INVENTORY]: inv('xdp_lb') } });
    expect(r.result.status).toBe('pass');
    expect(r.result.evidence[0]!.data).toBe('trace_printk, xdp_adjust_head');
    expect(r.commands).toEqual([]);
  });

  it('bpf_fib_lookup with forwarding off and the flow dropped on the XDP device: fail, the cause with its fix', async () => {
    const r = await runCheck(check, {
      target: { iface: 'hr0', netns, flow: { ip: '10.112.2.1', proto: 'icmp' } },
      facts: { [INVENTORY]: inv('zoo_fib_fwd'), [DROPS]: drops }, exec: fibExec,
    });
    expect(r.result.status).toBe('fail');
    expect(r.result.findings.map((f) => [f.cause, Boolean(f.risk)])).toEqual([['fib-forwarding-disabled', false], ['fib-no-neighbour', true]]);
    expect(r.commands).toContainEqual(['nsenter', `--net=/run/netns/${NS}`, '--', 'sysctl', '-n', 'net/ipv4/conf/hr0/forwarding']);
    expect(r.result.evidence.find((e) => e.label === 'bpf_fib_lookup')!.data).toBe(
      'net/ipv4/conf/hr0/forwarding = 0\n10.112.2.1 leaves by hr1; neighbour 10.112.2.1 on hr1: no entry');
  });

  it('the same configuration with nothing dropped: warn, risks only', async () => {
    const r = await runCheck(check, {
      target: { iface: 'hr0', netns, flow: { ip: '10.112.2.1', proto: 'icmp' } },
      facts: { [INVENTORY]: inv('zoo_fib_fwd'), [DROPS]: { trouble: false, drops: [] } }, exec: fibExec,
    });
    expect(r.result.status).toBe('warn');
    expect(r.result.findings.every((f) => f.risk)).toBe(true);
    expect(r.result.summary).toMatch(/\(not observed this run\)$/);
  });

  it('skips when inventory could not read the calls', async () => {
    const { calls: _, ...without } = inv('zoo_fib_fwd');
    expect((await runCheck(check, { facts: { [INVENTORY]: without } })).result.status).toBe('skip');
  });
});
