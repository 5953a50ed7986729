// checks/routing.ts run() through the check tester, on tcpdump lines recorded on real veths: a healthy ICMP route
// past an XDP hop, TCP SYNs that reached the XDP hop and were not seen after it (the packets lost after XDP, SYN
// retransmissions counted), a hop whose capture could not attach, and no flow to follow.
import { describe, expect, it } from 'vitest';
import routing from '../../checks/routing.js';
import { runCheck, type Recording } from '../../src/plugins/testing.js';
import type { Hop, Target } from '../../src/engine/types.js';
import { recording } from './helpers/recordings.js';

const lines = (f: string) => recording(`tcpdump/${f}`).split('\n').filter(Boolean);
const LISTENING = (iface: string) => [`tcpdump: verbose output suppressed, use -v[v]... for full protocol decode`, `listening on ${iface}, link-type EN10MB (Ethernet), snapshot length 262144 bytes`];
const capture = (hop: Hop, stdout: string[], filter: string[]): Recording => ({
  argv: ['tcpdump', '-i', hop.iface, '-n', '-l', '-tt', '--immediate-mode', ...filter],
  netns: hop.netns ?? null, lines: stdout, stderrLines: LISTENING(hop.iface),
});

// The recorded ping: 10.9.0.2 on the peer v1 (namespace "p") pings 10.9.0.1 behind v0, which runs XDP (namespace "x").
const V1: Hop = { label: 'peer v1', iface: 'v1', netns: { kind: 'name', name: 'p' } };
const V0: Hop = { label: 'xdp v0', iface: 'v0', netns: { kind: 'name', name: 'x' }, xdp: true };
const ICMP = ['icmp'];
const icmpTarget: Partial<Target> = { iface: 'v0', netns: V0.netns, hops: [V1, V0], captureFilter: ICMP, flow: { ip: '10.9.0.1', proto: 'icmp' } };

// The recorded SYNs (syn-retrans.txt): 10.111.221.11 → 192.168.10.1:50002, no answer, three retransmissions.
const C0: Hop = { label: 'client c0', iface: 'c0', netns: { kind: 'name', name: 'c' } };
const L0: Hop = { label: 'lb l0', iface: 'l0', netns: { kind: 'name', name: 'lb' }, xdp: true };
const R0: Hop = { label: 'real r0', iface: 'r0', netns: { kind: 'name', name: 'r' } };
const TCP = ['tcp', 'port', '50002'];
const synTarget: Partial<Target> = { iface: 'l0', netns: L0.netns, hops: [C0, L0, R0], captureFilter: TCP, flow: { ip: '192.168.10.1', port: 50002, proto: 'tcp' } };

describe('routing rung', () => {
  it('a route that works: pass, every request answered, the XDP hop judged by its neighbour', async () => {
    const run = await runCheck(routing, {
      target: icmpTarget,
      exec: [capture(V1, lines('peer-v1-syn.txt'), ICMP), capture(V0, lines('xdp-v0-no-syn.txt'), ICMP)],
    });
    const { result } = run;
    expect(run.usedWindow).toBe(true);
    expect(result.status).toBe('pass');
    expect(result.findings).toEqual([]);
    expect(result.summary).toMatch(/^packets travelled the route and replies came back \((\d+) of \1 request\(s\) answered\)$/);
    expect(result.route?.hops.map((h) => [h.label, h.state])).toEqual([['peer v1', 'seen'], ['xdp v0', 'seen']]);
    expect(result.evidence.find((e) => e.label === 'probe')?.data).toBe('passed');
    // Every capture filtered to the flow, in the hop's namespace.
    expect(run.commands.filter((c) => c.includes('tcpdump')).map((c) => c.slice(0, 2).concat(c.slice(-1)))).toEqual([
      ['nsenter', '--net=/run/netns/p', 'icmp'], ['nsenter', '--net=/run/netns/x', 'icmp'],
    ]);
  });

  it('SYNs reach the XDP hop and are never seen after it, the probe failed: fail, packets-lost-after-xdp, retransmissions', async () => {
    const { result } = await runCheck(routing, {
      target: synTarget, probe: { ok: false, exitCode: 1 },
      exec: [capture(C0, lines('syn-retrans.txt'), TCP), capture(L0, [], TCP), capture(R0, [], TCP)],
    });
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('the packet reached lb l0 and was not seen after it (tcpdump on an XDP interface does not see what XDP consumed: silence there is expected); 3 SYN retransmission(s)');
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({ cause: 'packets-lost-after-xdp', iface: 'l0', message: result.summary, fixes: [] });
    expect(result.findings[0]!.explains).toContain('veth-peer-no-xdp');
    // lastSeen is the last hop tcpdump saw the requests on; the XDP hop is 'xdp' (silent by design), the next one 'lost'.
    expect(result.route).toMatchObject({ lastSeen: 'client c0', lostAt: 'real r0', synRetransmissions: 3 });
    expect(result.route?.hops.map((h) => [h.label, h.state, h.requests])).toEqual([['client c0', 'seen', 4], ['lb l0', 'xdp', 0], ['real r0', 'lost', 0]]);
  });

  it('the same sightings with a probe that passed: not a loss (the rung judges with the probe)', async () => {
    const { result } = await runCheck(routing, {
      target: synTarget,
      exec: [capture(C0, lines('syn-retrans.txt'), TCP), capture(L0, [], TCP), capture(R0, [], TCP)],
    });
    expect(result.status).toBe('pass');
    expect(result.findings).toEqual([]);
    expect(result.route?.lostAt).toBeUndefined();
  });

  it('a hop whose tcpdump cannot attach: warn naming the hop, the others still read', async () => {
    const { result } = await runCheck(routing, {
      target: icmpTarget,
      exec: [
        { ...capture(V1, [], ICMP), exitCode: 1, stderrLines: recording('ip/nsenter-missing-netns-stderr.txt').split('\n').filter(Boolean) },
        capture(V0, lines('xdp-v0-no-syn.txt'), ICMP),
      ],
    });
    expect(result.status).toBe('warn');
    expect(result.summary).toMatch(/; tcpdump could not attach on peer v1$/);
    expect(result.route?.hops.map((h) => h.state)).toEqual(['unknown', 'seen']);
    expect(result.evidence.find((e) => e.label === 'tcpdump peer v1')?.data).toMatch(/^could not attach: /);
  });

  it('no flow to follow: skip, never an unfiltered capture', async () => {
    const run = await runCheck(routing, { target: { hops: [V1, V0] } });
    expect(run.result.status).toBe('skip');
    expect(run.result.summary).toMatch(/^the route not captured: no flow to follow/);
    expect(run.commands).toEqual([]);
  });
});

describe('routing rung: what the sender\'s hop tells the window', () => {
  it('the recorded SYNs from the client: listening, then one `sent` per SYN (the first and three retransmissions)', async () => {
    const run = await runCheck(routing, {
      target: { ...synTarget, probe: { argv: ['nc', '192.168.10.1', '50002'], netns: C0.netns } }, probe: { ok: false, exitCode: 1 },
      exec: [capture(C0, lines('syn-retrans.txt'), TCP), capture(L0, [], TCP), capture(R0, [], TCP)],
    });
    expect(run.sightings).toEqual([{ kind: 'listening', what: 'sent' }, ...Array(4).fill({ kind: 'sent' })]);
  });

  it('the recorded ping from the peer: each request `sent`, each reply `reply`', async () => {
    const run = await runCheck(routing, {
      target: { ...icmpTarget, probe: { argv: ['ping', '10.9.0.1'], netns: V1.netns } },
      exec: [capture(V1, lines('peer-v1-syn.txt'), ICMP), capture(V0, lines('xdp-v0-no-syn.txt'), ICMP)],
    });
    const kinds = run.sightings.map((s) => s.kind);
    expect(kinds[0]).toBe('listening');
    expect(kinds.filter((k) => k === 'sent').length).toBeGreaterThan(0);
    expect(kinds.filter((k) => k === 'reply').length).toBe(kinds.filter((k) => k === 'sent').length);
  });

  it('no probe in the first hop\'s namespace: nothing is told (no sender hop to count on)', async () => {
    const run = await runCheck(routing, {
      target: synTarget, probe: { ok: false, exitCode: 1 },
      exec: [capture(C0, lines('syn-retrans.txt'), TCP), capture(L0, [], TCP), capture(R0, [], TCP)],
    });
    expect(run.sightings).toEqual([]);
  });
});
