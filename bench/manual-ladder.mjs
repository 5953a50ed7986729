#!/usr/bin/env node
// The baseline: the blog's ladder climbed by hand, one tool after another, each observing tool with its OWN
// probe — what an expert at a terminal does, minus the thinking time. Readiness comes from each tool's own
// output (tcpdump's "listening on", the trace_pipe marker coming back, bpftrace's marker probe), never a sleep.
//
// Choices that favour the baseline (so the ratio against xdp-doctor is conservative):
//   - tcpdump runs on all six hops at once, with one probe (the blog ran it hop by hop);
//   - the blog's two bpftrace runs (count per xdp:* probe, then errno on xdp_bulk_tx) are one run, one probe,
//     of the very program the ladder's tracepoints rung runs (imported from dist/): the same tracepoints, so
//     neither side pays for attaching more than the other;
//   - no pause between steps, no drain after a probe, map dump without a probe, no wireshark/tshark step.
//
//   node bench/manual-ladder.mjs [--lab-name bench]     (a lab with --fault veth-peer must be up)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collector, inNs, killAll, now, run } from './lib/proc.mjs';
import { ROOT, labNames, probe } from './lib/lab.mjs';
import { readPcap } from './lib/pcap.mjs';
import { tracepointSpecs } from './lib/tracepoints.mjs';

const TRACEFS = '/sys/kernel/tracing';
const FILTER = ['tcp', 'port', '50002', 'or', 'ip', 'proto', '4'];
const listening = (line, stream) => stream === 'stderr' && /^(tcpdump: )?listening on /.test(line);

/** The tracepoints rung's program, argv and readiness line (its last probe prints once the others are attached). */
const bt = await import(join(ROOT, 'dist', 'src', 'tools', 'bpftrace.js'));


async function step(steps, name, fn) {
  const t0 = now();
  const out = { name, ms: 0, probes: 0 };
  try {
    Object.assign(out, await fn(out));
  } catch (e) {
    out.error = e.message;
  }
  out.ms = now() - t0;
  steps.push(out);
  return out;
}

async function probed(name, out) {
  const p = await probe(name);
  out.probes++;
  out.probeMs = (out.probeMs ?? 0) + p.ms;
  out.probeOk = p.ok;
  return p;
}

export async function manualLadder({ lab = 'bench' } = {}) {
  const L = labNames(lab);
  const steps = [];
  const t0 = now();
  const tmp = mkdtempSync(join(tmpdir(), 'xdpd-bench-manual-'));
  try {
    // 1. tcpdump along the route (the blog's first step).
    await step(steps, 'tcpdump on the 6 hops', async (out) => {
      const caps = L.hops.map((h) => collector(inNs(h.ns, ['tcpdump', '-i', h.iface, '-n', '-l', '-tt', '--immediate-mode', ...FILTER]), { readyWhen: listening }));
      await Promise.all(caps.map((c) => c.ready));
      await probed(lab, out);
      const res = await Promise.all(caps.map((c) => c.stop()));
      return { detail: L.hops.map((h, i) => `${h.iface}:${res[i].stdout.filter((l) => /^\d+\.\d+ /.test(l)).length}`).join(' ') };
    });

    // 2. bpf_printk lines in trace_pipe. Ready when our marker, written to trace_marker, comes back out.
    await step(steps, 'cat trace_pipe', async (out) => {
      const marker = `bench manual ${process.pid} ${Date.now()}`;
      // trace_pipe refuses a second reader (EBUSY) while another run on this machine holds it: try again, as a
      // person would (the retries count in this step's time).
      let cat;
      for (let attempt = 1; ; attempt++) {
        cat = collector(['cat', `${TRACEFS}/trace_pipe`], {
          readyWhen: (line) => line.includes(marker),
          poke: () => { try { writeFileSync(`${TRACEFS}/trace_marker`, marker); } catch { /* retried */ } },
        });
        try {
          await cat.ready;
          break;
        } catch (e) {
          await cat.stop();
          if (attempt >= 10) throw e;
          out.retries = attempt;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      await probed(lab, out);
      const r = await cat.stop();
      const i = r.stdout.findIndex((l) => l.includes(marker));
      return { detail: `${r.stdout.slice(i + 1).filter((l) => l.includes('bpf_trace_printk')).length} printk line(s)` };
    });

    // 3. The program's maps: which program is on l0, which maps it has, dump each (no traffic needed).
    let progId;
    await step(steps, 'bpftool map dump', async () => {
      const link = await run(inNs(L.ns.lb, ['ip', '-d', '-j', 'link', 'show', 'dev', L.lbIface]));
      progId = JSON.parse(link.stdout)[0]?.xdp?.prog?.id;
      if (!progId) throw new Error(`no XDP program on ${L.lbIface}`);
      const prog = await run(['bpftool', '-j', 'prog', 'show', 'id', String(progId)]);
      const mapIds = JSON.parse(prog.stdout).map_ids ?? [];
      const dumps = await Promise.all(mapIds.map((m) => run(['bpftool', 'map', 'dump', 'id', String(m)])));
      return { detail: `prog ${progId}, ${mapIds.length} map(s), ${dumps.filter((d) => d.code === 0).length} dumped` };
    });

    // 4. xdpdump on the program; where it cannot attach (fentry EPERM here), the fallback: capture what the
    //    peer g1 sends to l0 and replay each packet through the loaded program with bpftool prog run.
    await step(steps, 'xdpdump (else g1 capture + prog run)', async (out) => {
      const xd = collector(inNs(L.ns.lb, ['xdpdump', '-i', L.lbIface, '--rx-capture', 'entry,exit', '-x']), { readyWhen: listening });
      const attached = await xd.ready.then(() => true, () => false);
      if (attached) {
        await probed(lab, out);
        const r = await xd.stop();
        return { detail: `xdpdump attached, ${r.stdout.filter((l) => /@exit/.test(l)).length} verdict(s)` };
      }
      await xd.stop();
      const file = join(tmp, 'ingress.pcap');
      const cap = collector(inNs(L.peer.ns, ['tcpdump', '-i', L.peer.iface, '-Q', 'out', '-n', '--immediate-mode', '-U', '-Z', 'root', '-s', '262144', '-w', file, ...FILTER]), { readyWhen: listening });
      await cap.ready;
      await probed(lab, out);
      await cap.stop();
      const packets = readPcap(readFileSync(file));
      const verdicts = [];
      for (const [i, p] of packets.entries()) {
        const din = join(tmp, `in-${i}`);
        writeFileSync(din, p);
        const r = await run(['bpftool', 'prog', 'run', 'id', String(progId), 'data_in', din, 'data_out', join(tmp, `out-${i}`)]);
        verdicts.push(/Return value: (\d+)/.exec(r.stdout + r.stderr)?.[1] ?? '?');
      }
      return { detail: `xdpdump refused; ${packets.length} packet(s) replayed, return values ${verdicts.join(',') || 'none'}` };
    });

    // 5. The driver's XDP counters, before and after a probe, on l0 and its peer g1.
    await step(steps, 'ethtool -S before/after', async (out) => {
      const sample = () => Promise.all([run(inNs(L.ns.lb, ['ethtool', '-S', L.lbIface])), run(inNs(L.peer.ns, ['ethtool', '-S', L.peer.iface]))]);
      const before = await sample();
      await probed(lab, out);
      const after = await sample();
      const txErr = (r) => [...r.stdout.matchAll(/xdp_tx_errors: (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
      const txErrors = txErr(after[0]) - txErr(before[0]);
      // The number itself, for judgeManual (bench/lib/expect.mjs): a run that saw no rise did not find the bug.
      return { detail: `l0 xdp_tx_errors +${txErrors}`, txErrors };
    });

    // 6. bpftrace on the xdp:* tracepoints: which fired, with which errno on which interface (the blog's two
    //    programs in one run) — the ladder's tracepoints rung's program, so the same tracepoints attach.
    await step(steps, 'bpftrace xdp:*', async (out) => {
      const specs = tracepointSpecs(bt);
      const c = collector(bt.bpftraceArgv(bt.xdpTraceProgram(specs)), {
        readyWhen: (line, stream) => stream === 'stdout' && bt.isReadyLine(line), readyTimeoutMs: 60_000,
      });
      await c.ready;
      await probed(lab, out);
      const r = await c.stop();
      // Unreadable maps are this step's failure, not a detail: the run then did not see the errno (judgeManual).
      const events = bt.xdpBuckets(bt.parseBpftraceJson(r.stdout.join('\n')), specs)
        .map((b) => ({ tracepoint: b.tracepoint, ifindex: b.ifindex, errno: b.errno, count: b.count }));
      const words = events.map((b) => `${b.tracepoint} ifindex ${b.ifindex ?? '-'} err ${b.errno} ×${b.count}`).join(', ') || 'no events';
      return { detail: `${specs.length} tracepoints; ${words}`, events };
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const totalMs = now() - t0;
  return { totalMs, probes: steps.reduce((s, x) => s + x.probes, 0), steps };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'lab-name': { type: 'string', default: 'bench' } }, strict: true });
  const stop = () => { killAll(); process.exit(130); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const r = await manualLadder({ lab: values['lab-name'] });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
