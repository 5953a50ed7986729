// A tracepoints rung run over recorded lab output (h3-lb's l0 with its veth peer g1 in h3-gw): bpftrace's stdout and
// stderr as given, ip and ethtool as recorded, a window that resolves at once. Shared by the tracepoints-*.test.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CheckContext, NetnsRef, ProbeOutcome } from '../../../src/engine/types.js';
import { fakeExec, fakeFiles } from '../../../src/plugins/testing.js';
import type { Files } from '../../../src/tools/files.js';
import { createTools } from '../../../src/tools/index.js';
import { INVENTORY, PREFLIGHT, type InventoryFacts } from '../../../src/plugins/facts.js';

export const rec = (path: string) => readFileSync(fileURLToPath(new URL(`../../recordings/${path}`, import.meta.url)), 'utf8');
export const LB: NetnsRef = { kind: 'name', name: 'h3-lb' };
export const GW: NetnsRef = { kind: 'name', name: 'h3-gw' };
export const KERNEL_LISTS = rec('bpftrace/list-xdp.txt').trim().split('\n').map((l) => l.split(':')[2]!);

export const inventory: InventoryFacts = {
  iface: 'l0', ifindex: 2, netns: LB, mode: 'native', progId: 1637, progName: 'xdp_prog_func', maps: [], kind: 'veth', mtu: 1500,
  peer: { ifname: 'g1', ifindex: 3, netns: GW, netnsName: 'h3-gw', up: true, gro: false, mtu: 1500 },
};

export interface Scenario {
  stdout?: string; stderr?: string; attachFails?: boolean; listed?: string[]; probeRan?: boolean; progId?: number; osrelease?: string;
  l0After?: string; peer?: Partial<NonNullable<InventoryFacts['peer']>> | null; maps?: InventoryFacts['maps']; dryRun?: boolean;
  /** The gw namespace's recorded links: g1 without an XDP program (default) or with xdp_pass (id 676). */
  gwLinks?: 'lab-gw-links-peer-no-xdp.json' | 'lab-gw-links-peer-xdp-pass.json';
  /** No inventory fact (the inventory rung failed): the rung falls back to the target. */
  noInventory?: boolean;
  /** No preflight fact: the tracepoints are listed with bpftrace -l. */
  noPreflight?: boolean;
}

export function scenario(s: Scenario): CheckContext {
  const exec = fakeExec([
    { argv: ['ip', '-j', '-d', 'link', 'show'], netns: 'h3-lb', stdout: rec('ip/lab-lb-links.json') },
    { argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec(`ip/${s.gwLinks ?? 'lab-gw-links-peer-no-xdp.json'}`) },
    { argv: ['ethtool', '-i', /.+/], stdout: rec('ethtool/driver-veth-l0.txt') },
    { argv: ['ethtool', '-S', 'l0'], times: 1, stdout: rec('ethtool/veth-l0-before-probe.txt') },
    { argv: ['ethtool', '-S', 'l0'], stdout: rec(`ethtool/${s.l0After ?? 'veth-l0-before-probe.txt'}`) },
    { argv: ['ethtool', '-S', 'g1'], stdout: rec('ethtool/veth-g1-peer-no-xdp.txt') },
    // Asked when tracefs is unknown or lists nothing; recorded only for the run without preflight.
    ...(s.noPreflight ? [{ argv: ['bpftrace', '-l', 'tracepoint:xdp:*'], stdout: rec('bpftrace/list-xdp.txt') }] : []),
    { argv: (argv) => argv[0] === 'bpftrace', exitCode: s.attachFails ? 1 : 0, lines: s.stdout?.split('\n') ?? [], stderrLines: s.stderr?.split('\n') ?? [] },
  ]);
  const files: Files = {
    ...fakeFiles(s.osrelease ? { '/proc/sys/kernel/osrelease': s.osrelease } : {}), exists: async () => true, list: async (dir) => (dir === '/sys/kernel/tracing/events/xdp' ? s.listed ?? KERNEL_LISTS : []) };
  const inv = { ...inventory, progId: s.progId ?? inventory.progId, maps: s.maps ?? inventory.maps, peer: s.peer === null ? undefined : { ...inventory.peer!, ...s.peer } };
  const facts = new Map<string, unknown>([
    ...(s.noInventory ? [] : [[INVENTORY, inv] as const]), ...(s.noPreflight ? [] : [[PREFLIGHT, { tracefs: '/sys/kernel/tracing' }] as const]),
  ]);
  return {
    target: { kind: 'lab', iface: 'l0', netns: LB, hops: [], windowMs: 1000, expect: [] },
    tools: createTools(exec, { files, dryRun: s.dryRun }),
    window: { ready: async (): Promise<ProbeOutcome> => ({ ran: s.probeRan ?? true, ok: false, startedAt: 0, endedAt: 1 }) },
    facts: { get: <T>(k: string) => facts.get(k) as T | undefined, set: (k, v) => { facts.set(k, v); } },
    signal: new AbortController().signal, progress: () => undefined, live: () => undefined, options: {},
    finished: async () => undefined,
  };
}

export const evidence = (r: { evidence: { label: string; data: unknown }[] }) => Object.fromEntries(r.evidence.map((e) => [e.label, String(e.data)]));

// Derived bpftrace output: the attach lines of a recorded run with the maps a given event would have filled, in the
// key layout xdpTraceProgram prints (ifindex, errno, act, then the spec's extra keys).
export const withMaps = (...maps: string[]) => [
  '{"type": "attached_probes", "data": {"probes": 7}}', '{"type": "printf", "data": "xdp-doctor: probes attached\\n"}',
  ...maps, '{"type": "map", "data": {"@xdp_doctor_attached": 1}}', '{"type": "map", "data": {"@zz_xdp_doctor_end": 1}}',
].join('\n');
