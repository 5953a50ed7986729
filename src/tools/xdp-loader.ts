// xdp-loader (xdp-tools): libxdp's view of an interface. Where the kernel allows freplace, `xdp-loader load`
// attaches libxdp's multiprog dispatcher (a program named xdp_dispatcher) and runs the user's programs as its
// components (BPF_PROG_TYPE_EXT); `ip link` and `bpftool net` show only the dispatcher. `xdp-loader status` is the
// one place that names the components, in libxdp's own table (recorded in test/recordings/kernels/*/xdp-loader):
//
//   Interface        Prio  Program name      Mode     ID   Tag               Chain actions
//   --------------------------------------------------------------------------------------
//   ks0                    xdp_dispatcher    native   163  90f686eb86991928
//    =>              50     count_pass                172  8b87438288e11ed4  XDP_PASS
import type { Exec } from './exec.js';
import type { NetnsRef } from './netns.js';
import { validIfname } from './names.js';

/** libxdp's multiprog dispatcher, as its program is named in the kernel. */
export const DISPATCHER_NAME = 'xdp_dispatcher';

export interface XdpLoaderProgram { name: string; id: number; tag: string; mode?: string }
export interface XdpLoaderComponent extends XdpLoaderProgram { prio: number; chainActions: string[] }
export interface XdpLoaderIface {
  iface: string;
  /** The program on the interface (the dispatcher when there is one); undefined: "<No XDP program loaded!>". */
  program?: XdpLoaderProgram;
  /** The dispatcher's components in run order (lowest prio first), empty without a dispatcher. */
  components: XdpLoaderComponent[];
}

const TAG = '[0-9a-f]{16}';
const IFACE_ROW = new RegExp(`^(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)\\s+(${TAG})\\s*$`);
const COMPONENT_ROW = new RegExp(`^\\s*=>\\s+(\\d+)\\s+(\\S+)\\s+(\\d+)\\s+(${TAG})\\s*(.*)$`);

/** Parses `xdp-loader status [IFACE]`: one entry per interface row, components under the row they follow. */
export function parseXdpLoaderStatus(text: string): XdpLoaderIface[] {
  const out: XdpLoaderIface[] = [];
  let current: XdpLoaderIface | undefined;
  for (const line of text.split('\n')) {
    if (!line.trim() || /^CURRENT XDP PROGRAM STATUS|^Interface\s+Prio|^-{10,}/.test(line)) continue;
    const c = COMPONENT_ROW.exec(line);
    if (c) {
      current?.components.push({ prio: Number(c[1]), name: c[2]!, id: Number(c[3]), tag: c[4]!, chainActions: c[5]!.trim().split(/\s+/).filter(Boolean) });
      continue;
    }
    const r = IFACE_ROW.exec(line);
    if (r) {
      current = { iface: r[1]!, program: { name: r[2]!, mode: r[3]!, id: Number(r[4]), tag: r[5]! }, components: [] };
      out.push(current);
      continue;
    }
    const none = /^(\S+)\s+<No XDP program loaded!>/.exec(line);
    if (none) { current = { iface: none[1]!, components: [] }; out.push(current); }
  }
  for (const i of out) i.components.sort((a, b) => a.prio - b.prio);
  return out;
}

export function createXdpLoader(exec: Exec) {
  return {
    /** libxdp's view of one interface; undefined when xdp-loader is missing or fails (it is an extra view, not a rung). */
    status: async (iface: string, netns?: NetnsRef): Promise<XdpLoaderIface | undefined> => {
      if (!validIfname(iface)) throw new Error(`invalid interface name: ${JSON.stringify(iface)}`);
      const r = await exec.run(['xdp-loader', 'status', iface], { netns, timeoutMs: 10_000 });
      if (!r.ok) return undefined;
      return parseXdpLoaderStatus(r.stdout).find((i) => i.iface === iface);
    },
  };
}
