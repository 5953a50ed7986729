// Rung 3: bpf_printk lines in trace_pipe during the window, attributed to the target program by its own
// format strings (read from its .rodata map). trace_pipe is a consuming reader: while we read it, no other
// reader gets these lines, and another reader steals them from us. When nothing arrives, say which of the
// likely reasons hold.
import {
  defineCheck, followedFlow, formatToRegex, INVENTORY, parseTraceLine, PREFLIGHT, printkFormats, splitAtMarker,
  type CheckContext, type Evidence, type Finding, type InventoryFacts, type PreflightFacts, type TraceLine,
} from '../src/plugins/api.js';
import { annotateAddresses, type KnownAddress } from './printk-addresses.js';

const CONSUMING_NOTE = 'trace_pipe is a consuming reader: lines read here are not seen by other readers during the window';

export default defineCheck({
  id: 'trace-pipe',
  title: 'bpf_printk (trace_pipe)',
  question: 'What does the program itself say about each packet (bpf_printk in trace_pipe)?',
  rung: 3,
  after: ['preflight', 'inventory'],
  observes: true,
  timeoutMs: 30_000,
  async run(ctx) {
    if (ctx.options.noTracePipe) return { status: 'skip', summary: 'not read (--no-trace-pipe)', evidence: [], findings: [] };
    const pre = ctx.facts.get<PreflightFacts>(PREFLIGHT);
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    const root = pre?.tracefs;
    if (!root) return { status: 'skip', summary: 'tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)', evidence: [], findings: [] };

    const formats = inv?.progId ? await programFormats(ctx, inv) : [];
    const patterns = formats.map((f) => ({ format: f, re: formatToRegex(f) }));
    const session = await ctx.tools.tracePipe.open(root, {
      onLine: (l) => { if (l.event === 'bpf_trace_printk') ctx.live(l.message); },
    });
    try {
      await session.collector.ready;
    } catch (e) {
      // The kernel lets one reader at a time open trace_pipe (EBUSY): someone else is reading the lines.
      const msg = (e as Error).message;
      if (!/resource busy/i.test(msg)) throw e;
      const readers = await ctx.tools.tracePipe.otherReaders(root);
      const who = readers.length ? readers.map((r) => `${r.comm}(${r.pid})`).join(', ') : 'another process';
      return {
        status: 'warn', findings: [],
        summary: `trace_pipe is held by ${who}: the kernel allows one reader at a time, and that reader consumes the program's bpf_printk lines`,
        evidence: [{ label: 'note', data: `${msg}\nStop that reader (or read its output), or run with --no-trace-pipe.` }],
      };
    }
    const outcome = await ctx.window.ready();
    const result = await session.collector.stop();

    const { stale, window } = splitAtMarker(result.stdoutLines, session.marker);
    const printk = window.map(parseTraceLine).filter((l): l is TraceLine => l?.event === 'bpf_trace_printk');
    const ours = patterns.length ? printk.filter((l) => patterns.some((p) => p.re.test(l.message))) : [];
    const byFormat = new Map<string, number>();
    for (const l of ours) {
      const f = patterns.find((p) => p.re.test(l.message))!.format;
      byFormat.set(f, (byFormat.get(f) ?? 0) + 1);
    }
    const evidence: Evidence[] = [
      { label: 'note', data: CONSUMING_NOTE },
      { label: 'lines', data: `${ours.length} from ${inv?.progName ?? 'the program'}, ${printk.length - ours.length} from other programs, ${stale.length} stale line(s) from before the window discarded${result.droppedLines ? `, ${result.droppedLines} beyond the cap counted, not stored` : ''}` },
    ];
    const known = ours.length ? await knownAddresses(ctx, inv) : [];
    const said = (l: TraceLine) => annotateAddresses(l.message, known);
    if (ours.length) evidence.push({ label: 'program says', data: ours.slice(0, 20).map((l) => `${l.ts.toFixed(6)} ${said(l)}`).join('\n') });
    if (byFormat.size) evidence.push({ label: 'by message', data: Object.fromEntries(byFormat) });

    const findings: Finding[] = [];
    if (ours.some((l) => /\b(unset|not set|no params|not configured|missing config)\b/i.test(l.message))) {
      findings.push({
        cause: 'map-params-unset', progId: inv?.progId,
        message: `the program reports its parameters are unset: "${ours.find((l) => /unset|not set|no params|not configured/i.test(l.message))!.message}"`,
        fixes: [],
      });
    }

    if (ours.length && outcome.ran && !outcome.ok) {
      // What the program said while the probe failed belongs next to whatever cause the verdicts show.
      const lines = [...new Map(ours.map((l) => [said(l), 0])).keys()];
      findings.push({
        cause: 'program-log', risk: true, progId: inv?.progId, fixes: [],
        explains: ['xdp-drop-verdict', 'xdp-aborted', 'xdp-passed-unchanged', 'xdp-tx-addresses-unchanged', 'map-params-unset', 'packets-lost-after-xdp'],
        message: `the program logged during the failed probe: ${lines.slice(0, 3).map((l) => `"${l}"`).join('; ')}${lines.length > 3 ? ` (+${lines.length - 3} more)` : ''} (×${ours.length})`,
      });
    }
    if (ours.length) {
      return { status: findings.some((f) => !f.risk) ? 'warn' : 'pass', summary: `${ours.length} line(s) from the program: ${topMessage(byFormat)}`, evidence, findings };
    }
    const reasons = await silenceReasons(ctx, root, formats, inv, outcome.ran);
    evidence.push({ label: 'why silent', data: reasons.join('\n') });
    return { status: 'warn', summary: `no bpf_printk lines from the program: ${reasons[0]}`, evidence, findings };
  },
});

/** Addresses this run knows, to spot in the program's numbers: the probe's destination, the target's and its peer's. */
async function knownAddresses(ctx: CheckContext, inv: InventoryFacts | undefined): Promise<KnownAddress[]> {
  const out: KnownAddress[] = [];
  const dest = followedFlow(ctx.target)?.ip;
  if (dest) out.push({ ip: dest, what: "the probe's destination" });
  const iface = inv?.iface ?? ctx.target.iface;
  for (const ip of await ctx.tools.ip.ipv4(iface, inv?.netns ?? ctx.target.netns)) out.push({ ip, what: `${iface}'s address` });
  if (inv?.peer) for (const ip of await ctx.tools.ip.ipv4(inv.peer.ifname, inv.peer.netns)) out.push({ ip, what: `the veth peer ${inv.peer.ifname}'s address` });
  return out;
}

function topMessage(byFormat: Map<string, number>): string {
  const [f, n] = [...byFormat.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  return `"${f}" ×${n}`;
}

async function programFormats(ctx: CheckContext, inv: InventoryFacts): Promise<string[]> {
  const rodata = inv.maps.filter((m) => m.name.endsWith('.rodata') || m.name.includes('rodata'));
  const out: string[] = [];
  for (const m of rodata) {
    try { out.push(...printkFormats(await ctx.tools.bpftool.mapDump(m.id))); } catch { /* no BTF or frozen oddity: attribution falls back */ }
  }
  return out;
}

async function silenceReasons(
  ctx: CheckContext, root: string, formats: string[], inv: InventoryFacts | undefined, probeRan: boolean,
): Promise<string[]> {
  const reasons: string[] = [];
  if (inv?.progId) {
    const xlated = await ctx.tools.bpftool.xlated(inv.progId).catch(() => '');
    if (xlated && !/trace_printk|bpf_trace_vprintk/.test(xlated)) reasons.push('the program has no bpf_printk calls');
  }
  if (!formats.length && inv?.progId) reasons.push('no format strings found in the program\'s .rodata (lines cannot be attributed)');
  // Our own reader has stopped by now, so any reader left is someone else's.
  const readers = await ctx.tools.tracePipe.otherReaders(root);
  if (readers.length) reasons.push(`another process reads trace_pipe and consumes the lines: ${readers.map((r) => `${r.comm}(${r.pid})`).join(', ')}`);
  if (!probeRan) reasons.push('no probe ran and no traffic reached the program in the passive window');
  else reasons.push('no packet may have reached the program (see the routing rung)');
  return reasons;
}
