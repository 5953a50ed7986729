// bpftrace on the xdp:* tracepoints: ONE process per run (one compile, one attach) counting events in maps
// keyed by [ifindex, -err, act, …] and summing drops/sent, printed as JSON when the probe window ends
// (see Stopping below). The program is one argv element (-e), never a shell string.
//
// Readiness: bpftrace 0.17 prints {"type": "attached_probes", …} BEFORE it loads and attaches anything
// (main.cpp prints it, then BPFtrace::run() attaches; strace shows the line written before the first
// BPF_PROG_LOAD), and BEGIN fires before the regular probes attach too. What does come after: probes attach in
// declaration order (tracepoint and interval probes are not "attach_reverse"), so an interval probe declared
// LAST prints a marker only once every tracepoint above it is enabled. That printf line is the ready signal.
//
// Stopping: on SIGINT bpftrace first detaches every probe — ~0.5 s here, the kernel synchronizes once per
// tracepoint — and only then prints its maps. On SIGUSR1 it prints every map at once, in name order, without
// detaching (~0.1 s: its poll loop wakes every 100 ms). So stop() asks for that dump, takes the output when the
// map that sorts last (@zz_xdp_doctor_end, set with the ready marker) arrives, and leaves the teardown to the
// kernel (SIGKILL, not awaited). Where the Exec cannot do that, or no dump comes, it is the SIGINT stop.
import type { Collector, CollectorResult, Exec, SpawnOptions } from './exec.js';
import type { Files } from './files.js';
import { excerpt, isObj, num, parseJson, str, ToolOutputError } from './json.js';
import { deferredCollector, openEventsView } from './events-view.js';

/** How one tracepoint is counted: key expressions after the fixed [ifindex, errno, act], and summed fields. */
export interface XdpTracepointSpec {
  name: string;
  /** bpftrace expression for the interface the event is about ('0' when the event has none). */
  ifindex: string;
  /** Positive errno expression ('-args->err'), '0' when the event carries no err field. */
  errno: string;
  /** Further key fields, in key order after act. */
  extra: { name: string; expr: string }[];
  /** Fields summed per key, each into its own map `@<tracepoint>__<field>`. */
  sums: string[];
  /**
   * An older tracepoint the kernel fired instead of `alias` (same fields, same meaning): its buckets are read as
   * `alias` with `event` naming what fired. Older kernels only, so its absence is not reported.
   */
  alias?: string;
}

const REDIRECT_KEYS = [
  { name: 'to_ifindex', expr: 'args->to_ifindex' }, { name: 'prog_id', expr: 'args->prog_id' },
  { name: 'map_id', expr: 'args->map_id' }, { name: 'map_index', expr: 'args->map_index' },
];

// Field names and types from include/trace/events/xdp.h, as /sys/kernel/tracing/events/xdp/*/format shows them
// on 6.18 (and 5.10, 6.1, 6.12 in the kernel suite). xdp_redirect (success) is not an error.
export const XDP_TRACEPOINTS: readonly XdpTracepointSpec[] = [
  { name: 'xdp_bulk_tx', ifindex: 'args->ifindex', errno: '-args->err', extra: [], sums: ['drops', 'sent'] },
  {
    name: 'xdp_redirect_err', ifindex: 'args->ifindex', errno: '-args->err',
    extra: REDIRECT_KEYS, sums: [],
  },
  // 5.10 reports a failed redirect through a map (devmap, cpumap, xskmap) here; later kernels report it through
  // xdp_redirect_err and keep this one unused (6.1, 6.12), then drop it (6.18). Same fields (xdp_redirect_template).
  { name: 'xdp_redirect_map_err', ifindex: 'args->ifindex', errno: '-args->err', extra: REDIRECT_KEYS, sums: [], alias: 'xdp_redirect_err' },
  // The device that refused the batch is the interesting one: key by to_ifindex, keep from_ifindex.
  {
    name: 'xdp_devmap_xmit', ifindex: 'args->to_ifindex', errno: '-args->err',
    extra: [{ name: 'from_ifindex', expr: 'args->from_ifindex' }], sums: ['drops', 'sent'],
  },
  { name: 'xdp_exception', ifindex: 'args->ifindex', errno: '0', extra: [{ name: 'prog_id', expr: 'args->prog_id' }], sums: [] },
  { name: 'xdp_cpumap_enqueue', ifindex: '0', errno: '0', extra: [{ name: 'map_id', expr: 'args->map_id' }], sums: ['drops', 'processed'] },
  { name: 'xdp_cpumap_kthread', ifindex: '0', errno: '0', extra: [{ name: 'map_id', expr: 'args->map_id' }], sums: ['drops', 'processed'] },
];

/** Printed once by the last probe of the program: every tracepoint is attached when this line arrives. */
export const READY_MARKER = 'xdp-doctor: probes attached';
const READY_MAP = '@xdp_doctor_attached';
/** Set with the ready marker; its name sorts after every other map, so bpftrace prints it last in a dump. */
const DUMP_END_MAP = '@zz_xdp_doctor_end';
/** How long stop() waits for the SIGUSR1 dump before it falls back to SIGINT (a dump takes ~0.1 s). */
const DUMP_WAIT_MS = 1500;

/**
 * The bpftrace program for these tracepoints (one probe block each), then the readiness probe. Each args-> field
 * is read once into a variable: bpftrace 0.17 re-reads tracefs's whole available_events for every args->
 * reference it analyses (about 20 reads each, strace), so the maps' keys written out with args-> in every
 * statement took ~1050 reads and ~0.95 s to attach here; with variables ~550 reads and ~0.55 s. Same maps,
 * same keys, same output.
 */
export function xdpTraceProgram(specs: readonly XdpTracepointSpec[]): string {
  const blocks = specs.map((s, i) => {
    const lines: string[] = [];
    const vars = new Set<string>();
    const read = (name: string, expr: string) => {
      if (!expr.includes('args->')) return expr;
      if (!vars.has(name)) lines.push(`  $${name} = ${expr};`);
      vars.add(name);
      return `$${name}`;
    };
    const key = [read('ifindex', s.ifindex), read('err', s.errno), read('act', 'args->act'), ...s.extra.map((e) => read(e.name, e.expr))].join(', ');
    const sums = s.sums.map((f) => [f, read(f, `args->${f}`)] as const);
    lines.push(`  @${s.name}[${key}] = count();`, ...sums.map(([f, v]) => `  @${s.name}__${f}[${key}] = sum(${v});`));
    lines.push(...firstErrorPrint(s, i, {
      ifindex: read('ifindex', s.ifindex), err: read('err', s.errno),
      progId: s.extra.some((e) => e.name === 'prog_id') ? '$prog_id' : '0',
      drops: sums.find(([f]) => f === 'drops')?.[1],
    }));
    return `tracepoint:xdp:${s.name} {\n${lines.join('\n')}\n}`;
  });
  blocks.push(readinessProbe());
  return blocks.join('\n');
}

/** Printed once per (tracepoint, ifindex, errno) the first time an error fires: the window's live signal. */
const ERROR_MARKER = 'xdp-doctor: error';
const SEEN_MAP = '@xdp_doctor_seen';

/**
 * The first time an error fires for a (tracepoint, ifindex, errno), print it: the probe window learns that a loss
 * is explained while the probe still runs (engine/story.ts). Once per key, so a flood prints a handful of lines.
 * Reads only the variables the block already read (no further args-> reads: see xdpTraceProgram).
 */
function firstErrorPrint(s: XdpTracepointSpec, index: number, v: { ifindex: string; err: string; progId: string; drops?: string }): string[] {
  const always = s.name === 'xdp_exception' || s.name === 'xdp_redirect_err' || s.alias === 'xdp_redirect_err';
  const when = always ? [] : [...(v.err !== '0' ? [`${v.err} != 0`] : []), ...(v.drops ? [`${v.drops} > 0`] : [])];
  if (!always && !when.length) return [];
  const key = `${SEEN_MAP}[${index}, ${v.ifindex}, ${v.err}]`;
  const body = [
    `if (${key} == 0) {`,
    `  ${key} = 1;`,
    `  printf("${ERROR_MARKER} ${s.name} %d %d %d\\n", ${v.ifindex}, ${v.err}, ${v.progId});`,
    '}',
  ];
  return always ? body.map((l) => `  ${l}`) : [`  if (${when.join(' || ')}) {`, ...body.map((l) => `    ${l}`), '  }'];
}

/** The -f json line of a first error (firstErrorPrint): which tracepoint, interface, errno and program. */
export function parseErrorLine(line: string): { tracepoint: string; ifindex: number; errno: number; progId: number } | undefined {
  if (!/^\{"type":\s*"printf"/.test(line) || !line.includes(ERROR_MARKER)) return undefined;
  const m = new RegExp(`${ERROR_MARKER} (\\w+) (-?\\d+) (-?\\d+) (-?\\d+)`).exec(line);
  return m ? { tracepoint: m[1]!, ifindex: Number(m[2]), errno: Math.abs(Number(m[3])), progId: Number(m[4]) } : undefined;
}

/**
 * The last block of every program xdp-doctor gives bpftrace: it prints the ready marker once every probe is
 * attached and sets the maps that tell a complete dump (see mapsPrinted, isDumpEndLine).
 */
export function readinessProbe(): string {
  return `interval:ms:10 /${READY_MAP} == 0/ {\n  ${READY_MAP} = 1;\n  ${DUMP_END_MAP} = 1;\n  printf("${READY_MARKER}\\n");\n}`;
}

/** The readiness probe's map is always set, so bpftrace prints it at exit: without it, the maps were never printed. */
export function mapsPrinted(json: BpftraceJson): boolean {
  return json.maps[READY_MAP] !== undefined;
}

/** The -f json line of the map bpftrace prints last in a dump (names in order): the dump is complete. */
function isDumpEndLine(line: string): boolean {
  return /^\{"type":\s*"map"/.test(line) && line.includes(`"${DUMP_END_MAP}"`);
}

/**
 * SIGUSR1, repeated every 250 ms (like SIGINT, a lone signal is sometimes missed), until the dump's last map
 * arrives; then SIGKILL without waiting for the probes to detach. Falls back to the SIGINT stop.
 */
async function stopAfterDump(inner: Collector, graceMs: number | undefined, armDump: (onEnd: () => void) => void): Promise<CollectorResult> {
  const { sendSignal, abandon } = inner;
  let exited = false;
  void inner.done.then(() => { exited = true; }, () => { exited = true; });
  await Promise.resolve();
  if (!sendSignal || !abandon || exited) return inner.stop(graceMs);
  let timer: NodeJS.Timeout | undefined;
  let again: NodeJS.Timeout | undefined;
  const dumped = await new Promise<boolean>((resolve) => {
    armDump(() => resolve(true));
    void inner.done.then(() => resolve(false), () => resolve(false));
    timer = setTimeout(() => resolve(false), DUMP_WAIT_MS);
    sendSignal('SIGUSR1');
    again = setInterval(() => sendSignal('SIGUSR1'), 250);
  });
  clearTimeout(timer);
  clearInterval(again);
  return dumped ? abandon() : inner.stop(graceMs);
}

/** The -f json line the readiness probe prints. */
export function isReadyLine(line: string): boolean {
  return /^\{"type":\s*"printf"/.test(line) && line.includes(READY_MARKER);
}

export function bpftraceArgv(program: string): string[] {
  return ['bpftrace', '-f', 'json', '-e', program];
}

export interface BpftraceJson {
  /** From {"type": "attached_probes"}: absent when bpftrace never attached. */
  attachedProbes?: number;
  /** "@name" → key ("2,6,3", "" for a scalar map) → value. */
  maps: Record<string, Record<string, unknown>>;
  printed: string[];
  lostEvents: number;
}

/**
 * bpftrace 0.17 `-f json` stdout: one JSON object per line ({"type": "attached_probes" | "map" | "printf" |
 * "lost_events" | …, "data": …}); empty maps print blank lines. A line that is not a JSON object (truncated by a
 * kill, garbage) raises ToolOutputError.
 */
export function parseBpftraceJson(stdout: string): BpftraceJson {
  const out: BpftraceJson = { maps: {}, printed: [], lostEvents: 0 };
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    const obj = parseJson<unknown>('bpftrace', line);
    if (!isObj(obj) || typeof obj.type !== 'string') {
      throw new ToolOutputError('bpftrace', 'expected {"type": …, "data": …} on every line', excerpt(line));
    }
    const data = obj.data;
    switch (obj.type) {
      case 'attached_probes': {
        const n = isObj(data) ? num(data.probes) : undefined;
        if (n === undefined) throw new ToolOutputError('bpftrace', 'attached_probes without a probe count', excerpt(line));
        out.attachedProbes = n;
        break;
      }
      case 'map': {
        if (!isObj(data)) throw new ToolOutputError('bpftrace', 'map output without data', excerpt(line));
        for (const [name, value] of Object.entries(data)) {
          out.maps[name] = { ...(out.maps[name] ?? {}), ...(isObj(value) ? value : { '': value }) };
        }
        break;
      }
      case 'printf': out.printed.push(str(data) ?? JSON.stringify(data)); break;
      case 'lost_events': out.lostEvents += (isObj(data) ? num(data.events) : undefined) ?? 0; break;
      default: break; // time, join, hist, stats …: not used by our programs
    }
  }
  return out;
}

/**
 * bpftrace could not compile the tracepoints' arguments: no BTF it can use for them and no headers of the running
 * kernel (bpftrace 0.17 on 5.10's xdp tracepoints). The first line is what it ends with; the other two are what it
 * says instead while only part of the headers is installed (docs/kernels.md).
 */
export function missingKernelHeaders(stderr: string): boolean {
  return /Include headers with missing type definitions|'linux\/types\.h' file not found|\/build\/include\/linux\/kconfig\.h' file not found/.test(stderr);
}

/** bpftrace's stderr: the RLIMIT_MEMLOCK complaint is harmless since 5.11 (memcg accounting); the rest is real. */
export function parseBpftraceStderr(stderr: string): { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const line of stderr.split('\n')) {
    const t = line.trimEnd();
    if (!t.trim()) continue;
    if (/couldn't set RLIMIT_MEMLOCK/.test(t)) warnings.push(t);
    else if (/^WARNING:/.test(t)) warnings.push(t);
    else errors.push(t);
  }
  return { warnings, errors };
}

/** One map bucket of the xdp program: a tracepoint, its key fields, how often it fired, and summed fields. */
export interface XdpTraceBucket {
  /** The tracepoint, as the kb knows it (an older alias is read as the tracepoint that replaced it). */
  tracepoint: string;
  /** The tracepoint that actually fired, when it is an older alias of `tracepoint`. */
  event?: string;
  /** Absent when the event carries no interface (cpumap). */
  ifindex?: number;
  /** Positive errno; 0 when err was 0 or the event has no err field. */
  errno: number;
  act: number;
  extra: Record<string, number>;
  count: number;
  fields: Record<string, number>;
}

/** The counted events, from the maps of the program xdpTraceProgram(specs) printed. */
export function xdpBuckets(json: BpftraceJson, specs: readonly XdpTracepointSpec[] = XDP_TRACEPOINTS): XdpTraceBucket[] {
  const out: XdpTraceBucket[] = [];
  for (const s of specs) {
    const counts = json.maps[`@${s.name}`];
    if (!counts) continue;
    for (const [key, value] of Object.entries(counts)) {
      const parts = parseKey(key, 3 + s.extra.length, s.name);
      const count = num(value);
      if (count === undefined) throw new ToolOutputError('bpftrace', `@${s.name}[${key}] is not a number`, excerpt(JSON.stringify(value)));
      const fields: Record<string, number> = {};
      for (const f of s.sums) {
        const v = json.maps[`@${s.name}__${f}`]?.[key];
        if (v !== undefined) {
          if (num(v) === undefined) throw new ToolOutputError('bpftrace', `@${s.name}__${f}[${key}] is not a number`, excerpt(JSON.stringify(v)));
          fields[f] = v as number;
        }
      }
      out.push({
        tracepoint: s.alias ?? s.name,
        ...(s.alias ? { event: s.name } : {}),
        ifindex: s.ifindex === '0' ? undefined : parts[0],
        errno: Math.abs(parts[1]!),
        act: parts[2]!,
        extra: Object.fromEntries(s.extra.map((e, i) => [e.name, parts[3 + i]!])),
        count,
        fields,
      });
    }
  }
  return out.sort((a, b) => b.count - a.count);
}

function parseKey(key: string, arity: number, map: string): number[] {
  const parts = key.split(',').map((p) => p.trim());
  if (parts.length !== arity || parts.some((p) => !/^-?\d+$/.test(p))) {
    throw new ToolOutputError('bpftrace', `@${map} key "${key}" is not ${arity} integers`, key);
  }
  return parts.map(Number);
}

/** `bpftrace -l 'tracepoint:xdp:*'` → tracepoint names without the category. */
export function parseProbeList(text: string, category = 'xdp'): string[] {
  const prefix = `tracepoint:${category}:`;
  return text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

export function createBpftrace(exec: Exec, files: Files) {
  return {
    /** xdp:* tracepoints this kernel has: tracefs's events directory, else `bpftrace -l`. */
    async xdpTracepoints(tracefs?: string): Promise<{ names: string[]; source: string }> {
      if (tracefs) {
        const names = (await files.list(`${tracefs}/events/xdp`)).filter((n) => n !== 'enable' && n !== 'filter');
        if (names.length) return { names, source: `${tracefs}/events/xdp` };
      }
      const r = await exec.run(['bpftrace', '-l', 'tracepoint:xdp:*'], { timeoutMs: 15_000 });
      return { names: r.ok ? parseProbeList(r.stdout) : [], source: "bpftrace -l 'tracepoint:xdp:*'" };
    },
    /**
     * Starts a program built by xdpTraceProgram; `ready` resolves on its marker. stop() returns its maps (see
     * Stopping above). On the machine's own processes it runs in an events view (tools/events-view.ts).
     */
    start(program: string, opts: Pick<SpawnOptions, 'maxLines' | 'timeoutMs' | 'onLine'> = {}): Collector {
      const spawnWith = (prefix: string[]): Collector => {
        let onDumpEnd: (() => void) | undefined;
        const inner = exec.spawn([...prefix, ...bpftraceArgv(program)], {
          maxLines: opts.maxLines ?? 2000,
          timeoutMs: opts.timeoutMs ?? 120_000,
          onLine: (line, stream) => {
            opts.onLine?.(line, stream);
            if (stream === 'stdout' && onDumpEnd && isDumpEndLine(line)) onDumpEnd();
          },
          readyWhen: (line, stream) => stream === 'stdout' && isReadyLine(line),
        });
        return { ...inner, stop: (graceMs) => stopAfterDump(inner, graceMs, (f) => { onDumpEnd = f; }) };
      };
      if (!exec.real) return spawnWith([]);
      const started = openEventsView(exec, files, program).catch(() => undefined).then((view) => {
        const collector = spawnWith(view?.argvPrefix ?? []);
        // Attached (or ended): bpftrace has long entered the namespace and read the list.
        if (view) void collector.ready.then(view.close, view.close);
        return collector;
      });
      return deferredCollector(started, bpftraceArgv(program));
    },
  };
}
export type BpftraceTool = ReturnType<typeof createBpftrace>;
