// Rung 5: what does the program return for each packet, and what packet comes out? The blog's xdpdump step
// (`xdpdump --rx-capture entry,exit`: 74 bytes in, 94 bytes out, XDP_TX). xdpdump attaches fentry/fexit
// programs to the loaded XDP program; where those cannot load (EPERM on these machines, no BTF, old kernels)
// it exits before "listening on", and this rung says so in xdpdump's own words, then falls back: tcpdump
// captures what the veth peer sends to the interface during the shared window, and every captured frame is
// replayed through BPF_PROG_TEST_RUN on the LOADED program (`bpftool prog run id N`, live maps). Either way it
// writes entry.pcap and exit.pcap for packet-sanity and publishes the verdicts.
import {
  PROBE_OUTCOME, attachTimeoutMs, defineCheck, kb, flowTrouble, followedFlow, INVENTORY, isPermissionFailure, pairXdpdumpEvents, parseXdpdumpOutput,
  PREFLIGHT, summarizeFrame, XDPDUMP, xdpdumpFailure, type CheckContext, type CheckResult, type Collector,
  type Evidence, type InventoryFacts, type PreflightFacts, type WritePacket, type XdpdumpFacts,
} from '../src/plugins/api.js';
import { MAX_REPLAY, REPLAY_LIMITS, withReplay } from './xdpdump-replay.js';
import {
  artifactDirOf, describeGroups, packetsObservation, verdictFindings, verdictOf, attach, pcapsAt, probeEvidence, summarizeVerdicts, verdictCounts, writeArtifacts, type Common, type Verdict,
} from './xdpdump-verdicts.js';

export { MAX_REPLAY, REPLAY_LIMITS };
export { sizeChanges, summarizeVerdicts, verdictCounts, type Verdict } from './xdpdump-verdicts.js';


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
    if (!ctx.tools.dryRun) await ctx.tools.files.mkdir(dir);
    const evidence: Evidence[] = [];

    // 1. xdpdump itself, whenever it is installed: its own error is the honest answer to "can it attach?".
    let whyNot: string;
    let short: string;
    const xdpdumpInstalled = pre?.tools?.xdpdump !== null;
    if (xdpdumpInstalled) {
      ctx.progress(`attaching xdpdump to ${prog} on ${iface}`);
      const collector = ctx.tools.xdpdump.capture({
        iface, netns, rxCapture: ['entry', 'exit'], hex: true,
        onEvent: (e) => {
          ctx.live(`${e.func}()@${e.point}${e.action ? `[${e.action}]` : ''}: ${e.pktLen} bytes, id ${e.id}`);
          // Each verdict as it happens, for the window's story. Every packet of the interface counts (the header
          // line carries no bytes to filter on); the settle time covers a verdict counted for another packet.
          if (e.point === 'exit' && e.action) ctx.window.saw?.({ kind: 'verdict', action: e.action === '*unknown*' ? 'XDP_UNKNOWN' : `XDP_${e.action}` });
        },
      });
      // xdpdump normally attaches in well under a second; past the one attach timeout, fall back.
      const attachMs = attachTimeoutMs();
      const attached = await attach(collector, attachMs);
      // --dry-run: xdpdump "attaches" instantly with no output; list the fallback's commands too.
      if (attached === true && !ctx.tools.dryRun) return withXdpdump(ctx, collector, { progId, prog, iface, dir, evidence });
      const result = await collector.stop();
      const said = attached === true ? 'dry run' : attached === 'timeout' ? undefined : xdpdumpFailure(result.stderrLines) ?? attached;
      if (said === undefined) {
        whyNot = `xdpdump did not attach to ${prog} within ${attachMs / 1000} s`;
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
async function withXdpdump(ctx: CheckContext, collector: Collector, c: Common): Promise<CheckResult> {
  ctx.window.saw?.({ kind: 'listening', what: 'verdicts' });
  const outcome = await ctx.window.ready();
  ctx.facts.set(PROBE_OUTCOME, { ran: outcome.ran, ok: outcome.ok });
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
    verdicts.push(p.entry?.data && p.exit.data ? verdictOf(index, p.entry.data, p.exit.data, action) : { index, inLen, outLen: p.exit.pktLen, action });
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
  const findings = verdictFindings(verdicts, c, 'xdpdump fexit', { outcome, destination: followedFlow(ctx.target)?.ip, trouble: flowTrouble(outcome, ctx.target) });
  const observed = packetsObservation(verdicts, 'xdpdump');
  if (observed) evidence.push({ label: 'what the program did', data: describeGroups(observed).join('\n') });
  return {
    status: findings.some((f) => kb.severityOf(f) !== 'low') ? 'fail' : 'pass',
    summary: `${summarizeVerdicts(verdicts)} (xdpdump entry/exit); ${pcapsAt(ctx, c.dir)}`,
    evidence, findings, ...(observed ? { packets: observed } : {}),
  };
}

