// A small RunReport for the renderers: one rung of each status, a plugin rung, a diagnosis whose fix runs in a
// namespace with an argument that needs quoting. Evidence strings come from recordings.
import type { RunReport } from '../../../src/engine/types.js';
import { recording } from './recordings.js';

export function smallReport(): RunReport {
  const gw = { kind: 'name', name: 'xdpd-gw' } as const;
  const fix = {
    title: 'attach a dummy XDP_PASS program to the peer g1', netns: gw,
    commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'obj', '/opt/xdp doctor/xdp_pass.o', 'sec', 'xdp']],
    undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'off']],
  };
  const base = { durationMs: 12, source: 'built-in', commands: [] as string[][], evidence: [], findings: [] };
  return {
    schemaVersion: 2,
    tool: { name: 'xdp-doctor', version: '0.1.0' },
    target: {
      kind: 'lab', labName: 'xdpd', iface: 'l0', netns: { kind: 'name', name: 'xdpd-lb' }, hops: [], windowMs: 3000, expect: [],
      probe: { argv: ['nc', '-z', '-w', '2', '192.168.10.1', '50002'] },
    },
    environment: { kernel: '6.18.44-fc-v669', tools: {} },
    startedAt: '2026-11-24T13:00:00.000Z',
    durationMs: 4210,
    probe: { ran: true, ok: false, startedAt: 0, endedAt: 1, exitCode: 1, note: 'exit 1' },
    checks: [
      { ...base, id: 'preflight', title: 'Preflight', rung: 0, status: 'pass', summary: 'root, bpffs, tracefs, BTF, fentry and every tool present',
        commands: [['ip', '-V']] },
      { ...base, id: 'routing', title: 'Route (tcpdump along the path)', rung: 2, status: 'fail',
        summary: 'the packet reached lb l0 and was not seen after it',
        evidence: [{ label: 'tcpdump v1', data: recording('tcpdump/peer-v1-syn.txt').trim() }],
        findings: [{ cause: 'packets-lost-after-xdp', severity: 'medium', message: 'reached l0, vanished', fixes: [] }],
        commands: [['nsenter', '--net=/run/netns/xdpd-gw', '--', 'tcpdump', '-i', 'g1', '-n', '-l', '-tt', '--immediate-mode']] },
      { ...base, id: 'map-dump', title: 'Map dump', rung: 4, status: 'warn', summary: 'xdp_params_arra | 1 entry', degraded: 'no BTF for one map' },
      { ...base, id: 'xdpdump', title: 'xdpdump', rung: 5, status: 'skip', summary: 'needs xdpdump: apt-get install xdp-tools' },
      { ...base, id: 'tracepoints', title: 'XDP tracepoints', rung: 8, status: 'fail', summary: 'xdp_bulk_tx err -6 on l0',
        findings: [{ cause: 'veth-peer-no-xdp', severity: 'critical', message: 'xdp_bulk_tx err=-6 on l0', errno: { value: 6, name: 'ENXIO' }, fixes: [fix] }] },
      { ...base, id: 'team-latency', title: 'Team latency', rung: 10, status: 'error', summary: 'crashed: boom [plugin team@1.0.0]', source: 'team@1.0.0' },
      { ...base, id: 'team-ok', title: 'Team ok', rung: 11, status: 'pass', summary: 'fine', source: 'team@1.0.0' },
    ],
    diagnosis: [
      { cause: 'veth-peer-no-xdp', title: 'XDP_TX on a veth whose peer cannot receive XDP frames', confidence: 0.97,
        explanation: 'veth_xdp_xmit() refuses frames when the peer has no NAPI.', errno: { value: 6, name: 'ENXIO' },
        evidence: [{ check: 'tracepoints', message: 'xdp_bulk_tx err=-6 on l0' }], fixes: [fix] },
      { cause: 'packets-lost-after-xdp', title: 'Packets reach the XDP program and vanish after it', confidence: 0.33,
        evidence: [{ check: 'routing', message: 'reached l0, vanished' }], fixes: [] },
    ],
    route: {
      check: 'routing', verdict: 'the packet reached lb l0 and was not seen after it', lastSeen: 'gw g1', lostAt: 'gw g2', synRetransmissions: 0,
      hops: [
        { label: 'gw g1', iface: 'g1', node: 'gw', netns: gw, xdp: false, requests: 3, replies: 0, encapsulated: 0, state: 'seen' },
        { label: 'lb l0 | XDP', iface: 'l0', node: 'lb', xdp: true, requests: 0, replies: 0, encapsulated: 0, state: 'xdp' },
        { label: 'gw g2', iface: 'g2', node: 'gw', netns: gw, xdp: false, requests: 0, replies: 0, encapsulated: 0, state: 'lost' },
        { label: 'real r0', iface: 'r0', node: 'real', xdp: false, requests: 0, replies: 0, encapsulated: 0, error: 'permission denied', state: 'unknown' },
      ],
    },
    errnos: [{
      value: 6, name: 'ENXIO', message: 'No such device or address', observed: true, tracepoint: 'xdp_bulk_tx', driver: 'veth', iface: 'l0',
      meaning: 'the veth peer has no NAPI', source: 'drivers/net/veth.c veth_xdp_xmit()', fix: 'attach a dummy XDP_PASS program to the peer',
      causes: ['veth-peer-no-xdp'],
    }],
    exitCode: 1,
  };
}
