// The floor: what no tool can beat — the slowest collector's time to attach, each measured ALONE (spawn to the
// tool's own "attached" output), plus one probe round trip. The collectors are the ladder's own: tcpdump with the
// routing rung's argv, cat trace_pipe until a trace_marker line comes back, and bpftrace with the program the
// tracepoints rung runs (imported from dist, so the floor follows that program if it changes).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collector, inNs } from './lib/proc.mjs';
import { ROOT, labNames, probe } from './lib/lab.mjs';
import { kernelXdpTracepoints, tracepointSpecs } from './lib/tracepoints.mjs';

const TRACEFS = '/sys/kernel/tracing';
const FILTER = ['tcp', 'port', '50002', 'or', 'ip', 'proto', '4'];

const bt = await import(join(ROOT, 'dist', 'src', 'tools', 'bpftrace.js'));

/**
 * The tracepoints rung's program over the tracepoints this kernel lists, as the rung builds it (all of
 * XDP_TRACEPOINTS would fail to attach where one is missing: xdp_redirect_map_err on 6.18); its readiness test,
 * the older tool (no marker probe) falling back to attached_probes.
 */
function bpftraceCollector(specs) {
  const program = bt.xdpTraceProgram(specs);
  const ready = bt.isReadyLine ?? ((line) => /^\{"type":\s*"attached_probes"/.test(line));
  return collector(bt.bpftraceArgv(program), { readyWhen: (line, stream) => stream === 'stdout' && ready(line), readyTimeoutMs: 60_000 });
}

/**
 * Spawn to attached, for one collector. trace_pipe refuses a second reader (EBUSY) while another run on the
 * machine holds it: such an attempt is not a measurement, so it is retried (up to 5 times), and only an attempt
 * that attached is timed.
 */
async function attachMs(make, errors, name) {
  for (let attempt = 1; ; attempt++) {
    const c = make();
    try {
      return await c.ready;
    } catch (e) {
      if (attempt >= 5) { errors.push(`${name}: ${e.message}`); return undefined; }
    } finally {
      await c.stop();
    }
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

export async function measureFloor({ lab = 'bench' } = {}) {
  const L = labNames(lab);
  const attach = {};
  const errors = [];
  attach.tcpdump = await attachMs(() => collector(inNs(L.ns.lb, ['tcpdump', '-i', L.lbIface, '-n', '-l', '-tt', '--immediate-mode', ...FILTER]), {
    readyWhen: (line, stream) => stream === 'stderr' && line.startsWith('listening on'),
  }), errors, 'tcpdump');
  const marker = `bench floor ${process.pid} ${Date.now()}`;
  attach.tracePipe = await attachMs(() => collector(['cat', `${TRACEFS}/trace_pipe`], {
    readyWhen: (line) => line.includes(marker),
    poke: () => { try { writeFileSync(`${TRACEFS}/trace_marker`, marker); } catch { /* retried */ } },
  }), errors, 'tracePipe');
  const specs = tracepointSpecs(bt);
  attach.bpftrace = await attachMs(() => bpftraceCollector(specs), errors, 'bpftrace');
  const p = await probe(lab);
  const [slowest, slowestMs] = Object.entries(attach).filter(([, v]) => v !== undefined).sort((a, b) => b[1] - a[1])[0] ?? [];
  return {
    attach, slowest, probeMs: p.ms, probeOk: p.ok, floorMs: slowestMs === undefined ? undefined : slowestMs + p.ms, errors,
    // What judgeFloor (bench/lib/expect.mjs) checks: the program was built from what this kernel lists.
    tracepoints: specs.map((s) => s.name), kernelTracepoints: kernelXdpTracepoints(),
  };
}
