// One full run of `xdp-doctor --lab --lab-name NAME --non-interactive --json`: wall time from spawn to exit, the
// report's own timings (probe, rungs), whether it found the lab's fault, the probes it sent, and the memory of the
// run. A run whose exit code or top cause is not the scenario's expected one (lib/expect.mjs) comes back with
// `error` set: the bench lists it as failed and leaves it out of every figure.
import { run } from './lib/proc.mjs';
import { CLI, probesSentSoFar } from './lib/lab.mjs';
import { watchRss } from './lib/rss.mjs';
import { EXPECTED, judgeRun, scenarioOf } from './lib/expect.mjs';

export async function ladderRun({ lab = 'bench', faults = ['veth-peer'], cli = CLI } = {}) {
  let watcher;
  // Probes sent, counted outside the timed run as for the wizard (wizard-all.mjs): TcpActiveOpens in the client netns.
  const before = await probesSentSoFar(lab);
  const r = await run(['node', cli, '--lab', '--lab-name', lab, '--non-interactive', '--json'], {
    timeoutMs: 180_000,
    onSpawn: (child) => { watcher = watchRss(child.pid); },
  });
  const mem = watcher?.stop() ?? {};
  const after = await probesSentSoFar(lab);
  const probes = before !== undefined && after !== undefined ? after - before : undefined;
  let report;
  try { report = JSON.parse(r.stdout); } catch { /* reported below */ }
  if (!report) {
    return { ms: r.ms, exitCode: r.code, probes, error: `no JSON report (exit ${r.code ?? r.signal}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, ...mem };
  }
  const topCause = report.diagnosis?.[0]?.cause;
  const wrong = judgeRun({ exitCode: r.code, report }, EXPECTED[scenarioOf(faults)]);
  if (wrong) return { ms: r.ms, exitCode: r.code, topCause, probes, error: wrong, ...mem };
  const probe = report.probe ? report.probe.endedAt - report.probe.startedAt : undefined;
  const firstProbeAt = report.probe ? report.probe.startedAt - Date.parse(report.startedAt) : undefined;
  return {
    ms: r.ms,
    exitCode: r.code,
    reportMs: report.durationMs,
    /** Process start-up, plan and target resolution, report output: the wall time outside runLadder. */
    outsideLadderMs: r.ms - report.durationMs,
    /** From the ladder's start to the probe firing: preflight, inventory and the slowest collector's attach. */
    toProbeMs: firstProbeAt,
    probeMs: probe,
    /** After the probe window: the drain, the collectors' stop, the rungs that read what was kept (tshark…). */
    afterProbeMs: probe !== undefined && firstProbeAt !== undefined ? report.durationMs - firstProbeAt - probe : undefined,
    checks: Object.fromEntries(report.checks.map((c) => [c.id, { status: c.status, ms: c.durationMs }])),
    topCause,
    probes,
    ...mem,
  };
}
