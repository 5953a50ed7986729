// `lab up`: builds the blog's topology step by step, recording each thing it creates in the state file before
// moving on, then loads the programs, writes the LB params, starts the echo server and applies faults.
// Steps that touch different namespaces run in parallel; order only matters within one namespace.
import { mkdirSync } from 'node:fs';
import type { Exec } from '../tools/exec.js';
import { createTools } from '../tools/index.js';
import { type FaultId, type LabContext, faultSteps } from './faults.js';
import { writeParams6Step, writeParamsStep } from './params.js';
import { echoServerScript, labObjects } from './paths.js';
import { attachNative, loadLbWithPinnedMaps, loadProg } from './programs.js';
import { type LabState, claimState, writeState } from './state.js';
import { LabError, type Step, runStep, runSteps } from './steps.js';
import {
  DECAP_IFACE, LB_IFACE, LINKS, LB_IP, LB_IP6, NODES, PEER_IFACE, VIP, VIP6, VIP_PORT, type LabNode, nsName, nsRef, pinDir, pins,
} from './topology.js';

export type Log = (line: string) => void;

/** Each host's gateway: the gw end of its link. */
function gatewayOf(node: Exclude<LabNode, 'gw'>, family: 'addr' | 'addr6'): string {
  return LINKS.find((l) => l.a.node === node)!.b[family];
}

/** Per-namespace sysctls. Namespaces start from the initial namespace's `all/default`, so set what matters. */
function sysctlArgs(node: LabNode, ipv6: boolean): string[] {
  const args = ipv6
    ? [
      // Dual stack, quiet: no duplicate address detection (addresses usable at once, no DAD probes), no router
      // advertisements taken or solicited. Only the gateway forwards, as for IPv4.
      'net.ipv6.conf.all.disable_ipv6=0', 'net.ipv6.conf.default.disable_ipv6=0',
      'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0',
      'net.ipv6.conf.all.accept_ra=0', 'net.ipv6.conf.default.accept_ra=0',
      'net.ipv6.conf.default.router_solicitations=0',
      `net.ipv6.conf.all.forwarding=${node === 'gw' ? 1 : 0}`,
    ]
    // No IPv6: no router solicitations or MLD reports in the counters and captures the ladder reads.
    : ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];
  // Only the gateway routes; the LB must not, so that a packet XDP passes up its stack dies there visibly.
  args.push(`net.ipv4.ip_forward=${node === 'gw' ? 1 : 0}`);
  // Direct server return: replies from the VIP enter gw on g2 while the VIP route points at g1, and the real
  // receives the client's address on r0 after decap. Strict rp_filter would drop both.
  if (node === 'gw' || node === 'real') args.push('net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0');
  return ['sysctl', '-q', '-w', ...args];
}

function ends(node: LabNode) {
  return LINKS.flatMap((l) => [l.a, l.b]).filter((e) => e.node === node);
}

/** Addresses, links up, routes and interface sysctls of one namespace, in order. */
function addressSteps(prefix: string, node: LabNode, ipv6: boolean): Step[] {
  const netns = nsRef(prefix, node);
  const steps: Step[] = [];
  for (const e of ends(node)) {
    steps.push({ argv: ['ip', 'addr', 'add', e.cidr, 'dev', e.iface], netns });
    if (ipv6) steps.push({ argv: ['ip', '-6', 'addr', 'add', `${e.addr6}/64`, 'dev', e.iface, 'nodad'], netns });
    steps.push({ argv: ['ip', 'link', 'set', e.iface, 'up'], netns });
  }
  if (node === 'real') steps.push({ argv: ['ip', 'addr', 'add', `${VIP}/32`, 'dev', 'lo'], netns });
  if (node === 'real' && ipv6) steps.push({ argv: ['ip', '-6', 'addr', 'add', `${VIP6}/128`, 'dev', 'lo'], netns });
  if (node === 'gw') {
    steps.push({ argv: ['ip', 'route', 'add', `${VIP}/32`, 'via', LB_IP], netns });
    if (ipv6) steps.push({ argv: ['ip', '-6', 'route', 'add', `${VIP6}/128`, 'via', LB_IP6], netns });
    steps.push({ argv: ['sysctl', '-q', '-w', 'net.ipv4.conf.g2.rp_filter=0'], netns });
  } else {
    steps.push({ argv: ['ip', 'route', 'add', 'default', 'via', gatewayOf(node, 'addr')], netns });
    if (ipv6) steps.push({ argv: ['ip', '-6', 'route', 'add', 'default', 'via', gatewayOf(node, 'addr6')], netns });
  }
  if (node === 'real') steps.push({ argv: ['sysctl', '-q', '-w', `net.ipv4.conf.${DECAP_IFACE}.rp_filter=0`], netns });
  // The client's TCP checksums must be complete on the wire: native veth XDP loses CHECKSUM_PARTIAL (csum-offload fault).
  if (node === 'client') steps.push({ argv: ['ethtool', '-K', 'c0', 'tx', 'off'], netns });
  return steps;
}

/**
 * Static neighbours on every link: no ARP in the probe window, so per-hop counters count the probe's packets
 * only and "last hop that saw it" is not fooled by an ARP reply.
 */
function neighbourSteps(prefix: string, macs: Record<string, string>, ipv6: boolean): Step[] {
  const families = ipv6 ? (['addr', 'addr6'] as const) : (['addr'] as const);
  return LINKS.flatMap((l) => families.flatMap((f) => [
    { argv: ['ip', 'neigh', 'replace', l.b[f], 'lladdr', macs[`${l.b.node}/${l.b.iface}`]!, 'dev', l.a.iface, 'nud', 'permanent'], netns: nsRef(prefix, l.a.node) },
    { argv: ['ip', 'neigh', 'replace', l.a[f], 'lladdr', macs[`${l.a.node}/${l.a.iface}`]!, 'dev', l.b.iface, 'nud', 'permanent'], netns: nsRef(prefix, l.b.node) },
  ]));
}

export async function labUp(exec: Exec, prefix: string, faults: FaultId[], log: Log, ipv6 = false): Promise<LabState> {
  const { ip, bpftool } = createTools(exec);
  const progId = async (pin: string) => (await bpftool.progPinned(pin)).id;
  const objects = labObjects();
  const echo = echoServerScript();
  if (!echo) throw new LabError('dist/src/lab/echo-server.js is missing: build the TypeScript first (npx tsc -p tsconfig.json)');
  const p = pins(prefix);
  const state: LabState = {
    version: 1, prefix, phase: 'building', startedAt: new Date().toISOString(), namespaces: [], pinDir: pinDir(prefix),
    pins: [], faults: [], ifindexes: {}, macs: {}, progIds: {}, ...(ipv6 ? { ipv6: true } : {}),
  };
  if (!claimState(state)) {
    throw new LabError(`lab ${prefix} is already up (state file exists); run \`xdp-doctor lab down --lab-name ${prefix}\` first`);
  }
  const save = () => writeState(state);
  const timed = async (what: string, fn: () => Promise<void>) => {
    const t = Date.now();
    await fn();
    log(`  ${what} (${Date.now() - t} ms)`);
  };

  await timed('namespaces', async () => {
    // Recorded before creation: a crash between the two leaves a name `lab down` tolerates as absent.
    state.namespaces = NODES.map((n) => nsName(prefix, n));
    save();
    await Promise.all(NODES.map((n) => runStep(exec, { argv: ['ip', 'netns', 'add', nsName(prefix, n)] })));
    await Promise.all(NODES.map((n) => runSteps(exec, [
      { argv: sysctlArgs(n, ipv6), netns: nsRef(prefix, n) },
      { argv: ['ip', 'link', 'set', 'lo', 'up'], netns: nsRef(prefix, n) },
    ])));
  });

  await timed('veth pairs c0-g0, l0-g1, r0-g2', async () => {
    // Created straight into their namespaces: names never exist in (or collide in) the initial namespace.
    await Promise.all(LINKS.map((l) => runStep(exec, {
      argv: ['ip', 'link', 'add', l.a.iface, 'netns', nsName(prefix, l.a.node), 'type', 'veth', 'peer', 'name', l.b.iface, 'netns', nsName(prefix, l.b.node)],
    })));
    await Promise.all(NODES.map((n) => runSteps(exec, addressSteps(prefix, n, ipv6))));
    for (const n of NODES) {
      for (const link of await ip.links(nsRef(prefix, n))) {
        if (link.ifname === 'lo') continue;
        state.ifindexes[`${n}/${link.ifname}`] = link.ifindex;
        if (link.mac) state.macs[`${n}/${link.ifname}`] = link.mac;
      }
    }
    save();
    await Promise.all(neighbourSteps(prefix, state.macs, ipv6).map((s) => runStep(exec, s)));
  });

  const g1Mac = state.macs[`gw/${PEER_IFACE}`];
  if (!g1Mac) throw new LabError(`could not read the MAC of gw ${PEER_IFACE}`);
  const ctx: LabContext = { prefix, g1Mac, objects, ipv6 };

  await timed('XDP programs: LB on lb l0, xdp_pass on gw g1, decap on real r0', async () => {
    mkdirSync(p.dir, { recursive: true });
    state.pins = [p.lbProg, p.lbMaps, p.passProg, p.decapProg];
    save();
    await runStep(exec, loadLbWithPinnedMaps(prefix, objects.lb));
    await runStep(exec, loadProg(objects.pass, p.passProg));
    await runStep(exec, loadProg(objects.decap, p.decapProg));
    await runStep(exec, writeParamsStep(prefix, g1Mac));
    if (ipv6) await runStep(exec, writeParams6Step(prefix, g1Mac));
    await Promise.all([
      runStep(exec, attachNative(prefix, p.lbProg, LB_IFACE)),
      runStep(exec, attachNative(prefix, p.passProg, PEER_IFACE)),
      runStep(exec, attachNative(prefix, p.decapProg, DECAP_IFACE)),
    ]);
    state.progIds = { lb: await progId(p.lbProg), pass: await progId(p.passProg), decap: await progId(p.decapProg) };
    save();
  });

  const echoHost = ipv6 ? VIP6 : VIP;
  await timed(`echo server on real ${ipv6 ? `[${VIP6}]` : VIP}:${VIP_PORT}`, async () => {
    const r = await runStep(exec, {
      argv: [process.execPath, echo, '--host', echoHost, '--port', String(VIP_PORT), '--lab', prefix, '--daemon'],
      netns: nsRef(prefix, 'real'),
    });
    const m = /pid (\d+)/.exec(r.stdout);
    if (!m) throw new LabError(`echo server did not report its pid: ${r.stdout.trim()} ${r.stderr.trim()}`);
    state.echoPid = Number(m[1]);
    save();
  });

  for (const f of faults) {
    await timed(`fault ${f}`, async () => {
      await runSteps(exec, faultSteps(f, 'break', ctx));
      if (!state.faults.includes(f)) state.faults.push(f);
      save();
    });
  }

  state.phase = 'up';
  save();
  return state;
}
