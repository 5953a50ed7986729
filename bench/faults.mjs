// The ladder against the probe it fires, per lab scenario (issue 22): on one lab, each fault broken in turn (and the
// healthy lab), the probe alone — the nc argv the ladder fires, from the client namespace — and the whole ladder
// (spawn to exit), interleaved per repetition. A ladder run counts only when it reached the scenario's expected
// conclusion (lib/expect.mjs); its report's own timings give the phases: outside the ladder (Node, target, output),
// start to probe (preflight, the collectors' attach), the probe window, and after it (drain, stop, tshark).
//
//   node bench/faults.mjs [--reps N] [--lab-name NAME] [--cli PATH] [--json FILE]
//
// --cli runs another build's dist/src/cli.js against the same lab (an A/B of two commits). As root; brings up its
// own lab and takes it down at the end, on an error and on Ctrl-C. Also run by `npm run bench` (bench/run.mjs).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CLI, labDown, labUp, probe } from './lib/lab.mjs';
import { killAll, mustRun } from './lib/proc.mjs';
import { median, ms, ratio, round, table } from './lib/stats.mjs';
import { ladderRun } from './ladder.mjs';

export const SCENARIOS = ['healthy', 'veth-peer', 'params-unset', 'bad-iphdr', 'csum-offload'];

const log = (m) => process.stderr.write(`[faults] ${m}\n`);

/** Every scenario, `reps` times each: the probe alone and the ladder, in alternating order. */
export async function measureFaults({ lab, reps, cli = CLI, scenarios = SCENARIOS }) {
  const out = {};
  for (const scenario of scenarios) {
    const faults = scenario === 'healthy' ? [] : [scenario];
    if (faults.length) await mustRun(['node', CLI, 'lab', 'break', '--lab-name', lab, scenario], { timeoutMs: 60_000 });
    try {
      const probes = [], ladders = [];
      await ladderRun({ lab, faults, cli }); // warm-up: the boot's caches, page cache; not counted
      for (let rep = 0; rep < reps; rep++) {
        const steps = [async () => probes.push(await probe(lab)), async () => ladders.push(await ladderRun({ lab, faults, cli }))];
        for (const step of rep % 2 ? steps.reverse() : steps) await step();
        const l = ladders.at(-1), p = probes.at(-1);
        log(`${scenario} ${rep + 1}/${reps}: probe ${ms(p.ms)} (${p.ok ? 'echoed' : `failed, exit ${p.code}`}), ladder ${ms(l.ms)}${l.error ? ` NOT COUNTED: ${l.error}` : ` (${l.topCause ?? 'healthy'})`}`);
      }
      out[scenario] = summarizeScenario(probes, ladders);
    } finally {
      if (faults.length) await mustRun(['node', CLI, 'lab', 'fix', '--lab-name', lab, scenario], { timeoutMs: 60_000 });
    }
  }
  return out;
}

function summarizeScenario(probes, ladders) {
  const counted = ladders.filter((l) => !l.error);
  const med = (f) => round(median(counted.map(f).filter((v) => typeof v === 'number')), 0);
  const probeMs = round(median(probes.map((p) => p.ms)), 0);
  const ladderMs = med((l) => l.ms);
  return {
    probeMs, probeOk: probes.every((p) => p.ok), ladderMs, ratio: ratio(ladderMs, probeMs),
    phases: { outsideMs: med((l) => l.outsideLadderMs), toProbeMs: med((l) => l.toProbeMs), windowMs: med((l) => l.probeMs), afterMs: med((l) => l.afterProbeMs) },
    counted: counted.length, notCounted: ladders.filter((l) => l.error).map((l) => l.error),
    ladderRange: counted.length ? [Math.min(...counted.map((l) => l.ms)), Math.max(...counted.map((l) => l.ms))].map((x) => round(x, 0)) : undefined,
  };
}

export function faultsTable(result) {
  return table(Object.entries(result).map(([s, r]) => [
    s, ms(r.probeMs) + (r.probeOk ? ' (echo)' : ' (fails)'), r.counted ? `${ms(r.ladderMs)} (${r.ladderRange.map(Math.round).join('–')})` : 'none counted',
    r.ratio ?? '-', ms(r.phases.outsideMs), ms(r.phases.toProbeMs), ms(r.phases.windowMs), ms(r.phases.afterMs), `${r.counted}/${r.counted + r.notCounted.length}`,
  ]), ['scenario', 'probe alone', 'ladder (min–max)', 'ladder/probe', 'outside', 'start→probe', 'window', 'after', 'counted']);
}

async function main() {
  const { values } = parseArgs({
    options: { reps: { type: 'string', default: '3' }, 'lab-name': { type: 'string', default: 'benchf' }, cli: { type: 'string' }, json: { type: 'string' } },
  });
  const reps = Number(values.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 50) { log('--reps must be 1..50'); process.exit(2); }
  const lab = values['lab-name'];
  const stop = () => { killAll(); labDown(lab).finally(() => process.exit(130)); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log(`lab ${lab}: up, healthy`);
  await labUp(lab, []);
  try {
    const result = await measureFaults({ lab, reps, cli: values.cli ?? CLI });
    const text = faultsTable(result);
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ reps, cli: values.cli ?? CLI, result }, null, 2)}\n`);
    process.stdout.write(`${text}\n`);
    if (Object.values(result).some((r) => !r.counted)) process.exitCode = 1;
  } finally {
    await labDown(lab);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
