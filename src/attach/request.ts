// `xdp-doctor attach OBJECT --iface IFACE`: what the user asked for, validated, and the exact argv that does it.
// The attach is iproute2's (`ip link set dev IFACE xdpdrv|xdpgeneric|xdp obj FILE sec S|program P`): it prints the
// kernel's extack message on a refusal and libbpf's verifier log on a rejected load, both of which the report quotes.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { NetnsRef } from '../engine/types.js';
import { validIfname } from '../tools/names.js';
import { UsageError, validNetns } from '../cli-args.js';

export type AttachMode = 'native' | 'generic' | 'auto';

export interface AttachRequest {
  object: string;
  iface: string;
  netns?: NetnsRef;
  /** auto: the kernel picks native where the driver has it, generic where not (dev_xdp_mode() with no flag). */
  mode: AttachMode;
  /** Function name of the program in the object; without it, the first XDP program's section. */
  prog?: string;
}

interface AttachArgs { request?: AttachRequest; /** Resolved to a pid's netns by the command (docker, podman, crictl). */ container?: string; json: boolean; dryRun: boolean; verbose: boolean; help: boolean; report?: string }

/** iproute2's words for each mode; `xdp` leaves the choice to the kernel. */
const MODE_WORD: Record<AttachMode, string> = { native: 'xdpdrv', generic: 'xdpgeneric', auto: 'xdp' };

const PROG_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const SECTION = /^[A-Za-z0-9_./-]{1,128}$/;

export function parseAttachArgs(argv: string[]): AttachArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        iface: { type: 'string', short: 'i' }, netns: { type: 'string' }, container: { type: 'string' }, mode: { type: 'string' }, prog: { type: 'string' },
        json: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' },
        report: { type: 'string' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]!);
  }
  const v = parsed.values;
  const common = { json: Boolean(v.json), dryRun: Boolean(v['dry-run']), verbose: Boolean(v.verbose), help: Boolean(v.help), report: v.report };
  if (common.help) return common;
  const [object, ...extra] = parsed.positionals;
  if (!object) throw new UsageError('give the BPF object to attach: xdp-doctor attach OBJECT.o --iface IFACE');
  if (extra.length) throw new UsageError(`one object at a time (got ${JSON.stringify(extra[0])} too)`);
  if (object.startsWith('-') || object.includes('\0')) throw new UsageError(`${JSON.stringify(object)} is not a file name`);
  if (!v.iface) throw new UsageError('--iface IFACE is required');
  if (!validIfname(v.iface)) throw new UsageError(`--iface ${JSON.stringify(v.iface)} is not a valid interface name (1-15 characters, no '/', whitespace or shell characters)`);
  if (v.netns !== undefined && !validNetns(v.netns)) throw new UsageError(`--netns ${JSON.stringify(v.netns)}: give a name from \`ip netns list\` or an absolute path under /run/netns or /proc/PID/ns/net`);
  if (v.container !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(v.container)) throw new UsageError(`--container ${JSON.stringify(v.container)} is not a valid container name`);
  if (v.container !== undefined && v.netns !== undefined) throw new UsageError('give --netns or --container, not both');
  const mode = (v.mode ?? 'auto') as AttachMode;
  if (!(mode in MODE_WORD)) throw new UsageError(`--mode ${JSON.stringify(v.mode)}: give native, generic or auto`);
  if (v.prog !== undefined && !PROG_NAME.test(v.prog)) throw new UsageError(`--prog ${JSON.stringify(v.prog)}: give the program's function name as in the C source`);
  if (v.report !== undefined && !/\.(md|json)$/i.test(v.report)) throw new UsageError(`--report ${JSON.stringify(v.report)}: the file name must end in .md or .json`);
  // Absolute: the fix log's undo and the printed fixes must work from any directory.
  return { ...common, ...(v.container ? { container: v.container } : {}), request: { object: resolve(object), iface: v.iface, ...(v.netns ? { netns: netnsRef(v.netns) } : {}), mode, ...(v.prog ? { prog: v.prog } : {}) } };
}

function netnsRef(s: string): NetnsRef {
  if (!s.startsWith('/')) return { kind: 'name', name: s };
  const pid = /^\/proc\/(\d+)\/ns\/net$/.exec(s);
  return pid ? { kind: 'pid', pid: Number(pid[1]) } : { kind: 'path', path: s };
}

/** The attach as argv: by function name when --prog names one, else by the chosen program's section. */
export function attachArgv(req: AttachRequest, mode: AttachMode, section?: string): string[] {
  const select = req.prog ? ['program', req.prog] : ['sec', section && SECTION.test(section) ? section : 'xdp'];
  return ['ip', 'link', 'set', 'dev', req.iface, MODE_WORD[mode], 'obj', req.object, ...select];
}

/** Detaching in a mode: `xdp off` detaches what `xdp obj` attached (both ask dev_xdp_mode() with no flag). */
export function detachArgv(iface: string, mode: AttachMode | 'native' | 'generic'): string[] {
  return ['ip', 'link', 'set', 'dev', iface, MODE_WORD[mode], 'off'];
}
