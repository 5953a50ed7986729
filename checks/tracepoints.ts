// Rung 8: what the kernel itself reported while the probe ran — the xdp:* tracepoints (xdp_bulk_tx,
// xdp_redirect_err, xdp_devmap_xmit, xdp_exception, xdp_cpumap_*) counted by ONE bpftrace process into
// [ifindex, errno, act] buckets. The blog found errno 6 here (xdp_bulk_tx on a veth whose peer has no XDP
// program). Tracepoints are global to the machine and ifindexes repeat across namespaces, so each error bucket is
// attributed to the target only when its program id matches, or its ifindex resolves in the target's (then the
// peer's) namespace and, where the driver counts the same thing, the interface's own ethtool counters rose too.
import {
  actionName, cpuSpan, defineCheck, INVENTORY, kb, kernelHeadersInstallLines, mapsPrinted, missingKernelHeaders,
  parseBpftraceJson, parseBpftraceStderr, parseErrorLine, peerWhere, PREFLIGHT, statsDelta, ToolOutputError, TRACEPOINTS,
  XDP_TRACEPOINTS, xdpBuckets, xdpTraceProgram, type CheckContext, type Evidence, type Finding, type InventoryFacts, type PreflightFacts, type SignalSeen,
  type TracepointFacts, type XdpTraceBucket,
} from '../src/plugins/api.js';
import { keepOutput } from './kept-output.js';
import { attribute, describeSides, type Attribution, type Side } from './tracepoint-attribution.js';
import { redirectTarget, slotText } from './redirect-target.js';


export default defineCheck({
  id: 'tracepoints',
  title: 'XDP tracepoints (bpftrace)',
  question: 'Did the kernel report XDP errors (xdp:* tracepoints) during the probe: which errno, on which interface?',
  rung: 8,
  needs: ['bpftrace'],
  after: ['preflight'],
  // bpftrace's compile and attach (~0.8 s) is the slowest on the way to the probe: it overlaps the inventory.
  readsLater: ['inventory'],
  observes: true,
  timeoutMs: 45_000,
  async run(ctx) {
    const pre = ctx.facts.get<PreflightFacts>(PREFLIGHT);
    const evidence: Evidence[] = [];

    const available = await ctx.tools.bpftrace.xdpTracepoints(pre?.tracefs);
    const specs = XDP_TRACEPOINTS.filter((s) => ctx.tools.dryRun || available.names.includes(s.name));
    // An older alias (xdp_redirect_map_err) is expected to be gone from newer kernels: not worth a word.
    const absent = XDP_TRACEPOINTS.filter((s) => !specs.includes(s) && !s.alias).map((s) => s.name);
    if (!specs.length) {
      return { status: 'skip', summary: `no xdp:* error tracepoints on this kernel (${available.source} lists ${available.names.join(', ') || 'nothing'})`, evidence, findings: [] };
    }

    const program = xdpTraceProgram(specs);
    ctx.progress(`compiling and attaching bpftrace to ${specs.length} xdp tracepoints`);
    const started = Date.now();
    // Sides are known once attached; until then a first-error line cannot be placed (none comes before the probe).
    let live: Side[] | undefined;
    const collector = ctx.tools.bpftrace.start(program, {
      timeoutMs: 120_000,
      onLine: (line, stream) => { if (stream === 'stdout' && live) reportError(ctx, parseErrorLine(line), live, inv); },
    });
    // The interfaces and their counters before the probe are read while bpftrace compiles (the last collector
    // to attach holds the probe back); the inventory has ended by then more often than not.
    const sidesRead = ctx.finished('inventory').then(async () => {
      const sides = await describeSides(ctx, ctx.facts.get<InventoryFacts>(INVENTORY));
      return { sides, before: await ctx.tools.ethtool.statsOfAll(sides) };
    });
    sidesRead.catch(() => undefined); // awaited once attached
    try {
      await collector.ready;
    } catch (e) {
      const r = await collector.stop(2000);
      const { errors } = parseBpftraceStderr(r.stderr);
      if (missingKernelHeaders(r.stderr)) {
        // Not our failure and not the kernel's: a missing package. The driver counters (ethtool-stats) still see
        // the errors; only the errno and the tracepoint are lost.
        const release = (await ctx.tools.files.read('/proc/sys/kernel/osrelease'))?.trim() ?? 'RELEASE';
        const install = kernelHeadersInstallLines(release);
        return {
          status: 'skip',
          summary: `bpftrace cannot read the xdp tracepoints' arguments on ${release} without the kernel's headers`,
          degraded: `bpftrace needs this kernel's headers for the xdp tracepoints (no BTF it can use for them): install\n` +
            install.map((l) => `  ${l}`).join('\n'),
          evidence: [{ label: 'stderr', data: r.stderr.trim(), command: collector.argv }, { label: 'install', data: install.join('\n') }],
          findings: [],
        };
      }
      return {
        status: 'error',
        summary: `bpftrace could not attach: ${errors.find((l) => /ERROR/.test(l)) ?? errors[0] ?? (e as Error).message}`,
        evidence: [{ label: 'program', data: program, command: collector.argv }, { label: 'stderr', data: r.stderr.trim() || '(empty)' }],
        findings: [],
      };
    }
    const attachMs = Date.now() - started;
    ctx.live(`bpftrace: ${specs.length} xdp tracepoints attached in ${attachMs} ms`);
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    const { sides, before } = await sidesRead;
    live = sides;

    const outcome = await ctx.window.ready();

    const after = await ctx.tools.ethtool.statsOfAll(sides);
    const result = await collector.stop(5000);
    if (ctx.tools.dryRun) return { status: 'skip', summary: 'dry run: bpftrace listed, not run', evidence: [{ label: 'program', data: program }], findings: [] };

    sides.forEach((s, i) => {
      const b = before[i]?.xdp;
      const a = after[i]?.xdp;
      if (b && a && Object.keys(a).length) s.delta = statsDelta(b, a);
    });

    const kept = await keepOutput(ctx, 'tracepoints.bpftrace.json', result.stdout);
    let buckets: XdpTraceBucket[];
    let lost = 0;
    try {
      const json = parseBpftraceJson(result.stdout);
      if (!mapsPrinted(json)) {
        // Killed before it printed (SIGINT ignored, SIGKILL after the grace): no maps is not "nothing fired".
        return {
          status: 'error',
          summary: `bpftrace ended without printing its maps (exit ${result.exitCode ?? 'by signal'}): the counts are lost`,
          evidence: [{ label: 'stderr', data: result.stderr.trim() || '(empty)', command: collector.argv }], findings: [],
        };
      }
      buckets = xdpBuckets(json, specs);
      lost = json.lostEvents;
    } catch (e) {
      if (!(e instanceof ToolOutputError)) throw e;
      return {
        status: 'error', summary: `bpftrace output could not be read: ${e.message}`,
        evidence: [{ label: 'stdout excerpt', data: e.excerpt, command: collector.argv }, { label: 'program', data: program }], findings: [],
      };
    }
    const stderr = parseBpftraceStderr(result.stderr);

    evidence.push({
      label: 'bpftrace',
      data: `${specs.length} tracepoint(s) attached in ${attachMs} ms, one process for the window` +
        `${absent.length ? `; absent on this kernel: ${absent.join(', ')}` : ''}` +
        `${stderr.warnings.length ? `; harmless: ${stderr.warnings.map(shortWarning).join('; ')}` : ''}` +
        `${lost ? `; ${lost} event(s) lost` : ''}`,
      command: collector.argv,
    });
    if (stderr.errors.length) evidence.push({ label: 'bpftrace stderr', data: stderr.errors.slice(0, 10).join('\n') });
    if (kept) evidence.push({ label: 'bpftrace output', data: kept });

    const lines: string[] = [];
    const elsewhere: string[] = [];
    const signals: SignalSeen[] = [];
    const findings: Finding[] = [];
    // A driver's ENXIO at devmap flush may be a queue count below the CPU count: read the CPUs only then.
    const cpus = buckets.some((b) => b.tracepoint === 'xdp_devmap_xmit' && b.errno)
      ? cpuSpan(await ctx.tools.files.read('/sys/devices/system/cpu/online')) : undefined;
    for (const b of buckets) {
      const bad = isErrorBucket(b);
      const at = attribute(b, sides, inv, bad);
      lines.push(`${describeBucket(b)} → ${at.ifname ?? (b.ifindex !== undefined ? `ifindex ${b.ifindex}` : 'no interface')}` +
        `${at.side ? ` (${at.side.where || 'host'}${at.driver ? `, ${at.driver}` : ''})` : ''}${at.elsewhere ? ' [not ours]' : ''}`);
      if (!bad) continue;
      if (at.elsewhere) { elsewhere.push(`${describeBucket(b)}: ${at.elsewhere}`); continue; }
      signals.push({
        tracepoint: b.tracepoint, errno: b.errno, act: b.act, ifindex: b.ifindex, ifname: at.ifname, driver: at.driver,
        mapType: mapTypeOf(b, inv), count: b.count, fields: { ...b.fields, ...b.extra },
      });
      findings.push(findingFor(b, at, inv, at.side ?? sides[0], cpus));
      evidence.push({ label: `${b.event ?? b.tracepoint} on ${at.ifname ?? `ifindex ${b.ifindex ?? '?'}`}`, data: `attributed: ${at.how}` });
    }
    ctx.facts.set(TRACEPOINTS, { signals } satisfies TracepointFacts);

    evidence.push({ label: 'events', data: lines.length ? lines.join('\n') : '(no xdp:* event fired)' });
    const targetNs = sides[0]?.where || 'the host namespace';
    evidence.push({
      label: 'ifindex resolution',
      data: `ifindexes are resolved in the target's namespace (${targetNs}) first${sides[1] ? `, then in the peer's (${sides[1].where || 'host'})` : ''}. ` +
        'ifindexes repeat across namespaces and the tracepoints are machine-wide, so an error is attributed only when its program id ' +
        'matches or the interface\'s own ethtool counters rose with it.',
    });
    if (elsewhere.length) evidence.push({ label: 'not attributed (other namespaces or programs)', data: elsewhere.join('\n') });

    if (findings.length) {
      const top = signals.map((s) => `${s.tracepoint}${s.errno ? ` err -${s.errno} (${kb.errnoName(s.errno)})` : ''} ×${s.count} on ${s.ifname ?? `ifindex ${s.ifindex ?? '?'}`}${s.driver ? ` (${s.driver})` : ''}`);
      return { status: 'fail', summary: top.join('; '), evidence, findings };
    }
    const fired = buckets.filter((b) => !isErrorBucket(b)).reduce((n, b) => n + b.count, 0);
    const note = elsewhere.length ? `; ${elsewhere.length} error bucket(s) from other namespaces or programs not attributed` : '';
    return {
      status: 'pass',
      summary: fired || note
        ? `no XDP error reported for the target during the ${outcome.ran ? 'probe' : 'window'} (${fired} event(s) without errors${note})`
        : `no xdp:* event fired during the ${outcome.ran ? 'probe' : 'window'}`,
      evidence, findings: [],
    };
  },
});

/**
 * A first error while the probe runs (the program's printf, see firstErrorPrint): when it is the target's or its
 * peer's, the window hears that a loss is explained. Attribution here has no counter deltas yet, so it rests on
 * the program id or the ifindex; the rung's judgement after the window is the full one.
 */
function reportError(ctx: CheckContext, e: ReturnType<typeof parseErrorLine>, sides: Side[], inv: InventoryFacts | undefined): void {
  if (!e || !ctx.window.saw) return;
  const spec = XDP_TRACEPOINTS.find((s) => s.name === e.tracepoint);
  const b: XdpTraceBucket = {
    tracepoint: spec?.alias ?? e.tracepoint, ifindex: spec?.ifindex === '0' ? undefined : e.ifindex, errno: e.errno, act: 0,
    extra: e.progId ? { prog_id: e.progId } : {}, count: 1, fields: {},
  };
  const at = attribute(b, sides, inv, true);
  if (at.elsewhere) return;
  ctx.window.saw({ kind: 'signal', source: 'xdp-error', what: `xdp:${e.tracepoint}${e.errno ? ` err -${e.errno}` : ''} on ${at.ifname ?? `ifindex ${e.ifindex}`}` });
}

/** An error or loss: a non-zero errno, drops, or a tracepoint that only fires on failure. */
export function isErrorBucket(b: XdpTraceBucket): boolean {
  return b.errno !== 0 || (b.fields.drops ?? 0) > 0 || b.tracepoint === 'xdp_exception' || b.tracepoint === 'xdp_redirect_err';
}

export function describeBucket(b: XdpTraceBucket): string {
  const parts = [b.event ?? b.tracepoint, b.errno ? `err -${b.errno} ${kb.errnoName(b.errno)}` : 'err 0', actionName(b.act), `×${b.count}`];
  for (const [k, v] of Object.entries(b.fields)) parts.push(`${k} ${v}`);
  for (const [k, v] of Object.entries(b.extra)) parts.push(`${k} ${v}`);
  return parts.join(' ');
}

/** The kind of map a redirect event names: the same errno means other things on an xskmap and a devmap. */
function mapTypeOf(b: XdpTraceBucket, inv: InventoryFacts | undefined) {
  return b.tracepoint.startsWith('xdp_redirect') ? kb.redirectKind(b.extra.map_id, inv?.maps) : undefined;
}

function findingFor(b: XdpTraceBucket, at: Attribution, inv: InventoryFacts | undefined, side?: Side, cpus?: number): Finding {
  const signal = { tracepoint: b.tracepoint, errno: b.errno, driver: at.driver, act: b.act, mapType: mapTypeOf(b, inv) };
  const row = kb.findSignal(signal);
  const cause = kb.signalCause(signal);
  const where = at.ifname ?? `ifindex ${b.ifindex ?? '?'}`;
  const errText = b.errno ? ` err -${b.errno} (${kb.errnoName(b.errno)})` : '';
  const drops = b.fields.drops ? `, ${b.fields.drops} frame(s) dropped` : '';
  let message = `xdp:${b.event ?? b.tracepoint}${errText} ${actionName(b.act)} fired ${b.count}× on ${where}${at.driver ? ` (${at.driver})` : ''}${drops}`;
  const finding: Finding = {
    cause, message,
    signal: `xdp:${b.event ?? b.tracepoint}`, iface: at.ifname, progId: inv?.progId, fixes: [],
  };
  if (b.errno) finding.errno = { value: b.errno, name: kb.errnoName(b.errno) };
  const peer = inv?.peer;
  if (cause === 'veth-peer-no-xdp' && peer && inv) {
    const side = at.side?.role === 'peer'
      // The peer bounced frames towards the target: the target is the "peer" that lacks NAPI here.
      ? { iface: peer.ifname, netns: peer.netns, progId: peer.xdp?.progId, peer: { ifname: inv.iface, netns: inv.netns } }
      : { iface: inv.iface, netns: inv.netns, progId: inv.progId, linkOwned: Boolean(inv.link), peer: { ifname: peer.ifname, netns: peer.netns } };
    const state = at.side?.role === 'peer' ? 'has no XDP program' : peer.xdp ? (peer.up ? `runs an XDP program (id ${peer.xdp.progId}) but refused the frames` : 'is DOWN') : 'has no XDP program';
    message += `: the veth peer ${side.peer.ifname}${at.side?.role === 'peer' ? '' : peerWhere(peer)} ${state}, so its queue has no NAPI and refuses XDP_TX frames`;
    finding.message = message;
    finding.fixes = kb.vethPeerFixes(side);
  } else if (row) {
    finding.message = `${message}: ${row.meaning}`;
  }
  const toIfindex = b.tracepoint === 'xdp_devmap_xmit' ? b.ifindex : b.extra.to_ifindex;
  if ((b.tracepoint === 'xdp_redirect_err' || b.tracepoint === 'xdp_devmap_xmit') && toIfindex && side) {
    // Follow the redirect to the device it was meant for, and check that device as the target is checked.
    const refused = b.tracepoint === 'xdp_devmap_xmit' && b.errno ? { errno: b.errno, cpus } : undefined;
    const to = redirectTarget(toIfindex, side.links, side.netns, refused);
    const map = inv?.maps.find((m) => m.id === b.extra.map_id)?.name;
    finding.message += `; redirected to ${to.ifname ?? `ifindex ${toIfindex}`}${slotText(b.extra.map_id, b.extra.map_index, map)}` +
      (to.problem ? `: ${to.problem}` : '');
    finding.fixes = to.fixes;
    if (to.ifname) finding.iface = to.ifname;
  }
  return finding;
}


const shortWarning = (w: string) => (/RLIMIT_MEMLOCK/.test(w) ? "couldn't set RLIMIT_MEMLOCK (memcg accounts BPF memory since 5.11)" : w);
