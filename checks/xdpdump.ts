// Rung 5: what does the program return for each packet, and what packet comes out? The blog's xdpdump step
// (`xdpdump --rx-capture entry,exit`: 74 bytes in, 94 bytes out, XDP_TX). xdpdump attaches fentry/fexit
// programs to the loaded XDP program; where those cannot load (EPERM on these machines, no BTF, old kernels)
// it exits before "listening on", and this rung says so in xdpdump's own words, then falls back: tcpdump
// captures what the veth peer sends to the interface during the shared window, and every captured frame is
// replayed through BPF_PROG_TEST_RUN on the LOADED program (`bpftool prog run id N`, live maps). Either way it
// writes entry.pcap and exit.pcap for packet-sanity and publishes the verdicts.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCheck } from '../src/plugins/api.js';
import type { CheckContext, CheckResult, Evidence, Finding, ProbeOutcome } from '../src/engine/types.js';
import type { Collector, CollectorResult } from '../src/tools/exec.js';
import { progRun } from '../src/tools/bpftool-prog-run.js';
import { LINKTYPE_ETHERNET, readPcap, summarizeFrame, writePcap, type PcapPacket, type WritePacket } from '../src/tools/pcap.js';
import {
  isPermissionFailure, pairXdpdumpEvents, parseXdpdumpOutput, xdpActionName, xdpdumpFailure,
} from '../src/tools/xdpdump.js';
import { INVENTORY, PREFLIGHT, XDPDUMP, type InventoryFacts, type PreflightFacts, type XdpdumpFacts } from './facts.js';

/** Frames replayed at most: each is one bpftool run (~10 ms). */
export const MAX_REPLAY = 64;
/** tcpdump stops on its own after this many (-c): bounded disk use. */
const MAX_CAPTURE = 256;
/** xdpdump normally attaches in well under a second; longer means something is wrong, so fall back. */
const XDPDUMP_ATTACH_MS = 10_000;

/** What a BPF_PROG_TEST_RUN replay cannot show (net/bpf/test_run.c bpf_prog_test_run_xdp()). */
export const REPLAY_LIMITS = [
  'XDP_TX and XDP_REDIRECT are verdicts only: the frame is not transmitted or redirected, so transmit errors '
    + '(veth ENXIO, devmap/xsk errors) never happen here (the ethtool-stats and tracepoints rungs see those)',
  'bpf_redirect()/bpf_redirect_map() targets are not executed (bpftool does not use BPF_F_TEST_XDP_LIVE_FRAMES)',
  "the packet runs in a test context: ingress_ifindex and rx_queue_index are the caller's loopback and queue 0, "
    + 'not the real interface; no driver metadata; native vs generic differences do not show',
  'bpf_printk lines still fire into trace_pipe, and map updates and other helper side effects happen for real on the live maps',
  'verdicts reflect the maps as they are after the window, not at the moment each packet arrived',
];

export type Verdict = XdpdumpFacts['verdicts'][number];

export function artifactDirOf(ctx: Pick<CheckContext, 'target'>): string {
  return ctx.target.artifactDir ?? join(tmpdir(), `xdp-doctor-${process.pid}`);
}

const pcapsAt = (ctx: CheckContext, dir: string) =>
  ctx.target.keepArtifacts === false ? 'pcaps discarded after the run (--artifacts DIR keeps them)' : `pcaps in ${dir}`;

const actionName = (retval: number) => `XDP_${xdpActionName(retval)}`;

/** "XDP_TX ×2, XDP_PASS ×1" */
export function verdictCounts(verdicts: Pick<Verdict, 'action'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v.action] = (counts[v.action] ?? 0) + 1;
  return counts;
}

/** "74 → 94 bytes" for every distinct size change. */
export function sizeChanges(verdicts: Pick<Verdict, 'inLen' | 'outLen'>[]): string {
  const seen = [...new Set(verdicts.map((v) => `${v.inLen} → ${v.outLen}`))];
  return seen.length ? `${seen.slice(0, 4).join(', ')}${seen.length > 4 ? ', ...' : ''} bytes` : '';
}

export function summarizeVerdicts(verdicts: Verdict[]): string {
  const counts = Object.entries(verdictCounts(verdicts)).map(([a, n]) => `${a} ×${n}`).join(', ');
  return `${verdicts.length} packet(s): ${counts}, ${sizeChanges(verdicts)}`;
}

export default defineCheck({
  id: 'xdpdump',
  title: 'Verdicts (xdpdump entry/exit)',
  question: 'What does the program return for each packet, and what packet does it send on?',
  rung: 5,
  needs: ['bpftool'],
  after: ['preflight', 'inventory'],
  observes: true,
  timeoutMs: 60_000,
  async run(ctx) {
    const inv = ctx.facts.get<InventoryFacts>(INVENTORY);
    const pre = ctx.facts.get<PreflightFacts>(PREFLIGHT);
    const progId = ctx.target.progId ?? inv?.progId;
    const iface = inv?.iface ?? ctx.target.iface;
    const netns = inv?.netns ?? ctx.target.netns;
    if (!progId) {
      return { status: 'skip', summary: `no XDP program on ${iface} (inventory found none): nothing to capture`, evidence: [], findings: [] };
    }
    const prog = `${inv?.progName ?? 'program'} (id ${progId})`;
    const dir = artifactDirOf(ctx);
    if (!ctx.tools.dryRun) await mkdir(dir, { recursive: true });
    const evidence: Evidence[] = [];

    // 1. xdpdump itself, whenever it is installed: its own error is the honest answer to "can it attach?".
    let whyNot: string;
    let short: string;
    const xdpdumpInstalled = pre?.tools?.xdpdump !== null;
    if (xdpdumpInstalled) {
      ctx.progress(`attaching xdpdump to ${prog} on ${iface}`);
      const collector = ctx.tools.xdpdump.capture({
        iface, netns, rxCapture: ['entry', 'exit'], hex: true,
        onEvent: (e) => ctx.live(`${e.func}()@${e.point}${e.action ? `[${e.action}]` : ''}: ${e.pktLen} bytes, id ${e.id}`),
      });
      const attached = await attach(collector, XDPDUMP_ATTACH_MS);
      // --dry-run: xdpdump "attaches" instantly with no output; list the fallback's commands too.
      if (attached === true && !ctx.tools.dryRun) return withXdpdump(ctx, collector, { progId, prog, iface, dir, evidence });
      const result = await collector.stop();
      const said = attached === true ? 'dry run' : attached === 'timeout' ? undefined : xdpdumpFailure(result.stderrLines) ?? attached;
      if (said === undefined) {
        whyNot = `xdpdump did not attach to ${prog} within ${XDPDUMP_ATTACH_MS / 1000} s`;
        short = 'xdpdump did not attach in time';
      } else {
        whyNot = `xdpdump cannot attach to ${prog}: "${said}"`;
        short = `xdpdump cannot attach: ${said.replace(/^ERROR:\s*/, '')}`;
        if (isPermissionFailure(said)) {
          whyNot += ' — fentry/fexit programs are refused on this kernel';
          if (pre?.fentry === false) whyNot += ` (preflight: fentry load ${pre.fentryError ?? 'refused'})`;
        }
      }
      evidence.push({ label: 'xdpdump', data: said === undefined ? 'did not attach in time' : `could not attach: ${said}`, command: collector.argv });
    } else {
      whyNot = 'xdpdump is not installed (xdp-tools)';
      short = 'xdpdump not installed';
    }

    // 2. The fallback: the peer's egress is the program's ingress.
    const peer = inv?.peer;
    if (!peer) {
      return {
        status: 'skip', evidence, findings: [],
        summary: `${whyNot}; no veth peer to capture ${iface}'s ingress on, so nothing to replay`,
        degraded: `${whyNot}. The replay fallback needs the sending side of ${iface} (a veth peer) to capture on; ${iface} has none that xdp-doctor can enter.`,
      };
    }
    return withReplay(ctx, { progId, prog, iface, dir, evidence, whyNot, short, peer });
  },
});

/** true when attached; the rejection message when it exited first; 'timeout' when it hangs. */
async function attach(c: Collector, ms: number): Promise<true | 'timeout' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
  try {
    return await Promise.race([c.ready.then(() => true as const), timeout]);
  } catch (e) {
    return (e as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

interface Common { progId: number; prog: string; iface: string; dir: string; evidence: Evidence[] }

function probeEvidence(o: ProbeOutcome): Evidence {
  return { label: 'probe', data: o.ran ? `${o.ok ? 'passed' : 'FAILED'}${o.note ? ` (${o.note})` : ''}` : o.note ?? 'no probe' };
}

function abortedFinding(verdicts: Verdict[], c: Common, how: string): Finding[] {
  const aborted = verdicts.filter((v) => v.action === 'XDP_ABORTED');
  if (!aborted.length) return [];
  return [{
    cause: 'xdp-aborted', severity: 'high', iface: c.iface, progId: c.progId, fixes: [],
    signal: 'XDP_ABORTED',
    message: `${aborted.length} of ${verdicts.length} packet(s) got XDP_ABORTED from ${c.prog} (${how}): ` +
      `the driver drops them and fires xdp:xdp_exception (packets #${aborted.slice(0, 8).map((v) => v.index).join(', #')})`,
  }];
}

async function withXdpdump(ctx: CheckContext, collector: Collector, c: Common): Promise<CheckResult> {
  const outcome = await ctx.window.ready();
  const result = await collector.stop();
  const out = parseXdpdumpOutput(result.stdoutLines, result.stderrLines);
  const packets = pairXdpdumpEvents(out.events, out.listening?.programs[0]?.func);
  const evidence = c.evidence;
  evidence.push({ label: 'xdpdump', data: `attached: ${result.stderrLines.find((l) => l.startsWith('listening on')) ?? 'listening'}`, command: collector.argv });
  if (result.droppedLines) evidence.push({ label: 'xdpdump lines not kept', data: result.droppedLines });
  if (out.droppedPerfRing) evidence.push({ label: 'dropped by perf ring', data: out.droppedPerfRing });
  evidence.push(probeEvidence(outcome));

  const verdicts: Verdict[] = [];
  const entries: WritePacket[] = [];
  const exits: WritePacket[] = [];
  const lines: string[] = [];
  for (const p of packets) {
    if (!p.exit?.action) continue;
    const index = verdicts.length + 1;
    const action = p.exit.action === '*unknown*' ? 'XDP_UNKNOWN' : `XDP_${p.exit.action}`;
    const inLen = p.entry?.pktLen ?? p.exit.pktLen;
    verdicts.push({ index, inLen, outLen: p.exit.pktLen, action });
    if (p.entry?.data) entries.push({ data: p.entry.data, origLen: p.entry.pktLen, sec: p.entry.sec, nsec: p.entry.nsec });
    if (p.exit.data) exits.push({ data: p.exit.data, origLen: p.exit.pktLen, sec: p.exit.sec, nsec: p.exit.nsec });
    lines.push(`#${index} ${inLen} → ${p.exit.pktLen} bytes ${action}${p.entry?.data ? `  ${summarizeFrame(p.entry.data)}` : ''}`);
  }
  if (!verdicts.length) {
    return {
      status: 'skip', evidence, findings: [],
      summary: `xdpdump attached to ${c.prog} but saw no packet during the window (${outcome.ran ? 'probe ran' : outcome.note ?? 'no probe'})`,
    };
  }
  const files = await writeArtifacts(ctx, c.dir, entries, exits);
  const facts: XdpdumpFacts = { ...files, verdicts, mode: 'xdpdump' };
  ctx.facts.set(XDPDUMP, facts);
  evidence.push(
    { label: 'verdicts', data: lines.slice(0, 20).join('\n') + (lines.length > 20 ? `\n... ${lines.length - 20} more` : '') },
    { label: 'verdict counts', data: verdictCounts(verdicts) },
    { label: 'pcaps', data: `entry ${files.entryPcap ?? '(none)'}, exit ${files.exitPcap ?? '(none)'}` },
  );
  const findings = abortedFinding(verdicts, c, 'xdpdump fexit');
  return {
    status: findings.length ? 'fail' : 'pass',
    summary: `${summarizeVerdicts(verdicts)} (xdpdump entry/exit); ${pcapsAt(ctx, c.dir)}`,
    evidence, findings,
  };
}

async function writeArtifacts(ctx: CheckContext, dir: string, entries: WritePacket[], exits: WritePacket[]): Promise<Pick<XdpdumpFacts, 'entryPcap' | 'exitPcap'>> {
  if (ctx.tools.dryRun) return {};
  const out: Pick<XdpdumpFacts, 'entryPcap' | 'exitPcap'> = {};
  if (entries.length) { out.entryPcap = join(dir, 'entry.pcap'); await writeFile(out.entryPcap, writePcap(entries)); }
  if (exits.length) { out.exitPcap = join(dir, 'exit.pcap'); await writeFile(out.exitPcap, writePcap(exits)); }
  return out;
}

async function withReplay(
  ctx: CheckContext,
  c: Common & { whyNot: string; short: string; peer: NonNullable<InventoryFacts['peer']> },
): Promise<CheckResult> {
  const { peer, evidence } = c;
  const where = `${peer.ifname}${peer.netnsName ? ` (netns ${peer.netnsName})` : ''}`;
  const capturePath = join(c.dir, 'ingress-capture.pcap');
  const degradedHead = `${c.whyNot}. Verdicts come from replaying the packets ${where} sent to ${c.iface} through ` +
    `BPF_PROG_TEST_RUN on the loaded ${c.prog} instead.`;
  const degraded = `${degradedHead} What the replay cannot show: ${REPLAY_LIMITS.join('; ')}.`;

  ctx.progress(`capturing what ${where} sends to ${c.iface}`);
  const collector = ctx.tools.xdpdump.ingressCapture({
    iface: peer.ifname, netns: peer.netns, file: capturePath, filter: ctx.target.captureFilter, maxPackets: MAX_CAPTURE,
  });
  const attached = await attach(collector, 15_000);
  if (attached !== true) {
    const r = await collector.stop();
    evidence.push({ label: 'ingress capture', data: `tcpdump could not attach: ${attached === 'timeout' ? 'timed out' : attached}`, command: collector.argv });
    if (r.stderr.trim()) evidence.push({ label: 'tcpdump stderr', data: r.stderr.trim() });
    return { status: 'skip', summary: `${c.whyNot}; the fallback capture on ${where} failed too`, evidence, findings: [], degraded };
  }
  const outcome = await ctx.window.ready();
  const result: CollectorResult = await collector.stop();
  const tcpdumpSummary = result.stderrLines.filter((l) => /packets? (captured|received|dropped)/.test(l)).join(', ');
  evidence.push({ label: 'ingress capture', data: `tcpdump -Q out on ${where} → ${capturePath}${tcpdumpSummary ? ` (${tcpdumpSummary})` : ''}`, command: collector.argv });
  evidence.push(probeEvidence(outcome));

  if (ctx.tools.dryRun) {
    return { status: 'skip', summary: `dry run: would replay each captured frame with bpftool prog run id ${c.progId}`, evidence, findings: [], degraded };
  }

  let frames: PcapPacket[];
  let capturedTotal: number;
  try {
    const pcap = readPcap(await readFile(capturePath), { maxPackets: MAX_REPLAY });
    if (pcap.linktype !== LINKTYPE_ETHERNET) throw new Error(`link type ${pcap.linktype} is not Ethernet`);
    frames = pcap.packets;
    capturedTotal = pcap.packets.length + pcap.skipped;
    if (pcap.truncated) evidence.push({ label: 'capture file', data: 'ended inside a record (tcpdump stopped mid-write); the partial packet is ignored' });
  } catch (e) {
    return { status: 'error', summary: `cannot read the fallback capture ${capturePath}: ${(e as Error).message}`, evidence, findings: [], degraded };
  }
  if (!frames.length) {
    return {
      status: 'skip', evidence, findings: [], degraded,
      summary: `${c.whyNot}; and ${where} sent nothing to ${c.iface} during the window (${outcome.ran ? `probe ${outcome.ok ? 'passed' : 'failed'}` : outcome.note ?? 'no probe'}): no packet to replay`,
    };
  }

  ctx.progress(`replaying ${frames.length} packet(s) through bpftool prog run id ${c.progId}`);
  const verdicts: Verdict[] = [];
  const entries: WritePacket[] = [];
  const exits: WritePacket[] = [];
  const lines: string[] = [];
  const failures: string[] = [];
  for (const [i, f] of frames.entries()) {
    if (ctx.signal.aborted) break;
    try {
      // repeat 1: the kernel does not reset a modified packet between repeats.
      const r = await progRun(ctx.tools.exec, { id: c.progId }, f.data, { signal: ctx.signal, timeoutMs: 10_000 });
      const index = verdicts.length + 1;
      const action = actionName(r.retval);
      verdicts.push({ index, inLen: f.data.length, outLen: r.output.length, action });
      entries.push({ data: f.data, origLen: f.origLen, sec: f.sec, nsec: f.nsec });
      exits.push({ data: r.output, sec: f.sec, nsec: f.nsec });
      lines.push(`#${index} ${f.data.length} → ${r.output.length} bytes ${action}  ${summarizeFrame(f.data)}` +
        (r.output.equals(f.data) ? '' : `  ⇒  ${summarizeFrame(r.output)}`));
      ctx.live(lines.at(-1)!);
    } catch (e) {
      // EINVAL for frames the kernel will not test-run (shorter than ETH_HLEN, larger than a page without frags).
      failures.push(`frame ${i + 1} (${f.data.length} bytes, ${summarizeFrame(f.data)}): ${(e as Error).message}`);
    }
  }
  if (failures.length) evidence.push({ label: 'replay failures', data: failures.slice(0, 10).join('\n') });
  if (!verdicts.length) {
    return { status: 'error', summary: `none of the ${frames.length} captured packet(s) could be replayed: ${failures[0] ?? 'unknown error'}`, evidence, findings: [], degraded };
  }

  const files = await writeArtifacts(ctx, c.dir, entries, exits);
  ctx.facts.set(XDPDUMP, { ...files, verdicts, mode: 'replay' } satisfies XdpdumpFacts);
  evidence.push(
    { label: 'verdicts (replayed)', data: lines.slice(0, 20).join('\n') + (lines.length > 20 ? `\n... ${lines.length - 20} more` : '') },
    { label: 'verdict counts', data: verdictCounts(verdicts) },
    { label: 'pcaps', data: `entry ${files.entryPcap}, exit ${files.exitPcap} (captured frames: ${capturePath})` },
    { label: 'replay limits', data: REPLAY_LIMITS.map((l) => `- ${l}`).join('\n') },
  );
  if (capturedTotal > frames.length) evidence.push({ label: 'not replayed', data: `${capturedTotal - frames.length} more captured packet(s) beyond the first ${MAX_REPLAY}` });

  const findings = abortedFinding(verdicts, c, 'replayed through BPF_PROG_TEST_RUN');
  const summary = `${summarizeVerdicts(verdicts)} — replayed through BPF_PROG_TEST_RUN (${c.short}); ${pcapsAt(ctx, c.dir)}`;
  return { status: findings.length ? 'fail' : 'warn', summary, evidence, findings, degraded };
}
