// tshark (Wireshark 4.0) dissecting a pcap: the blog's "opened it in wireshark and saw a malformed packet".
//
//   tshark -r FILE -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE
//          -T json --no-duplicate-keys
//
// -T json keeps each expert item INSIDE the field that raised it (ip.len_tree → _ws.expert → ip.bogus_ip_length),
// so a complaint is tied to the outer or the inner IPv4 header. --no-duplicate-keys is what makes that JSON
// parseable: without it an IPIP packet has two "ip" keys in one object and JSON.parse keeps only the inner one.
// -T fields flattens occurrences into one aggregated column and loses which layer an expert item came from.
// Checksum validation is off by default in 4.0 (every *.checksum.status is 2, unverified); the three -o turn it on
// for the IPv4 header and for TCP/UDP, whose bad checksum after XDP_TX is the lab's csum-offload fault.
// -n: no name resolution (no DNS, deterministic output). tshark prints 'Running as user "root" and group "root".
// This could be dangerous.' on stderr as root; that line is not an error.
import { constants } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exec, RunResult } from './exec.js';
import { excerpt, ToolOutputError } from './json.js';

/** Wireshark's expert severities (epan/proto.h PI_*). */
export type ExpertSeverity = 'comment' | 'chat' | 'note' | 'warn' | 'error';
const SEVERITY: Record<number, ExpertSeverity> = {
  0x00100000: 'comment', 0x00200000: 'chat', 0x00400000: 'note', 0x00600000: 'warn', 0x00800000: 'error',
};

export interface ExpertItem {
  /** Top-level layer it was found in: "ip", "tcp", "_ws.malformed". */
  layer: string;
  /** Which occurrence of that layer (IPIP: 0 outer, 1 inner). */
  layerIndex: number;
  /** The expert field that names the complaint, e.g. ip.bogus_ip_length, ip.checksum_bad.expert. */
  field?: string;
  message: string;
  severity: ExpertSeverity;
}

export interface Ipv4Layer {
  version: number;
  hdrLen: number;
  totalLen: number;
  proto: number;
  ttl?: number;
  id?: string;
  checksum?: number;
  checksumCalculated?: number;
  checksumStatus?: 'bad' | 'good' | 'unverified' | 'not-present' | 'illegal';
  src?: string;
  dst?: string;
}

export interface Ipv6Layer {
  /** The payload length field as written (bytes after the fixed 40-byte header). */
  payloadLen: number;
  nextHeader: number;
  hopLimit?: number;
  src?: string;
  dst?: string;
}

export interface TransportLayer {
  proto: 'tcp' | 'udp';
  /** Index in ipv4[] of the header that carries it (the innermost one before it). */
  ipIndex: number;
  srcPort?: number;
  dstPort?: number;
  checksum?: number;
  checksumCalculated?: number;
  checksumStatus?: Ipv4Layer['checksumStatus'];
}

export interface TsharkPacket {
  number: number;
  frameLen: number;
  capLen: number;
  /** "eth:ethertype:ip:ip:tcp" */
  protocols: string;
  /** Top-level layer names in order (frame, eth, ip, ip, tcp, _ws.malformed). */
  layers: string[];
  /** Bytes of link-layer header before the first IPv4 header (Ethernet 14, +4 per VLAN tag). */
  l2Len: number;
  ipv4: Ipv4Layer[];
  /** IPv6 headers from the outside in (IPv6-in-IPv6: outer, inner). */
  ipv6: Ipv6Layer[];
  transport: TransportLayer[];
  experts: ExpertItem[];
  malformed: boolean;
}

const TSHARK_ROOT_WARNING = /^Running as user "[^"]*" and group "[^"]*"\. This could be dangerous\.\s*$/;

/** stderr without the warning tshark prints whenever it runs as root. */
export function tsharkStderr(stderr: string): string {
  return stderr.split('\n').filter((l) => l.trim() && !TSHARK_ROOT_WARNING.test(l)).join('\n');
}

export function tsharkArgv(file: string): string[] {
  if (!file || file.startsWith('-') || file.includes('\0')) throw new Error(`invalid capture file for tshark: ${JSON.stringify(file)}`);
  return [
    'tshark', '-r', file, '-n',
    '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
    '-T', 'json', '--no-duplicate-keys',
  ];
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const asArray = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isObj = (v: Json | undefined): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
const num = (v: Json | undefined): number | undefined => {
  const s = str(v);
  if (s === undefined || s === '') return undefined;
  const n = s.startsWith('0x') ? parseInt(s, 16) : Number(s);
  return Number.isFinite(n) ? n : undefined;
};

const CHECKSUM_STATUS = ['bad', 'good', 'unverified', 'not-present', 'illegal'] as const;

function expertsIn(value: Json, layer: string, layerIndex: number, out: ExpertItem[]): void {
  if (Array.isArray(value)) { for (const v of value) expertsIn(v, layer, layerIndex, out); return; }
  if (!isObj(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '_ws.expert') {
      for (const e of asArray(v)) {
        if (!isObj(e)) continue;
        const message = str(e['_ws.expert.message']);
        if (message === undefined) continue;
        const field = Object.keys(e).find((x) => !x.startsWith('_ws.expert'));
        const sev = SEVERITY[num(e['_ws.expert.severity']) ?? 0] ?? 'note';
        out.push({ layer, layerIndex, ...(field ? { field } : {}), message, severity: sev });
      }
    } else if (typeof v === 'object' && v !== null) {
      expertsIn(v, layer, layerIndex, out);
    }
  }
}

function ipv4Of(o: Obj): Ipv4Layer {
  const status = num(o['ip.checksum.status']);
  const layer: Ipv4Layer = {
    version: num(o['ip.version']) ?? 0,
    hdrLen: num(o['ip.hdr_len']) ?? 0,
    totalLen: num(o['ip.len']) ?? 0,
    proto: num(o['ip.proto']) ?? -1,
  };
  const ttl = num(o['ip.ttl']);
  if (ttl !== undefined) layer.ttl = ttl;
  const id = str(o['ip.id']);
  if (id !== undefined) layer.id = id;
  const checksum = num(o['ip.checksum']);
  if (checksum !== undefined) layer.checksum = checksum;
  const calc = num(o['ip.checksum_calculated']);
  if (calc !== undefined) layer.checksumCalculated = calc;
  if (status !== undefined && CHECKSUM_STATUS[status]) layer.checksumStatus = CHECKSUM_STATUS[status];
  const src = str(o['ip.src']);
  const dst = str(o['ip.dst']);
  if (src !== undefined) layer.src = src;
  if (dst !== undefined) layer.dst = dst;
  return layer;
}

function ipv6Of(o: Obj): Ipv6Layer {
  const layer: Ipv6Layer = { payloadLen: num(o['ipv6.plen']) ?? 0, nextHeader: num(o['ipv6.nxt']) ?? -1 };
  const hopLimit = num(o['ipv6.hlim']);
  if (hopLimit !== undefined) layer.hopLimit = hopLimit;
  const src = str(o['ipv6.src']);
  const dst = str(o['ipv6.dst']);
  if (src !== undefined) layer.src = src;
  if (dst !== undefined) layer.dst = dst;
  return layer;
}

function transportOf(proto: 'tcp' | 'udp', o: Obj, ipIndex: number): TransportLayer {
  const t: TransportLayer = { proto, ipIndex };
  const set = <K extends keyof TransportLayer>(k: K, v: TransportLayer[K] | undefined) => { if (v !== undefined) t[k] = v; };
  set('srcPort', num(o[`${proto}.srcport`]));
  set('dstPort', num(o[`${proto}.dstport`]));
  set('checksum', num(o[`${proto}.checksum`]));
  set('checksumCalculated', num(o[`${proto}.checksum_calculated`]));
  const status = num(o[`${proto}.checksum.status`]);
  if (status !== undefined) set('checksumStatus', CHECKSUM_STATUS[status]);
  return t;
}

/** Parses `tshark -T json --no-duplicate-keys` output (an array of packets; "[]" for an empty capture). */
export function parseTsharkJson(text: string): TsharkPacket[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let doc: Json;
  try {
    doc = JSON.parse(trimmed) as Json;
  } catch (e) {
    throw new ToolOutputError('tshark', `-T json: output is not JSON (${(e as Error).message})`, excerpt(trimmed));
  }
  if (!Array.isArray(doc)) throw new ToolOutputError('tshark', '-T json: expected an array of packets', excerpt(trimmed));
  return doc.map((p, i) => {
    const src = isObj(p) && isObj(p['_source']) ? p['_source'] : undefined;
    const layers = src && isObj(src['layers']) ? src['layers'] : {};
    const frame = isObj(layers['frame']) ? layers['frame'] : {};
    const pkt: TsharkPacket = {
      number: num(frame['frame.number']) ?? i + 1,
      frameLen: num(frame['frame.len']) ?? 0,
      capLen: num(frame['frame.cap_len']) ?? 0,
      protocols: str(frame['frame.protocols']) ?? '',
      layers: [],
      l2Len: 0,
      ipv4: [],
      ipv6: [],
      transport: [],
      experts: [],
      malformed: false,
    };
    let seenIp = false;
    for (const [name, value] of Object.entries(layers)) {
      const occurrences = asArray(value);
      for (let k = 0; k < occurrences.length; k++) pkt.layers.push(name);
      if (name === 'eth' && !seenIp) pkt.l2Len += 14;
      if (name === 'vlan' && !seenIp) pkt.l2Len += 4 * occurrences.length;
      if (name === 'ip') {
        seenIp = true;
        for (const o of occurrences) if (isObj(o)) pkt.ipv4.push(ipv4Of(o));
      }
      if (name === 'ipv6') {
        seenIp = true;
        for (const o of occurrences) if (isObj(o)) pkt.ipv6.push(ipv6Of(o));
      }
      if (name === 'tcp' || name === 'udp') {
        for (const o of occurrences) if (isObj(o)) pkt.transport.push(transportOf(name, o, pkt.ipv4.length - 1));
      }
      if (name === '_ws.malformed') pkt.malformed = true;
      occurrences.forEach((o, k) => expertsIn(o, name, k, pkt.experts));
    }
    return pkt;
  });
}

export interface TsharkResult {
  argv: string[];
  packets: TsharkPacket[];
  /** stderr without the root warning. */
  stderr: string;
  durationMs: number;
}

export function createTshark(exec: Exec) {
  const finish = (argv: string[], r: RunResult): TsharkResult => {
    const stderr = tsharkStderr(r.stderr);
    if (!r.ok) {
      throw new Error(`${argv.join(' ')}: ${r.timedOut ? 'timed out' : stderr || `exit code ${r.exitCode ?? '?'}`}`);
    }
    return { argv, packets: parseTsharkJson(r.stdout), stderr, durationMs: r.durationMs };
  };
  return {
    async dissect(file: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TsharkResult> {
      const argv = tsharkArgv(file);
      return finish(argv, await exec.run(argv, { timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal }));
    },
    /**
     * tshark started now on a FIFO, fed the capture's bytes once `capture` resolves: its ~0.2 s of start-up
     * (libwireshark registering every dissector) overlaps the rung still writing the file. A FIFO, not stdin: Node
     * gives a child a socket for stdin, and tshark refuses to read a capture from a socket. `capture` resolving
     * with undefined (nothing to read) stops tshark, as `signal` does.
     */
    async dissectLater(capture: Promise<Uint8Array | undefined>, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<TsharkResult> {
      // Aborted by the caller's signal, by nothing to read, or by tshark's own timeout. That timeout starts once the
      // bytes are in the FIFO: the wait for the capture is not tshark's time (a window under qemu lasts a minute).
      const budget = new AbortController();
      const relay = () => budget.abort(opts.signal?.reason);
      if (opts.signal?.aborted) relay(); else opts.signal?.addEventListener('abort', relay, { once: true });
      void capture.then((bytes) => { if (!bytes) budget.abort(new Error('nothing to read')); }, () => budget.abort(new Error('no capture')));
      const timeoutMs = opts.timeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const dir = await mkdtemp(join(tmpdir(), 'xdp-doctor-tshark-'));
      try {
        const fifo = join(dir, 'capture.fifo');
        const made = await exec.run(['mkfifo', '-m', '600', fifo], { timeoutMs: 5000, signal: budget.signal });
        if (!made.ok) throw new Error(`mkfifo ${fifo}: ${made.stderr.trim() || `exit ${made.exitCode ?? '?'}`}`);
        const argv = tsharkArgv(fifo);
        let timedOut = false;
        const running = exec.run(argv, { timeoutMs: WAIT_CAP_MS + timeoutMs, signal: budget.signal });
        const fed = feedFifo(fifo, capture, running, () => {
          timer = setTimeout(() => { timedOut = true; budget.abort(new Error('timeout')); }, timeoutMs);
        });
        const r = await running;
        // Fed, or never to be (aborted: a capture that comes later finds the FIFO gone and is dropped).
        await Promise.race([fed.catch(() => undefined), untilAborted(budget.signal)]);
        return finish(argv, timedOut ? { ...r, timedOut: true, ok: false } : r);
      } finally {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', relay);
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
export type TsharkTool = ReturnType<typeof createTshark>;

/** How long tshark may wait for its capture beyond its own timeout; the caller's signal normally ends it first. */
const WAIT_CAP_MS = 15 * 60_000;

function untilAborted(signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Writes the bytes into the FIFO once tshark has opened it: the open for writing waits for the reader (a writer
 * that came and went before tshark opened would leave it nothing, and it would wait for another). A tshark that
 * ended first is stood in for by a reader of our own, so the open returns; closing the only writer gives tshark
 * its end of file. A write into a reader that is gone fails (EPIPE) and is left at that.
 */
async function feedFifo(fifo: string, capture: Promise<Uint8Array | undefined>, ended: Promise<unknown>, onBytes: () => void): Promise<void> {
  let writer: FileHandle | undefined;
  let done = false;
  let tsharkEnded = false;
  void ended.finally(async () => {
    tsharkEnded = true;
    if (writer || done) return;
    const standIn = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
    await standIn?.close();
  });
  const bytes = await capture;
  // No reader will come: an open for writing now would wait for ever.
  if (!bytes || tsharkEnded) { done = true; return; }
  onBytes();
  try {
    writer = await open(fifo, constants.O_WRONLY);
    await writer.write(bytes);
  } finally {
    done = true;
    await writer?.close();
  }
}
