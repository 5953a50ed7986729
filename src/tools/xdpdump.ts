// xdpdump (xdp-tools): captures packets at the entry and exit of a loaded XDP program by attaching fentry and
// fexit programs to it. Run as a collector (attached when it prints "listening on ..." on stderr) in text mode
// with -x, so one run gives every packet's verdict AND its bytes; the rung writes entry/exit pcaps from those.
// (-w would write pcapng unless --use-pcap, and the legacy pcap has no verdicts.)
//
// Output format (xdp-dump/xdpdump.c handle_perf_event(), xdp-tools 1.3.1):
//   1694209748.510401404: xdp_prog_func()@exit[TX]: packet size 94 bytes on if_index 15, rx queue 0, id 1
// with -x: "packet size %u bytes, captured %u bytes on if_index ..." followed by hex lines
//   "  0x0000:  52 54 00 db 44 b6 52 54 00 34 38 da 08 00 45 48  RT..D.RT.48...EH"
// Where fentry cannot load (EPERM on these machines, no BTF, old kernels) it exits 1 before "listening on":
//   "ERROR: Can't load eBPF object: Operation not permitted(-1)"
import type { NetnsRef } from './netns.js';
import type { Collector, Exec } from './exec.js';
import { validIfname } from './names.js';

export type XdpAction = 'ABORTED' | 'DROP' | 'PASS' | 'TX' | 'REDIRECT';
const XDP_ACTIONS: readonly XdpAction[] = ['ABORTED', 'DROP', 'PASS', 'TX', 'REDIRECT'];

/** Kernel's enum xdp_action value → name (include/uapi/linux/bpf.h). */
export function xdpActionName(retval: number): XdpAction | `UNKNOWN(${number})` {
  return XDP_ACTIONS[retval] ?? `UNKNOWN(${retval})`;
}

export interface XdpdumpEvent {
  /** "1694209748.510390618" as printed (nanosecond precision survives). */
  ts: string;
  sec: number;
  nsec: number;
  /** The XDP function captured, e.g. xdp_prog_func or xdp_dispatcher. */
  func: string;
  point: 'entry' | 'exit';
  /** exit only: the verdict, as xdpdump prints it ("*unknown*" for an out-of-range return). */
  action?: XdpAction | '*unknown*';
  pktLen: number;
  /** -x only. */
  capLen?: number;
  ifindex: number;
  rxQueue: number;
  /** Packet id: an entry and its exit share it. */
  id: number;
  /** -x only: the captured bytes. */
  data?: Buffer;
}

export interface XdpdumpListening {
  iface: string;
  programs: { id: number; func: string }[];
  mode: string;
  snaplen: number;
}

const EVENT = /^(\d+)\.(\d{9}): (.+?)\(\)@(entry|exit)(?:\[([A-Z]+|\*unknown\*)\])?: packet size (\d+) bytes(?:, captured (\d+) bytes)? on if_index (\d+), rx queue (\d+), id (\d+)\s*$/;
// "  0x0010:  00 58 d7 dd ..." — 16 hex columns of 3 characters, then the printable rendering.
const HEX = /^ {2}0x([0-9a-f]{4}): {2}(.*)$/;

export function parseXdpdumpEventLine(line: string): XdpdumpEvent | undefined {
  const m = EVENT.exec(line);
  if (!m) return undefined;
  const ev: XdpdumpEvent = {
    ts: `${m[1]}.${m[2]}`, sec: Number(m[1]), nsec: Number(m[2]), func: m[3]!, point: m[4] as 'entry' | 'exit',
    pktLen: Number(m[6]), ifindex: Number(m[8]), rxQueue: Number(m[9]), id: Number(m[10]),
  };
  if (m[5]) ev.action = m[5] as XdpdumpEvent['action'];
  if (m[7] !== undefined) ev.capLen = Number(m[7]);
  return ev;
}

/** One hex line: its offset and bytes. The printable column is ignored (it may hold hex-looking text). */
export function parseXdpdumpHexLine(line: string): { offset: number; bytes: number[] } | undefined {
  const m = HEX.exec(line);
  if (!m) return undefined;
  const cols = m[2]!.slice(0, 48);
  const bytes: number[] = [];
  for (let i = 0; i + 2 <= cols.length; i += 3) {
    const pair = cols.slice(i, i + 2);
    if (pair === '  ') continue; // padding of a short last line (or a pre-skip)
    if (!/^[0-9a-f]{2}$/.test(pair)) return undefined;
    bytes.push(parseInt(pair, 16));
  }
  return { offset: parseInt(m[1]!, 16), bytes };
}

/** "listening on l0, ingress XDP program ID 633 func xdp_prog_func, capture mode entry/exit, capture size 262144 bytes" */
export function parseXdpdumpListening(line: string): XdpdumpListening | undefined {
  const m = /^listening on (\S+), ingress XDP program (.*?)capture mode (\S+), capture size (\d+) bytes\s*$/.exec(line);
  if (!m) return undefined;
  const programs = [...m[2]!.matchAll(/ID (\d+) func (\S+?),/g)].map((p) => ({ id: Number(p[1]), func: p[2]! }));
  return { iface: m[1]!, programs, mode: m[3]!, snaplen: Number(m[4]) };
}

export interface XdpdumpOutput {
  events: XdpdumpEvent[];
  listening?: XdpdumpListening;
  captured?: number;
  droppedPerfRing?: number;
  droppedKernel?: number;
  /** Hex lines whose offsets did not line up with the event they follow. */
  badHex: number;
}

/** Parses stdout and stderr lines of one run (either order of the streams is fine: each line says what it is). */
export function parseXdpdumpOutput(stdout: string[], stderr: string[] = []): XdpdumpOutput {
  const out: XdpdumpOutput = { events: [], badHex: 0 };
  let current: XdpdumpEvent | undefined;
  let bytes: number[] = [];
  const close = () => {
    if (current && bytes.length) current.data = Buffer.from(bytes);
    current = undefined;
    bytes = [];
  };
  for (const line of [...stderr, ...stdout]) {
    const ev = parseXdpdumpEventLine(line);
    if (ev) { close(); out.events.push(ev); current = ev; continue; }
    const hex = current ? parseXdpdumpHexLine(line) : undefined;
    if (hex && current) {
      if (hex.offset !== bytes.length) out.badHex++;
      else bytes.push(...hex.bytes);
      continue;
    }
    close();
    const listening = parseXdpdumpListening(line);
    if (listening) { out.listening = listening; continue; }
    let m = /^(\d+) packets captured/.exec(line);
    if (m) { out.captured = Number(m[1]); continue; }
    m = /^(\d+) packets dropped by perf ring/.exec(line);
    if (m) { out.droppedPerfRing = Number(m[1]); continue; }
    m = /^(\d+) packets dropped by kernel/.exec(line);
    if (m) out.droppedKernel = Number(m[1]);
  }
  close();
  return out;
}

export interface XdpdumpPacket {
  id: number;
  entry?: XdpdumpEvent;
  exit?: XdpdumpEvent;
}

/**
 * Entry and exit of each packet, by packet id. With several programs captured (a libxdp dispatcher and its
 * members), the outermost program decides the verdict: the first one in the "listening on" line, else the
 * first function seen.
 */
export function pairXdpdumpEvents(events: XdpdumpEvent[], outerFunc?: string): XdpdumpPacket[] {
  const func = outerFunc ?? events[0]?.func;
  const byId = new Map<number, XdpdumpPacket>();
  for (const ev of events) {
    if (func && ev.func !== func) continue;
    const p = byId.get(ev.id) ?? { id: ev.id };
    if (ev.point === 'entry' && !p.entry) p.entry = ev;
    if (ev.point === 'exit') p.exit = ev;
    byId.set(ev.id, p);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * Why xdpdump ended before it attached, in its own words: the "ERROR: ..." line (the last one if several),
 * else its last non-empty stderr line. Verbose chatter ("Looking for ...") is not the reason.
 */
export function xdpdumpFailure(stderr: string[]): string | undefined {
  const lines = stderr.map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /^ERROR:/.test(l));
  if (errors.length) return errors.at(-1);
  const known = lines.filter((l) => /Couldn't find|Can't|No XDP program|not supported|Invalid|Permission denied|Operation not permitted/i.test(l));
  return known.at(-1) ?? lines.at(-1);
}

/** EPERM/EACCES in xdpdump's failure: fentry/fexit are refused on this kernel (lockdown, LSM, missing CAP_BPF...). */
export const isPermissionFailure = (msg: string) => /Operation not permitted|Permission denied|EPERM|EACCES/.test(msg);

export interface XdpdumpOptions {
  iface: string;
  netns?: NetnsRef;
  /** Capture points; entry,exit gives verdicts and both packets. */
  rxCapture?: ('entry' | 'exit')[];
  /** Print packet bytes (-x). Default true: the rung builds its pcaps from them. */
  hex?: boolean;
  /** Program ids or names to capture (-p), for interfaces with several programs. */
  programs?: (number | string)[];
  snaplen?: number;
  maxLines?: number;
  timeoutMs?: number;
  onEvent?(e: XdpdumpEvent): void;
}


export function xdpdumpArgv(o: Pick<XdpdumpOptions, 'iface' | 'rxCapture' | 'hex' | 'programs' | 'snaplen'>): string[] {
  if (!validIfname(o.iface)) throw new Error(`invalid interface name: ${JSON.stringify(o.iface)}`);
  const argv = ['xdpdump', '-i', o.iface, '--rx-capture', (o.rxCapture ?? ['entry', 'exit']).join(',')];
  if (o.programs?.length) {
    for (const p of o.programs) {
      if (!(typeof p === 'number' ? Number.isSafeInteger(p) && p > 0 : /^[A-Za-z_][\w@]*$/.test(p))) {
        throw new Error(`invalid program for xdpdump -p: ${JSON.stringify(p)}`);
      }
    }
    argv.push('-p', o.programs.join(','));
  }
  if (o.snaplen !== undefined) {
    if (!Number.isSafeInteger(o.snaplen) || o.snaplen <= 0) throw new Error(`invalid snaplen: ${o.snaplen}`);
    argv.push('-s', String(o.snaplen));
  }
  if (o.hex ?? true) argv.push('-x');
  return argv;
}

export interface IngressCaptureOptions {
  /** The interface that SENDS to the XDP interface (its veth peer); its egress is the XDP program's ingress. */
  iface: string;
  netns?: NetnsRef;
  /** pcap file tcpdump writes. */
  file: string;
  filter?: string[];
  /** Packets after which tcpdump stops on its own (-c). */
  maxPackets?: number;
  timeoutMs?: number;
}

/**
 * The fallback's capture, when xdpdump cannot attach: `tcpdump -Q out -w FILE` on the sending side.
 * --immediate-mode: without it packets wait in the kernel's ring block for up to tcpdump's 1 s buffer timeout, and
 * a SIGINT at the end of a short window loses them all ("0 packets captured, 12 packets received by filter").
 * -U writes each packet as it comes (nothing lost in stdio at SIGINT); -Z root keeps tcpdump from dropping to the
 * `tcpdump` user before it opens FILE (Debian's build does, and a root-only artefact directory refuses it).
 */
export function ingressCaptureArgv(o: Pick<IngressCaptureOptions, 'iface' | 'file' | 'filter' | 'maxPackets'>): string[] {
  if (!validIfname(o.iface)) throw new Error(`invalid interface name: ${JSON.stringify(o.iface)}`);
  if (!o.file.startsWith('/') || o.file.includes('\0')) throw new Error(`capture file must be an absolute path: ${JSON.stringify(o.file)}`);
  const argv = ['tcpdump', '-i', o.iface, '-Q', 'out', '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', '262144', '-w', o.file];
  if (o.maxPackets !== undefined) argv.push('-c', String(o.maxPackets));
  return [...argv, ...(o.filter ?? [])];
}

export function createXdpdump(exec: Exec) {
  return {
    /** tcpdump writing the target's ingress (the peer's egress) to a pcap; attached on "listening on". */
    ingressCapture(o: IngressCaptureOptions): Collector {
      return exec.spawn(ingressCaptureArgv(o), {
        netns: o.netns,
        maxLines: 200,
        timeoutMs: o.timeoutMs ?? 60_000,
        readyWhen: (line, stream) => stream === 'stderr' && /^(tcpdump: )?listening on /.test(line),
      });
    },

    /**
     * Starts xdpdump; `ready` resolves on its "listening on" line and rejects (with its stderr) if it exits
     * first. stop() sends SIGINT, on which xdpdump flushes its stdout and prints its counters.
     */
    capture(o: XdpdumpOptions): Collector {
      return exec.spawn(xdpdumpArgv(o), {
        netns: o.netns,
        // -x prints 1 + len/16 lines per packet and event: a 94-byte packet is 7 lines at entry and 7 at exit.
        maxLines: o.maxLines ?? 20_000,
        timeoutMs: o.timeoutMs ?? 60_000,
        readyWhen: (line, stream) => stream === 'stderr' && line.startsWith('listening on'),
        onLine: (line, stream) => {
          if (stream !== 'stdout' || !o.onEvent) return;
          const e = parseXdpdumpEventLine(line);
          if (e) o.onEvent(e);
        },
      });
    },
  };
}
export type XdpdumpTool = ReturnType<typeof createXdpdump>;

/** "XDP_TX" for 3: the verdict as the kernel's enum names it. */
export const actionName = (act: number) => `XDP_${xdpActionName(act)}`;
