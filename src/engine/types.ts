// The public shapes of a run. Checks (built-in and plugins) are written against these; the engine,
// the renderers and the plugin API all share them. Nothing here imports Ink or execa.
import type { Tools } from '../tools/index.js';
import type { ChecksumTrip, FrameSummary, PacketChange } from '../tools/frame-diff.js';
import type { Sighting } from './story.js';
import type { NetnsRef } from '../tools/netns.js';
import type { ToolName } from '../tools/versions.js';

// Defined with the tools that use them (the tools layer imports nothing above it); part of the run's shapes too.
export type { NetnsRef } from '../tools/netns.js';
export type { ToolName } from '../tools/versions.js';

export type { Sighting } from './story.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

/** One interface on the route a packet takes. */
export interface Hop {
  /** Where on the route this hop sits, in words: "client c0", "gateway g1 (towards lb)". */
  label: string;
  iface: string;
  netns?: NetnsRef;
  /** Namespace label for humans ("client", "gw"); also the nstat grouping key. */
  node?: string;
  /** Interface carries the target's native XDP program: tcpdump will not see what XDP consumed. */
  xdp?: boolean;
}

export interface ProbeSpec {
  argv: string[];
  netns?: NetnsRef;
  /** Bytes sent to the probe's stdin. */
  input?: string;
  /** The probe passed when it exited 0 and, if set, its stdout contained this. */
  expectStdout?: string;
  timeoutMs?: number;
  /** Where the probe's packets go: lets the routing rung follow that flow through the captures. */
  destination?: { ip: string; port?: number; proto?: 'icmp' | 'tcp' | 'udp' };
}

export interface Target {
  kind: 'lab' | 'iface';
  iface: string;
  netns?: NetnsRef;
  /** Explicit program id; otherwise inventory finds the program attached to iface. */
  progId?: number;
  labName?: string;
  hops: Hop[];
  probe?: ProbeSpec;
  /** Passive window length when there is no probe. */
  windowMs: number;
  /** Operator's intent for map fields: `MAP.FIELD=VALUE`. */
  expect: Expectation[];
  /** Namespaces whose nstat counters are evidence (lab: every node). */
  nstatNodes?: { node: string; netns?: NetnsRef }[];
  /** The traffic this run follows (the probe's, from its command or --flow): captures, verdicts and drops filter on it. */
  flow?: { ip: string; port?: number; proto?: 'icmp' | 'tcp' | 'udp' };
  /** tcpdump filter (argv words) for the hops; the lab narrows it to the probe's flow. */
  captureFilter?: string[];
  /** Directory for pcaps and other artefacts of this run. */
  artifactDir?: string;
  /** False when artifactDir is removed at the end of the run (no --artifacts or --report). */
  keepArtifacts?: boolean;
}

export interface Expectation { map: string; field: string; value: string }

export interface Fix {
  title: string;
  commands: string[][];
  undo?: string[][];
  verify?: 'probe';
  /** Network namespace the commands run in (they are plain argv; the runner wraps them with nsenter). */
  netns?: NetnsRef;
}

export interface Finding {
  cause: string;
  /**
   * Needed only for a cause the knowledge base does not know (a plugin's own). A cause the kb knows has one
   * severity, the kb's, whichever rung raised it; the runner records that one.
   */
  severity?: Severity;
  message: string;
  errno?: { value: number; name: string };
  signal?: string;
  iface?: string;
  progId?: number;
  fixes: Fix[];
  /**
   * Only a risk read from configuration (the veth peer has no XDP program, a lookup table is empty): nothing this
   * run saw happen. A risk never ranks as a cause on its own; it joins a cause this run observed (the same cause,
   * or one it `explains`) and otherwise stays a note — or, with severity `info` (context such as what the program
   * logged), is left out.
   */
  risk?: boolean;
  /** Causes this finding explains when the run observed them (an empty allow-list explains XDP_DROP verdicts). */
  explains?: string[];
}

export interface Evidence {
  label: string;
  /** Short text or structured data; renderers show text and JSON-stringify the rest. */
  data: unknown;
  /** The argv that produced it, for `d` details and `--dry-run`. */
  command?: string[];
  /** Raw detail (per-hop captures, full dumps): shown with -v and in details views, not in the summary. */
  detail?: boolean;
}

export interface CheckResult {
  status: CheckStatus;
  summary: string;
  evidence: Evidence[];
  findings: Finding[];
  /** What this rung could not do and why (a degraded rung). */
  degraded?: string;
  /**
   * The route the probe's packets took, hop by hop, as this rung observed it (the routing rung publishes it;
   * a plugin that captures along a route may too). The engine's conclude step puts it in the report.
   */
  route?: RouteObservation;
  /** What the program did to the packets it handled, entry against exit (the xdpdump rung publishes it). */
  packets?: PacketsObservation;
}

/** The packets the program handled, grouped by verdict and by what it changed: the report's before and after. */
export interface PacketsObservation {
  /** xdpdump's own entry/exit capture, or the BPF_PROG_TEST_RUN replay of captured frames. */
  source: 'xdpdump' | 'replay';
  groups: PacketGroup[];
}

export interface PacketGroup {
  action: string;
  /** Packet numbers (as in the verdict list and the pcaps) in this group. */
  packets: number[];
  /** The first packet of the group, before and after the program. */
  before: FrameSummary;
  after: FrameSummary;
  /** What the program changed, field by field; empty when it left the frame as it came. */
  changes: PacketChange[];
  checksum?: ChecksumTrip;
}

/** What a hop saw: requests seen, the XDP program's hop silent to tcpdump but fed by the hop before it,
 * the first hop after the last sighting when the probe failed, not reached, or not captured. */
export type HopState = 'seen' | 'xdp' | 'lost' | 'unseen' | 'unknown';

export interface RouteHop {
  label: string;
  iface: string;
  netns?: NetnsRef;
  /** Namespace label for humans ("client", "gw"), when the target names one. */
  node?: string;
  xdp: boolean;
  /** Packets of the probe's flow towards its destination; 0 when not captured. */
  requests: number;
  replies: number;
  /** Requests seen inside an outer IP header (IPIP, IPv6-in-IPv6, either family in the other). */
  encapsulated: number;
  /** Why this hop was not captured. */
  error?: string;
  state: HopState;
}

export interface RouteObservation {
  hops: RouteHop[];
  /** In words: where the packets went and where they were lost. */
  verdict: string;
  /** Label of the last hop where requests were seen. */
  lastSeen?: string;
  /** Label of the hop where the packets were lost (the first one after the last sighting, the probe having failed). */
  lostAt?: string;
  synRetransmissions: number;
}

/** The route in the report: what a rung observed, or the target's hops with why nothing was observed. */
export interface RouteReport extends RouteObservation {
  /** The check id whose result carried the route. */
  check?: string;
  /** Why there is no per-hop data (no rung recorded the route): every hop is then 'unknown'. */
  missing?: string;
}

/** An errno this run saw (or, observed false, the one the kb knows the top cause by), explained from the kb. */
export interface ErrnoExplanation {
  value: number;
  name: string;
  /** The libc meaning (absent when the kb does not know this errno). */
  message?: string;
  /** True when a finding of this run carried it; false when it is only known for the top cause. */
  observed: boolean;
  /** The XDP context it was seen in or is known for: the tracepoint (without "xdp:"), driver and interface. */
  tracepoint?: string;
  driver?: string;
  iface?: string;
  /** From the kb row for this errno in that context: what it means there, the kernel source, the fix. */
  meaning?: string;
  source?: string;
  fix?: string;
  /** Diagnosis causes that carry this errno. */
  causes: string[];
}

export interface ProbeOutcome {
  ran: boolean;
  ok: boolean;
  startedAt: number;
  endedAt: number;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** Why the probe did not run or failed, in words. */
  note?: string;
  /**
   * The window stopped the probe once every packet it had sent was accounted for (engine/story.ts): after afterMs,
   * for the reason given. Absent when the probe ran its course (--full-window, or the story never completed).
   */
  early?: { afterMs: number; why: string };
}

/** The shared traffic window. Collectors attach, call ready(), and get the probe outcome once traffic drained. */
export interface ProbeWindow {
  ready(): Promise<ProbeOutcome>;
  /**
   * A collector reports what it sees while the probe runs (a packet sent, a verdict, a loss signal), so the window
   * can end as soon as the story is complete. Optional: a collector that reports nothing only means the window
   * cannot end early on its account.
   */
  saw?(s: Sighting): void;
  /**
   * Resolves once the run's first probe window has fired (every collector attached, or the attach timeout passed),
   * at once when the run has no window. For work a rung can start early but that would slow the collectors' attach
   * by competing for the CPU (tshark's start-up): it starts then, during the window. Any rung may wait for it; the
   * wait is not the rung's own time. Absent outside a run (test harnesses).
   */
  opened?(): Promise<void>;
}

/** Facts one check publishes for later ones (inventory → program id, maps, peer). */
export interface Facts {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
}

export interface CheckContext {
  target: Target;
  tools: Tools;
  window: ProbeWindow;
  facts: Facts;
  signal: AbortSignal;
  progress(message: string): void;
  /** Live evidence lines (tcpdump lines, counters) for the interactive UI. */
  live(line: string): void;
  options: Record<string, unknown>;
  /** Resolves once that check of the plan has ended (at once when it is not in the plan): see Check.readsLater. */
  finished(checkId: string): Promise<void>;
}

/** Everything a check waits for, before it starts (after) or while it runs (readsLater). */
export const dependsOn = (c: Pick<Check, 'after' | 'readsLater'>): string[] => [...(c.after ?? []), ...(c.readsLater ?? [])];

export interface Check {
  id: string;
  title: string;
  /** The question this rung answers, in one line. */
  question?: string;
  /** Position on the ladder; lower runs first in the wizard and reports. */
  rung: number;
  needs?: ToolName[];
  /** Checks whose facts this one reads: it waits for them. */
  after?: string[];
  /**
   * Checks whose facts this one reads only once its collectors are attached: it starts without waiting for them
   * (its slow attach overlaps theirs) and calls `ctx.finished(id)` before it reads. Planned after them, like `after`.
   */
  readsLater?: string[];
  /** Observes traffic: joins the probe window. */
  observes?: boolean;
  timeoutMs?: number;
  run(ctx: CheckContext): Promise<CheckResult>;
}

/** A finding as recorded: its severity settled (the kb's for a cause it knows). */
export type RecordedFinding = Finding & { severity: Severity };

export interface CheckRecord extends Omit<CheckResult, 'findings'> {
  findings: RecordedFinding[];
  id: string;
  title: string;
  rung: number;
  durationMs: number;
  source: string;
  commands: string[][];
}

export interface DiagnosisEntry {
  cause: string;
  title: string;
  confidence: number;
  explanation?: string;
  /** What this run saw, and (joined: true) the configuration that explains it. */
  evidence: { check: string; message: string; joined?: boolean }[];
  errno?: { value: number; name: string };
  fixes: Fix[];
}

export type RunEvent =
  | { type: 'run-start'; target: Target; checks: { id: string; title: string; rung: number; question?: string }[] }
  | { type: 'check-start'; id: string }
  | { type: 'check-progress'; id: string; message: string }
  | { type: 'check-live'; id: string; line: string }
  | { type: 'check-end'; record: CheckRecord }
  | { type: 'probe-start' }
  | { type: 'probe-end'; outcome: ProbeOutcome }
  | { type: 'run-end'; report: RunReport };

export interface RunReport {
  schemaVersion: 2;
  tool: { name: string; version: string };
  target: Target;
  environment: { kernel: string; tools: Record<string, string | null> };
  /**
   * Which host, NIC and program this report is about, for grouping reports from a fleet (xdp-doctor merge).
   * Added within schema 2: reports written before it lack it, and readers must cope.
   */
  host?: HostIdentity;
  startedAt: string;
  durationMs: number;
  probe?: ProbeOutcome;
  checks: CheckRecord[];
  diagnosis: DiagnosisEntry[];
  /** Risks the rungs read from configuration that this run did not see happen: notes, not causes. */
  notes?: { check: string; cause: string; message: string }[];
  /** The route with per-hop sightings (engine/route.ts); absent when the target has no route and no rung recorded one. */
  route?: RouteReport;
  /** What the program did to the packets (the check that observed it, and its groups). */
  packets?: PacketsObservation & { check: string };
  /** Errnos this run observed, explained from the kb (engine/errnos.ts); the top cause's known errno when none was. */
  errnos: ErrnoExplanation[];
  /** Present when --fix (or the wizard's `f`) applied a fix and re-ran the failed rungs. */
  fix?: FixOutcome;
  exitCode: number;
}

/** The host a report comes from (engine/host-identity.ts). Parts that could not be read are absent. */
export interface HostIdentity {
  /** The UTS hostname the doctor ran under. */
  hostname: string;
  /** /etc/machine-id: one per installed system. */
  machineId?: string;
  /** /proc/sys/kernel/random/boot_id: changes at every boot. */
  bootId?: string;
  /** The kernel release (uname -r). */
  kernel: string;
  /** The target interface's driver and firmware (ethtool -i, in the target's namespace); `error` when unreadable. */
  nic?: { iface: string; driver?: string; driverVersion?: string; firmware?: string; busInfo?: string; error?: string };
  /** The XDP program the inventory rung found on the target (absent when there is none). */
  program?: { id: number; name?: string; tag?: string };
  /** xdp-doctor's version. */
  xdpDoctor: string;
}

export interface FixOutcome {
  cause: string;
  title: string;
  /** Full argv lists that ran (namespace entered with nsenter) and the ones that revert them. */
  commands: string[][];
  undo: string[][];
  applied: boolean;
  output: string[];
  /** The re-run after the fix: probe and the rungs that had failed (with their prerequisites). */
  rerun?: { probe?: ProbeOutcome; checks: CheckRecord[]; diagnosis: DiagnosisEntry[] };
  worked: boolean;
  note?: string;
}
