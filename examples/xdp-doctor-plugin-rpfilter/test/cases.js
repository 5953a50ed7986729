// @ts-check
// Test cases for rpfilter/asymmetric, each replaying one recording of a real run on the lab
// (`xdp-doctor lab up --lab-name p6`; rp_filter set with sysctl in p6-gw; recorded with test/record.js).
// The check runs exactly as it did there: same argv, same namespaces, the tools' real output.
import { readFileSync } from 'node:fs';

/** @typedef {import('xdp-doctor/testing').CheckCase} CheckCase */
/** @typedef {import('xdp-doctor/testing').Recording} Recording */

/** @param {string} name @returns {Pick<CheckCase, 'target' | 'exec' | 'probe' | 'options'>} */
export function replay(name) {
  const r = JSON.parse(readFileSync(new URL(`./recordings/${name}.json`, import.meta.url), 'utf8'));
  return { target: r.target, exec: r.recordings, probe: r.probe, ...(r.options ? { options: r.options } : {}) };
}

const GW = { kind: 'name', name: 'p6-gw' };
const sysctl = (/** @type {string} */ ns, /** @type {string[]} */ ifaces) =>
  ['nsenter', `--net=/run/netns/${ns}`, '--', 'sysctl', 'net.ipv4.conf.all.rp_filter', ...ifaces.map((i) => `net.ipv4.conf.${i}.rp_filter`)];

/** @type {CheckCase[]} */
export const cases = [
  {
    name: 'healthy lab: rp_filter off on every hop, nothing captured',
    ...replay('healthy'),
    expect: { status: 'pass', summary: 'rp_filter is off on all 6 hop(s) read', findings: [] },
    // One sysctl per namespace along the route, nothing else: no capture when no hop filters.
    commands: [sysctl('p6-client', ['c0']), sysctl('p6-gw', ['g0', 'g1', 'g2']), sysctl('p6-lb', ['l0']), sysctl('p6-real', ['r0'])],
  },
  {
    name: "strict rp_filter on gw g2 drops the real's direct-server-return replies (the lab's g2 case)",
    ...replay('g2-strict'),
    expect: {
      status: 'fail',
      findings: [{
        cause: 'rp-filter-drop',
        severity: 'critical',
        iface: 'g2',
        message: /^gw g2 \(towards real\): rp_filter strict \(all=0, g2=1\) drops packets from 192\.168\.10\.1: they enter on g2 but the route back leaves via g1; TcpExtIPReversePathFilter \+4/,
        fixes: [{
          commands: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=2']],
          undo: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=1']],
          netns: GW,
          verify: 'probe',
        }],
      }],
    },
    assert(run) {
      // Only g2 filters, so only g2 is captured; its reply flow is what the kernel refused.
      const captures = run.calls.filter((c) => c.kind === 'spawn').map((c) => c.argv[2]);
      if (captures.join() !== 'g2') throw new Error(`expected one capture on g2, got ${captures.join()}`);
      const routeGets = run.calls.filter((c) => c.argv[0] === 'ip').map((c) => c.argv.join(' '));
      if (!routeGets.includes('ip -j route get 10.111.220.11 from 192.168.10.1 iif g2')) throw new Error(`no route check of the reply: ${routeGets}`);
      if (!run.usedWindow) throw new Error('the capture must span the probe window');
    },
  },
  {
    name: 'the same with fixValue 0: the fix turns the filter off instead of loose',
    ...replay('g2-strict'),
    options: { fixValue: 0 },
    expect: { status: 'fail', findings: [{ fixes: [{ commands: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=0']] }] }] },
  },
  {
    name: 'all=1 in gw makes every gw hop strict: only g2 drops (g0 and g1 have their route back), the fix lowers all',
    ...replay('gw-all-strict'),
    expect: {
      status: 'fail',
      summary: /all=1, g2=0/,
      findings: [{
        iface: 'g2',
        fixes: [{ commands: [['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=2']], undo: [['sysctl', '-w', 'net.ipv4.conf.all.rp_filter=1']] }],
      }],
    },
    assert(run) {
      const checked = run.result.evidence.find((e) => e.label === 'ip route get (as if received)');
      const text = String(checked?.data);
      if (!/gw g0 \(from client\): 10\.111\.220\.11 → 192\.168\.10\.1: accepted/.test(text)) throw new Error(text);
      if (!/gw g1 .*: 10\.111\.221\.11 → 10\.111\.222\.11: accepted/.test(text)) throw new Error(text);
      if (!/gw g2 .*: refused \(Invalid argument\); route back to 192\.168\.10\.1 leaves via g1 \(via 10\.111\.221\.11\)/.test(text)) throw new Error(text);
    },
  },
  {
    name: 'loose rp_filter (2) on g2 lets the replies in: the route back exists, if through g1',
    ...replay('g2-loose'),
    expect: { status: 'pass', summary: /^rp_filter on gw g2 \(towards real\) \(loose\): everything that entered has its route back there$/, findings: [] },
  },
  {
    name: 'options.ignore leaves g2 alone (a team that knows its asymmetry)',
    ...replay('g2-ignored'),
    expect: { status: 'pass', summary: 'rp_filter is off on all 5 hop(s) read (ignored: gw g2 (towards real))' },
  },
  {
    name: 'a hop whose interface is gone is reported, the others still checked',
    ...replay('g2-strict-g3-gone'),
    expect: { status: 'fail', findings: [{ iface: 'g2' }] },
    assert(run) {
      const gone = run.result.evidence.find((e) => e.label === 'not read in p6-gw');
      if (!/gw g3 \(gone\): sysctl: cannot stat \/proc\/sys\/net\/ipv4\/conf\/g3\/rp_filter/.test(String(gone?.data))) throw new Error(JSON.stringify(gone));
    },
  },
];
