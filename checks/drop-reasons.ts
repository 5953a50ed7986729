// Rung 8½: where the stack dropped them. When XDP passes a packet (XDP_PASS) or sends it on (XDP_TX,
// XDP_REDIRECT) and it still vanishes, the kernel knows why: since 5.17 every freed skb carries a drop reason
// (tracepoint:skb:kfree_skb). One bpftrace process counts the probe's flow per reason, device, namespace and
// kernel function during the window; reason names come from this kernel's tracepoint format (numbers differ
// between kernels). Older kernels: the rung says so and reads the hops' `ip -s link` drop counters instead.
import {
  BOOT_ID_PATH, defineCheck, DROPS, dropBuckets, dropReasonsProgram, flowTrouble, followedFlow, hasDropReasons, INVENTORY, kb, L3_ETHERTYPE,
  mapsPrinted, nsLabel, parseBpftraceJson, readSkbOffsets, parseBpftraceStderr, parseDropLine, parseDropReasonNames, PREFLIGHT, PROBE_OUTCOME, type CheckContext, type DropBucket,
  type DropFacts, type Evidence, type Finding, type Fix, type FlowDrop, type InventoryFacts, type LinkInfo, type NetnsRef, type PreflightFacts,
} from '../src/plugins/api.js';
import { keepOutput } from './kept-output.js';

interface Place { netns?: NetnsRef; label: string; links: LinkInfo[] }

export default defineCheck({
  id: 'drop-reasons',
  title: 'Drop reasons (skb:kfree_skb)',
  question: 'Where on the route did the kernel drop the probe\'s packets after XDP, and why (skb drop reason)?',
  rung: 8.5,
  needs: ['bpftrace'],
  after: ['preflight'],
  // The route's namespaces come from the inventory: read while bpftrace compiles, which needs only the flow.
  readsLater: ['inventory'],
  observes: true,
  timeoutMs: 45_000,
  async run(ctx) {
    const pre = ctx.facts.get<PreflightFacts>(PREFLIGHT);
    const format = (await ctx.tools.files.read(`${pre?.tracefs ?? '/sys/kernel/tracing'}/events/skb/kfree_skb/format`)) ?? '';
    if (!ctx.tools.dryRun && !hasDropReasons(format)) {
      return withoutReasons(ctx, format ? 'this kernel\'s skb:kfree_skb has no reason field (skb drop reasons arrived in 5.17)' : 'tracepoint skb:kfree_skb is not available');
    }
    const dest = followedFlow(ctx.target)?.ip;
    if (!dest) {
      return { status: 'skip', summary: 'no flow to follow: give --probe with an IPv4 or IPv6 address, or --flow PROTO:ADDR[:PORT]', evidence: [], findings: [] };
    }
    const names = parseDropReasonNames(format);
    // The fields at this kernel's offsets (cached per boot) compile in 0.4 s, struct casts in 1.4–1.8 s.
    const layout = ctx.tools.dryRun ? { source: 'dry run: struct casts' } : await readSkbOffsets(ctx.tools, (await ctx.tools.files.read(BOOT_ID_PATH))?.trim() || undefined);
    const program = dropReasonsProgram([dest], layout.offsets);
    ctx.progress('attaching bpftrace to skb:kfree_skb for the probe\'s flow');
    // The route's namespaces are known once attached; no drop of the probe's flow comes before the probe.
    let live: Map<number, Place> | undefined;
    const collector = ctx.tools.bpftrace.start(program, {
      timeoutMs: 120_000,
      onLine: (line, stream) => { if (stream === 'stdout' && live) reportDrop(ctx, parseDropLine(line), live, names); },
    });
    // Looked up while bpftrace compiles: the last collector to attach holds the probe back.
    const placesRead = ctx.finished('inventory').then(() => routePlaces(ctx));
    placesRead.catch(() => undefined); // awaited once attached
    try {
      await collector.ready;
    } catch (e) {
      const r = await collector.stop(2000);
      // bpftrace's RLIMIT_MEMLOCK complaint starts with "ERROR:" too and is harmless: the first real error says why.
      const why = parseBpftraceStderr(r.stderr).errors[0] ?? (e as Error).message;
      return { status: 'error', summary: `bpftrace could not attach to skb:kfree_skb: ${why}`, evidence: [{ label: 'program', data: program, command: collector.argv }], findings: [] };
    }
    const places = await placesRead;
    live = places;
    const outcome = await ctx.window.ready();
    ctx.facts.set(PROBE_OUTCOME, { ran: outcome.ran, ok: outcome.ok });
    const result = await collector.stop(5000);
    if (ctx.tools.dryRun) return { status: 'skip', summary: 'dry run: bpftrace listed, not run', evidence: [{ label: 'program', data: program }], findings: [] };

    const kept = await keepOutput(ctx, 'drop-reasons.bpftrace.json', result.stdout);
    const json = parseBpftraceJson(result.stdout);
    if (!mapsPrinted(json)) {
      return { status: 'error', summary: `bpftrace ended without printing its maps (exit ${result.exitCode ?? 'by signal'})`, evidence: [{ label: 'stderr', data: result.stderr.trim() || '(empty)', command: collector.argv }], findings: [] };
    }
    // Observe: every drop of the flow, typed, with where it happened and whose it was.
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    const targetInode = [...places.entries()].find(([, p]) => p.netns === (inv?.netns ?? ctx.target.netns))?.[0];
    const drops: FlowDrop[] = dropBuckets(json).map((b) => {
      const reason = names.get(b.reason) ?? `reason ${b.reason}`;
      const onXdpIface = b.netnsInode === targetInode && b.ifindex === inv?.ifindex;
      return {
        reason, count: b.count, ifindex: b.ifindex, ...(ifnameOf(b, places) ? { ifname: ifnameOf(b, places) } : {}),
        where: placeOf(b, places), ...(places.get(b.netnsInode)?.netns ? { netns: places.get(b.netnsInode)!.netns } : {}), location: b.location, l3: l3Name(b.l3), proto: b.proto, onXdpIface,
        // The program's own only when the kernel says so: the XDP drop reason, or freed inside the driver's XDP
        // receive path (veth_xdp_rcv_skb frees an XDP_DROP with NOT_SPECIFIED). Any other drop, on the XDP
        // interface too (a VLAN nobody configured: OTHERHOST in ip_rcv_core), is the kernel's.
        byProgram: reason === 'XDP' || /xdp/i.test(b.location),
        // Freed with no device (in a socket, after the route) or as delivery ends (ping's raw socket took a copy).
        routine: b.ifindex === 0 || kb.isRoutineDrop(reason, b.proto),
      };
    });
    ctx.facts.set(DROPS, { drops, trouble: flowTrouble(outcome, ctx.target) } satisfies DropFacts);

    // Judge.
    const onRoute = drops.filter((d) => !d.byProgram && !d.routine);
    const byProgram = drops.filter((d) => d.byProgram).reduce((n, d) => n + d.count, 0);
    const routine = drops.filter((d) => !d.byProgram && d.routine).length;
    const family = dest.includes(':') ? 'IPv6' : 'IPv4';
    const evidence: Evidence[] = [
      { label: 'flow', data: `${family} to or from ${dest}${family === 'IPv4' ? ' (and IPIP with that inner destination, and ARP about it)' : ' (and IPv6-in-IPv6 with that inner destination)'}`, command: collector.argv },
      { label: 'drops', data: drops },
      { label: 'skb layout', data: layout.offsets ? `fields read at this kernel's offsets, from ${layout.source}` : `struct casts (${layout.source})` },
      ...(kept ? [{ label: 'bpftrace output', data: kept }] : []),
    ];
    // Describe.
    const aside = [
      byProgram ? `${byProgram} dropped by the XDP program itself on ${inv?.iface ?? ctx.target.iface} (its verdict)` : '',
      routine ? `${routine} routine (freed in a socket or after delivery)` : '',
    ].filter(Boolean).map((x) => ` (${x})`).join('');
    const summary = onRoute.map((d) => `${d.reason} ×${d.count} at ${d.where}${d.onXdpIface ? ' (the XDP interface, after the program)' : ''}`).join('; ');
    // A probe that passed lost nothing that mattered: the drops are evidence, not a cause.
    if (!onRoute.length || !flowTrouble(outcome, ctx.target)) {
      const what = onRoute.length ? `${summary} (the probe passed)` : `the kernel dropped no packet of the probe's flow (to or from ${dest}) on the route's devices during the ${outcome.ran ? 'probe' : 'window'}`;
      return { status: 'pass', summary: `${what}${aside}`, evidence, findings: [] };
    }

    const findings: Finding[] = [];
    // NOT_SPECIFIED is every drop nobody named: a cause only when it is all the kernel said.
    const specific = onRoute.some((d) => d.reason !== 'NOT_SPECIFIED');
    for (const d of onRoute) {
      if (d.reason === 'NOT_SPECIFIED' && specific) continue;
      const info = kb.dropReasonInfo(d.reason, d.location);
      findings.push({
        // After XDP_PASS of untouched packets, the stack's drop is where that story ends; after a change, the
        // packet-fate rung joins the drop to what the program changed.
        cause: info.cause, signal: `skb:kfree_skb reason ${d.reason}`, explains: [...info.explains, 'xdp-passed-unchanged', 'xdp-change-dropped', 'neighbour-dropped'],
        ...(d.ifname ? { iface: d.ifname } : {}),
        message: `the kernel dropped ${d.count} ${d.l3 === 'ARP' ? 'ARP frame(s)' : 'packet(s)'} of the probe's flow with SKB_DROP_REASON_${d.reason} at ${d.where}` +
          `${d.onXdpIface ? ', the XDP interface itself, after the program let them through' : ''} in ${d.location || '?'}: ${info.meaning}; after XDP this usually means ${info.afterXdp}`,
        fixes: await fixesFor(ctx, d, info.fix),
      });
    }
    return { status: findings.length ? 'fail' : 'warn', summary: `${summary}${aside}`, evidence, findings };
  },
});

/**
 * A first drop while the probe runs: when it is on the route and not routine (the same test the judgement below
 * applies), the window hears that a loss is explained.
 */
function reportDrop(ctx: CheckContext, d: ReturnType<typeof parseDropLine>, places: Map<number, Place>, names: Map<number, string>): void {
  if (!d || !ctx.window.saw || !places.has(d.netnsInode)) return;
  const reason = names.get(d.reason) ?? `reason ${d.reason}`;
  if (d.ifindex === 0 || kb.isRoutineDrop(reason, d.proto)) return;
  ctx.window.saw({ kind: 'signal', source: 'drop', what: `${reason} at ${placeOf({ ...d, location: '', count: 1 }, places)}` });
}

const l3Name = (l3: number): FlowDrop['l3'] => (l3 === L3_ETHERTYPE.ipv6 ? 'IPv6' : l3 === L3_ETHERTYPE.arp ? 'ARP' : 'IPv4');

/** The namespaces the route crosses, each with its interfaces, keyed by the netns inode the tracepoint reports. */
async function routePlaces(ctx: CheckContext): Promise<Map<number, Place>> {
  const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
  const refs: { netns?: NetnsRef; label: string }[] = [
    { netns: inv?.netns ?? ctx.target.netns, label: labelOf(inv?.netns ?? ctx.target.netns) },
    ...(inv?.peer ? [{ netns: inv.peer.netns, label: inv.peer.netnsName ?? labelOf(inv.peer.netns) }] : []),
    ...ctx.target.hops.map((h) => ({ netns: h.netns, label: h.node ?? labelOf(h.netns) })),
    ...(ctx.target.probe ? [{ netns: ctx.target.probe.netns, label: labelOf(ctx.target.probe.netns) }] : []),
  ];
  // Asked of every namespace at once; the first ref of a namespace names it (the target before a hop).
  const seen = await Promise.all(refs.map((r) => ctx.tools.netnsInode(r.netns)));
  const first = new Map<number, (typeof refs)[number]>();
  refs.forEach((r, i) => { const inode = seen[i]; if (inode && !first.has(Number(inode))) first.set(Number(inode), r); });
  const places = await Promise.all([...first].map(async ([inode, r]) =>
    [inode, { netns: r.netns, label: r.label, links: await ctx.tools.ip.links(r.netns).catch(() => []) }] as const));
  return new Map(places);
}

const labelOf = (ns?: NetnsRef) => (ns ? `netns ${nsLabel(ns)}` : 'the host namespace');

function ifnameOf(b: DropBucket, places: Map<number, Place>): string | undefined {
  return places.get(b.netnsInode)?.links.find((l) => l.ifindex === b.ifindex)?.ifname;
}

function placeOf(b: DropBucket, places: Map<number, Place>): string {
  const place = places.get(b.netnsInode);
  if (!place) return `ifindex ${b.ifindex} in a namespace off the route (inode ${b.netnsInode})`;
  return `${ifnameOf(b, places) ?? `ifindex ${b.ifindex}`} (${place.label})`;
}

async function fixesFor(ctx: CheckContext, d: FlowDrop, text: string): Promise<Fix[]> {
  const dev = d.ifname;
  const netns = d.netns;
  if (d.reason === 'IP_RPFILTER' && dev) {
    // The effective value is max(all, dev): 2 on the device is loose whatever `all` holds. Undo restores what was there.
    const key = `net.ipv4.conf.${dev}.rp_filter`;
    const now = (await ctx.tools.exec.run(['sysctl', '-n', key], { netns, timeoutMs: 5000 }).catch(() => undefined))?.stdout.trim();
    if (now && /^[0-2]$/.test(now) && now !== '2') {
      return [{ title: `loose reverse-path filtering on ${dev} (rp_filter ${now} → 2)`, commands: [['sysctl', '-w', `${key}=2`]], undo: [['sysctl', '-w', `${key}=${now}`]], netns, verify: 'probe' }];
    }
  }
  return [{ title: text, commands: [] }];
}

/** Before 5.17: the hops' own drop counters are all there is. */
async function withoutReasons(ctx: CheckContext, why: string) {
  const hops = ctx.target.hops.length ? ctx.target.hops : [{ label: ctx.target.iface, iface: ctx.target.iface, netns: ctx.target.netns }];
  const sample = () => Promise.all(hops.map((h) => ctx.tools.ip.links(h.netns, { stats: true, iface: h.iface }).then(([l]) => l?.stats).catch(() => undefined)));
  const before = await sample();
  await ctx.window.ready();
  const after = await sample();
  const lines = hops.map((h, i) => {
    const b = before[i];
    const a = after[i];
    return b && a ? `${h.label}: rx dropped +${a.rxDropped - b.rxDropped}, tx dropped +${a.txDropped - b.txDropped}` : `${h.label}: no counters`;
  });
  return {
    status: 'skip' as const, summary: `drop reasons not available on this kernel (${why}); ip -s link drop counters instead`,
    evidence: [{ label: 'ip -s link drop counters over the window', data: lines.join('\n') }], findings: [],
    degraded: `${why}. The kernel does not say why it dropped packets; only the interfaces' drop counters are read.`,
  };
}
