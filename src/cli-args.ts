// Command-line flags for the ladder. Every value from the user is validated here, before it can reach a
// command: interface names, namespace names and paths, ids, --expect and --probe.
import { canonicalIp, isIpv6Literal, type ProbeFlow } from './probe-flow.js';
import { parseArgs } from 'node:util';
import type { Expectation } from './engine/types.js';
import { validIfname } from './tools/names.js';

export { validIfname };

export class UsageError extends Error {}

const LADDER_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  lab: { type: 'boolean' },
  'lab-name': { type: 'string' },
  iface: { type: 'string', short: 'i' },
  netns: { type: 'string' },
  container: { type: 'string' },
  prog: { type: 'string' },
  probe: { type: 'string' },
  'probe-netns': { type: 'string' },
  flow: { type: 'string' },
  window: { type: 'string' },
  'full-window': { type: 'boolean' },
  expect: { type: 'string', multiple: true },
  'non-interactive': { type: 'boolean' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  artifacts: { type: 'string' },
  'dry-run': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  fix: { type: 'boolean' },
  'no-trace-pipe': { type: 'boolean' },
  checks: { type: 'string' },
  skip: { type: 'string' },
  config: { type: 'string' },
  plugin: { type: 'string', multiple: true },
} as const;

export interface LadderArgs {
  help: boolean; version: boolean;
  lab: boolean; labName: string;
  iface?: string; netns?: string; container?: string; progId?: number;
  probe?: string[]; probeNetns?: string; windowMs: number;
  /** --full-window, or an explicit --window: the probe runs its course; no early end once the evidence is in. */
  fullWindow: boolean;
  /** --flow PROTO:ADDRESS[:PORT]: the traffic to follow when the probe's cannot be read from its command (or there is no probe). */
  flow?: ProbeFlow;
  expect: Expectation[];
  nonInteractive: boolean; json: boolean; report?: string; artifacts?: string; dryRun: boolean; verbose: boolean;
  fix: boolean; noTracePipe: boolean; checks?: string[]; skip?: string[]; config?: string; plugins: string[];
}

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const LAB_NAME = /^[a-z0-9-]{1,10}$/;
const CONTAINER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const CHECK_ID = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9-]+)?$/;

export function parseLadderArgs(argv: string[]): LadderArgs {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: LADDER_FLAGS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(oneLine((e as Error).message));
  }
  const v = values as Record<string, string | boolean | string[] | undefined>;
  const str = (k: string) => v[k] as string | undefined;

  const iface = str('iface');
  if (iface !== undefined && !validIfname(iface)) {
    throw new UsageError(`--iface ${JSON.stringify(iface)} is not a valid interface name (1-15 characters, no '/', whitespace or shell characters)`);
  }
  const netns = str('netns');
  if (netns !== undefined && !validNetns(netns)) throw new UsageError(`--netns ${JSON.stringify(netns)}: give a name from \`ip netns list\` or an absolute path under /run/netns or /proc/PID/ns/net`);
  const probeNetns = str('probe-netns');
  if (probeNetns !== undefined && !validNetns(probeNetns)) throw new UsageError(`--probe-netns ${JSON.stringify(probeNetns)} is not a valid namespace name or path`);
  const container = str('container');
  if (container !== undefined && !CONTAINER.test(container)) throw new UsageError(`--container ${JSON.stringify(container)} is not a valid container name`);
  const labName = str('lab-name') ?? 'xdpd';
  if (!LAB_NAME.test(labName)) throw new UsageError(`--lab-name ${JSON.stringify(labName)}: use 1-10 characters from a-z, 0-9 and -`);
  const prog = str('prog');
  if (prog !== undefined && !/^[1-9]\d{0,9}$/.test(prog)) throw new UsageError(`--prog ${JSON.stringify(prog)} is not a program id (see bpftool prog list)`);
  const windowText = str('window') ?? '3000';
  if (!/^\d{2,6}$/.test(windowText) || Number(windowText) < 100 || Number(windowText) > 600_000) {
    throw new UsageError(`--window ${JSON.stringify(windowText)}: give milliseconds between 100 and 600000`);
  }
  const list = (k: string) => {
    const s = str(k);
    if (s === undefined) return undefined;
    const ids = s.split(',').map((x) => x.trim()).filter(Boolean);
    const bad = ids.find((id) => !CHECK_ID.test(id));
    if (bad) throw new UsageError(`--${k}: ${JSON.stringify(bad)} is not a check id (see xdp-doctor checks)`);
    return ids;
  };
  if (v.lab && (iface || netns || container)) throw new UsageError('--lab targets the built-in lab; do not combine it with --iface/--netns/--container');
  if (netns && container) throw new UsageError('give --netns or --container, not both');

  return {
    help: Boolean(v.help), version: Boolean(v.version),
    lab: Boolean(v.lab), labName,
    iface, netns, container, progId: prog ? Number(prog) : undefined,
    probe: str('probe') !== undefined ? parseProbe(str('probe')!) : undefined, probeNetns,
    ...(str('flow') !== undefined ? { flow: parseFlow(str('flow')!) } : {}),
    windowMs: Number(windowText),
    fullWindow: Boolean(v['full-window']) || str('window') !== undefined,
    expect: ((v.expect as string[] | undefined) ?? []).map(parseExpectation),
    nonInteractive: Boolean(v['non-interactive']), json: Boolean(v.json), report: validReportPath(str('report')), artifacts: validArtifactsDir(str('artifacts')),
    dryRun: Boolean(v['dry-run']), verbose: Boolean(v.verbose), fix: Boolean(v.fix), noTracePipe: Boolean(v['no-trace-pipe']),
    checks: list('checks'), skip: list('skip'), config: str('config'), plugins: (v.plugin as string[] | undefined) ?? [],
  };
}

export function validNetns(s: string): boolean {
  if (s.startsWith('/')) return /^\/(run\/netns\/[A-Za-z0-9_.-]+|proc\/\d+\/ns\/net|var\/run\/netns\/[A-Za-z0-9_.-]+)$/.test(s);
  return NETNS_NAME.test(s) && s !== '.' && s !== '..';
}

/** --flow tcp:10.0.0.1:80 | udp:10.0.0.5:53 | icmp:10.0.0.1 | tcp:[fd00::1]:80 | icmp:fd00::1 */
function parseFlow(text: string): ProbeFlow {
  const t = text.trim().toLowerCase();
  const v4 = /^(tcp|udp|icmp):((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?::(\d{1,5}))?$/.exec(t);
  // IPv6: bracketed when a port follows (tcp:[fd00::1]:80), bare without one (icmp:fd00::1).
  const v6 = /^(tcp|udp|icmp):(?:\[([0-9a-f:.]+)\](?::(\d{1,5}))?|([0-9a-f:.]+))$/.exec(t);
  const m = v4 ? { proto: v4[1]!, ip: v4[2]!, port: v4[3] } : v6 && isIpv6Literal(v6[2] ?? v6[4]!) ? { proto: v6[1]!, ip: canonicalIp(v6[2] ?? v6[4]!), port: v6[3] } : undefined;
  const port = m?.port !== undefined ? Number(m.port) : undefined;
  if (!m || (port !== undefined && (port < 1 || port > 65535)) || (m.proto === 'icmp' && port !== undefined)) {
    throw new UsageError(`--flow ${JSON.stringify(text)}: write PROTO:ADDRESS[:PORT] with PROTO tcp, udp or icmp, e.g. tcp:10.0.0.1:80, icmp:10.0.0.1, tcp:[fd00::1]:80 or icmp:fd00::1`);
  }
  return { proto: m.proto as ProbeFlow['proto'], ip: m.ip, ...(port !== undefined ? { port } : {}) };
}

/** MAP.FIELD=VALUE, e.g. xdp_params_array.vip=192.168.10.1 */
export function parseExpectation(text: string): Expectation {
  const m = /^([A-Za-z_][\w.]*?)\.([A-Za-z_][\w.]*)=([\w.:\-]+)$/.exec(text);
  if (!m) throw new UsageError(`--expect ${JSON.stringify(text)}: write MAP.FIELD=VALUE, e.g. xdp_params_array.vip=192.168.10.1`);
  return { map: m[1]!, field: m[2]!, value: m[3]! };
}

/**
 * Splits a probe command into argv the way a user expects from a shell's quoting, but nothing else:
 * no expansion, no redirection, no pipes. Shell metacharacters are plain bytes in an argument.
 */
export function parseProbe(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { quote = c; any = true; }
    else if (c === '\\' && i + 1 < text.length) { cur += text[++i]; any = true; }
    else if (/\s/.test(c)) { if (cur || any) out.push(cur); cur = ''; any = false; }
    else { cur += c; any = true; }
  }
  if (quote) throw new UsageError(`--probe: unterminated ${quote} quote`);
  if (cur || any) out.push(cur);
  if (!out.length) throw new UsageError('--probe: empty command');
  if (/^(sh|bash|dash|zsh|ksh)$/.test(out[0]!.split('/').pop()!)) {
    throw new UsageError('--probe runs a program directly, never through a shell: give the command itself (e.g. --probe "nc -z 10.0.0.1 80")');
  }
  return out;
}

function validReportPath(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (!/\.(md|json)$/i.test(p)) throw new UsageError(`--report ${JSON.stringify(p)}: the file name must end in .md or .json`);
  return p;
}

function validArtifactsDir(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (!p || p.includes('\0') || p.startsWith('-')) throw new UsageError(`--artifacts ${JSON.stringify(p)}: give a directory for the captures`);
  return p;
}

const oneLine = (s: string) => s.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
