// The xdpdump rung's fallback where xdpdump cannot attach: tcpdump captures what the veth peer sends to the
// interface during the shared window, and each frame is replayed through BPF_PROG_TEST_RUN on the LOADED
// program (`bpftool prog run id N`, which shares its live maps). REPLAY_LIMITS says what that cannot show.
import { join } from 'node:path';
import {
  actionName, flowTrouble, followedFlow, INVENTORY, LINKTYPE_ETHERNET, PROBE_OUTCOME, peerWhere, kb, readPcap, summarizeFrame, XDPDUMP, type CheckContext,
  type CheckResult, type CollectorResult, type InventoryFacts, type PcapPacket, type WritePacket, type XdpdumpFacts,
} from '../src/plugins/api.js';
import {
  describeGroups, packetsObservation, verdictFindings, verdictOf, attach, pcapsAt, probeEvidence, summarizeVerdicts, verdictCounts, writeArtifacts, type Common, type Verdict,
} from './xdpdump-verdicts.js';
import { stripOuterTag, tagBesideFrame } from './vlan-beside.js';

/** Frames replayed at most: each is one bpftool run (~10 ms). */
export const MAX_REPLAY = 64;
/** tcpdump stops on its own after this many (-c): bounded disk use. */
const MAX_CAPTURE = 256;

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

/** REPLAY_LIMITS in one line. */
export const REPLAY_SUMMARY = 'Replayed verdicts, not observed: no transmit or redirect errors, no real ingress interface.';

export async function withReplay(
  ctx: CheckContext,
  c: Common & { whyNot: string; short: string; peer: NonNullable<InventoryFacts['peer']> },
): Promise<CheckResult> {
  const { peer, evidence } = c;
  const where = `${peer.ifname}${peerWhere(peer)}`;
  const capturePath = join(c.dir, 'ingress-capture.pcap');
  const degradedHead = `${c.whyNot}. Verdicts come from replaying the packets ${where} sent to ${c.iface} through ` +
    `BPF_PROG_TEST_RUN on the loaded ${c.prog} instead.`;
  // One limitation: its line is what renderers show; the indented detail is behind -v and the wizard's `d`.
  const degraded = `${REPLAY_SUMMARY}\n  ${degradedHead} What the replay cannot show: ${REPLAY_LIMITS.join('; ')}.`;

  if (!ctx.target.captureFilter?.length) {
    // Never an unfiltered capture on someone's interface.
    return {
      status: 'skip', evidence, findings: [], degraded: degradedHead,
      summary: `${c.short}; the replay needs the probe's flow to capture on ${where} (give --flow PROTO:ADDR[:PORT]): nothing replayed`,
    };
  }
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
  ctx.facts.set(PROBE_OUTCOME, { ran: outcome.ran, ok: outcome.ok });
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
    const bytes = await ctx.tools.files.readBytes(capturePath);
    if (!bytes) throw new Error('tcpdump wrote no file');
    const pcap = readPcap(bytes, { maxPackets: MAX_REPLAY });
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

  // A tag that rode beside the frame was never in front of the program: replay what it saw, and remember the tag.
  const beside = tagBesideFrame(ctx.facts.get<InventoryFacts>(INVENTORY));
  const seen = frames.map((f) => {
    const stripped = beside ? stripOuterTag(f.data) : undefined;
    return stripped ? { ...f, data: Buffer.from(stripped.frame), origLen: f.origLen - 4, tagBeside: stripped.vid } : { ...f, tagBeside: undefined };
  });
  const untagged = seen.filter((f) => f.tagBeside !== undefined);
  if (beside && untagged.length) {
    evidence.push({ label: 'VLAN tag beside the frame', data: `${untagged.length} captured frame(s) carry VLAN ${untagged[0]!.tagBeside} that ${beside.why} keeps out of the frame the program sees: replayed without it` });
  }
  ctx.progress(`replaying ${frames.length} packet(s) through bpftool prog run id ${c.progId}`);
  const verdicts: Verdict[] = [];
  const entries: WritePacket[] = [];
  const exits: WritePacket[] = [];
  const lines: string[] = [];
  const failures: string[] = [];
  for (const [i, f] of seen.entries()) {
    if (ctx.signal.aborted) break;
    try {
      // repeat 1: the kernel does not reset a modified packet between repeats.
      const r = await ctx.tools.progRun({ id: c.progId }, f.data, { signal: ctx.signal, timeoutMs: 10_000 });
      const index = verdicts.length + 1;
      const action = actionName(r.retval);
      verdicts.push({ ...verdictOf(index, f.data, r.output, action), ...(f.tagBeside !== undefined ? { tagBeside: f.tagBeside } : {}) });
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

  const findings = verdictFindings(verdicts, c, 'replayed through BPF_PROG_TEST_RUN', { outcome, destination: followedFlow(ctx.target)?.ip, trouble: flowTrouble(outcome, ctx.target) });
  const packets = packetsObservation(verdicts, 'replay');
  if (packets) evidence.push({ label: 'what the program did', data: describeGroups(packets).join('\n') });
  const summary = `${summarizeVerdicts(verdicts)} — replayed through BPF_PROG_TEST_RUN (${c.short}); ${pcapsAt(ctx, c.dir)}`;
  return { status: findings.some((f) => kb.severityOf(f) !== 'low') ? 'fail' : 'warn', summary, evidence, findings, degraded, ...(packets ? { packets } : {}) };
}
