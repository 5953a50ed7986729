// "Is the system still as this fix left it?" — decided here, purely, from facts read when the fix was applied and
// facts read now (fix-state-readers.ts reads them). An undo is a blind replay of argv: run against a namespace that
// was torn down and made again under the same name, or an interface someone re-attached since, it breaks a healthy
// setup. So undo runs only while the namespace is the same one (by inode: a name comes back, an inode does not),
// each interface the fix touched carries the XDP program it left, and each sysctl and ethtool feature it set still
// has its value.
import type { NetnsRef } from './types.js';

/** Something a fix's commands change that can be read back. */
export type Watch =
  | { kind: 'xdp'; iface: string }
  | { kind: 'sysctl'; key: string }
  | { kind: 'ethtool'; iface: string; feature: string };

/** A Watch as read at one moment. `error`: it could not be read (the reason). */
export type Fact =
  | { kind: 'xdp'; iface: string; exists: boolean; progId?: number; mode?: string; error?: string }
  | { kind: 'sysctl'; key: string; value?: string; error?: string }
  | { kind: 'ethtool'; iface: string; feature: string; value?: string; error?: string };

const XDP_WORDS = new Set(['xdp', 'xdpdrv', 'xdpgeneric', 'xdpoffload']);

/** ethtool -K's short feature names as `ethtool -k` prints them (net/ethtool/common.c netdev_features_strings). */
const FEATURE_NAMES: Record<string, string> = {
  rx: 'rx-checksumming', tx: 'tx-checksumming', sg: 'scatter-gather', tso: 'tcp-segmentation-offload',
  gso: 'generic-segmentation-offload', gro: 'generic-receive-offload', lro: 'large-receive-offload',
  rxvlan: 'rx-vlan-offload', txvlan: 'tx-vlan-offload', ntuple: 'ntuple-filters', rxhash: 'receive-hashing',
};

/** What the fix's argv lists change, in a form that can be read back: XDP attachments, sysctls, ethtool features. */
export function watchesOf(commands: string[][]): Watch[] {
  const out: Watch[] = [];
  const add = (w: Watch) => { if (!out.some((o) => JSON.stringify(o) === JSON.stringify(w))) out.push(w); };
  for (const argv of commands) {
    const [cmd, ...rest] = argv;
    if (cmd === 'ip' && rest[0] === 'link' && rest[1] === 'set' && rest.some((a) => XDP_WORDS.has(a))) {
      const iface = rest[2] === 'dev' ? rest[3] : rest[2];
      if (iface) add({ kind: 'xdp', iface });
    } else if (cmd === 'bpftool' && rest[0] === 'net' && (rest[1] === 'attach' || rest[1] === 'detach')) {
      const i = rest.indexOf('dev');
      if (i > 0 && rest[i + 1]) add({ kind: 'xdp', iface: rest[i + 1]! });
    } else if (cmd === 'sysctl') {
      for (const a of rest) if (!a.startsWith('-') && a.includes('=')) add({ kind: 'sysctl', key: a.slice(0, a.indexOf('=')) });
    } else if (cmd === 'ethtool' && (rest[0] === '-K' || rest[0] === '--features' || rest[0] === '--offload') && rest[1]) {
      for (let i = 2; i + 1 < rest.length; i += 2) add({ kind: 'ethtool', iface: rest[1], feature: FEATURE_NAMES[rest[i]!] ?? rest[i]! });
    }
  }
  return out;
}

const sameWatch = (a: Fact, b: Fact) =>
  a.kind === b.kind && (a.kind === 'xdp' ? a.iface === (b as typeof a).iface
    : a.kind === 'sysctl' ? a.key === (b as typeof a).key
      : a.iface === (b as typeof a).iface && a.feature === (b as typeof a).feature);

function label(f: Fact): string {
  return f.kind === 'xdp' ? `${f.iface} XDP` : f.kind === 'sysctl' ? f.key : `${f.iface} ${f.feature}`;
}

function show(f: Fact): string {
  if (f.kind === 'xdp') return f.progId !== undefined ? `program ${f.progId}${f.mode ? ` (${f.mode})` : ''}` : 'no program';
  return f.value ?? '(unset)';
}

/** One line per difference between what the fix left and what is there now; empty when nothing changed. */
export function compareFacts(left: Fact[], now: Fact[]): string[] {
  const changes: string[] = [];
  for (const was of left) {
    const is = now.find((n) => sameWatch(was, n));
    if (was.error) { changes.push(`${label(was)}: was not readable when the fix was applied (${was.error}), so it cannot be compared`); continue; }
    if (!is) { changes.push(`${label(was)}: not read now`); continue; }
    if (is.error) { changes.push(`${label(was)}: cannot be read now (${is.error})`); continue; }
    if (was.kind === 'xdp' && is.kind === 'xdp') {
      if (was.exists && !is.exists) changes.push(`${was.iface} no longer exists`);
      else if (!was.exists && is.exists) changes.push(`${was.iface} exists again (it did not when the fix was applied)`);
      else if (was.progId !== is.progId || was.mode !== is.mode) changes.push(`${was.iface}: ${show(is)} attached now; the fix left ${show(was)}`);
    } else if (show(was) !== show(is)) {
      changes.push(`${label(was)} is ${show(is)} now; the fix left ${show(was)}`);
    }
  }
  return changes;
}

export function describeNetns(ref: NetnsRef): string {
  return ref.kind === 'name' ? ref.name : ref.kind === 'path' ? ref.path : `the namespace of pid ${ref.pid}`;
}

/**
 * Which namespace, not which name: its nsfs inode number, and when it was made. The kernel hands a freed
 * namespace's inode number to the next one (proc_alloc_inum is an IDA), so a lab torn down and built again
 * can get the same numbers; `born` tells them apart: the ctime of the /run/netns bind mount (the mount pins the
 * nsfs inode, so it is stable from `ip netns add` on), or for /proc/PID/ns/net, whose nsfs inode is made afresh
 * on each use, the start time of the process (/proc/PID/stat field 22).
 */
export interface NetnsId { inode: number; born?: string }

type NetnsVerdict = { ok: true } | { ok: false; stale: boolean; why: string };

/**
 * The namespace a fix ran in, then and now. Gone, or made again under the same name (another inode, or the same
 * number born later): stale, the fix's changes went with it. Unknown then: cannot be told apart, so not ok either.
 */
export function netnsVerdict(ref: NetnsRef, then: NetnsId | undefined, now: NetnsId | undefined): NetnsVerdict {
  const name = describeNetns(ref);
  if (!now) return { ok: false, stale: true, why: `namespace ${name} is gone` };
  if (!then) return { ok: false, stale: false, why: `namespace ${name} was not identified when the fix was applied, so it cannot be told from one made since under the same name` };
  if (now.inode !== then.inode) return { ok: false, stale: true, why: `namespace ${name} was removed and made again (inode ${now.inode}; the fix ran in ${then.inode})` };
  if (then.born !== undefined && now.born !== undefined && then.born !== now.born) {
    return { ok: false, stale: true, why: `namespace ${name} was removed and made again (inode number ${now.inode} reused, made later than the one the fix ran in)` };
  }
  return { ok: true };
}

/** /proc/PID/stat: the start time (clock ticks after boot), field 22, counted after the command's closing ')'. */
export function parseProcStartTime(stat: string): string | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const v = fields[19];
  return v && /^\d+$/.test(v) ? v : undefined;
}

/** The namespace an argv list enters (`nsenter --net=PATH -- ...`), for entries logged before namespaces were recorded. */
export function netnsOfArgv(argv: string[]): NetnsRef | undefined {
  if (argv[0] !== 'nsenter') return undefined;
  const net = argv.find((a) => a.startsWith('--net='));
  return net ? { kind: 'path', path: net.slice('--net='.length) } : undefined;
}

/** `sysctl -n KEY` prints the value and a newline. */
export function parseSysctlValue(stdout: string): string | undefined {
  const v = stdout.trim();
  return v === '' ? undefined : v.replace(/\s+/g, ' ');
}

/** `ethtool -k IF`: "feature: on|off [fixed]" lines (sub-features indented); the on/off of one. */
export function parseEthtoolFeature(stdout: string, feature: string): string | undefined {
  for (const line of stdout.split('\n')) {
    const m = /^\s*([\w-]+):\s+(on|off)\b/.exec(line);
    if (m && m[1] === feature) return m[2];
  }
  return undefined;
}
