// Fires the target's probe once (an argv, in its namespace) and judges it.
import type { ProbeOutcome, ProbeSpec } from './types.js';
import type { Exec } from '../tools/exec.js';

/**
 * `stop` (the window's, once the story is complete) ends the probe early: it is ours, and what it would still do
 * (retransmit into the same loss) adds nothing the collectors have not seen. The run's `signal` is Ctrl-C.
 */
export async function fireProbe(exec: Exec, probe: ProbeSpec, signal?: AbortSignal, stop?: AbortSignal): Promise<ProbeOutcome> {
  const startedAt = Date.now();
  const both = either(signal, stop);
  const r = await exec.run(probe.argv, { netns: probe.netns, input: probe.input, timeoutMs: probe.timeoutMs ?? 10_000, signal: both.signal })
    .finally(both.release);
  const echoed = probe.expectStdout === undefined || r.stdout.includes(probe.expectStdout);
  // `ping -c 4` with 2 replies exits 0: every unanswered request is still a loss to explain.
  const lost = r.ok ? pingLoss(r.stdout) : undefined;
  const ok = r.ok && echoed && !lost;
  let note: string | undefined;
  if (r.notFound) note = `${probe.argv[0]}: command not found`;
  else if (!r.ok && stop?.aborted && !signal?.aborted) note = `stopped after ${Date.now() - startedAt} ms, once every packet it had sent was accounted for`;
  else if (r.timedOut) note = `timed out after ${probe.timeoutMs ?? 10_000} ms`;
  else if (!r.ok) note = `exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n').pop()}` : ''}`;
  else if (!echoed) note = 'no echo came back';
  else if (lost) note = `exit 0, but ${lost.transmitted - lost.received} of ${lost.transmitted} echo request(s) got no reply`;
  return { ran: !r.notFound, ok, startedAt, endedAt: Date.now(), exitCode: r.exitCode, stdout: r.stdout.slice(0, 2000), stderr: r.stderr.slice(0, 2000), note };
}

/** ping's closing statistics: "4 packets transmitted, 2 received" (iputils, ping and ping6); undefined when all came back. */
export function pingLoss(stdout: string): { transmitted: number; received: number } | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  if (!m) return undefined;
  const transmitted = Number(m[1]), received = Number(m[2]);
  return received < transmitted ? { transmitted, received } : undefined;
}

/**
 * A signal that aborts when either does, and a release that removes its listeners (the run's signal outlives every
 * probe; AbortSignal.any is also missing before Node 20.3).
 */
function either(a?: AbortSignal, b?: AbortSignal): { signal?: AbortSignal; release(): void } {
  if (!a || !b) return { signal: a ?? b, release: () => undefined };
  const c = new AbortController();
  const onA = () => c.abort(a.reason);
  const onB = () => c.abort(b.reason);
  if (a.aborted) onA(); else a.addEventListener('abort', onA, { once: true });
  if (b.aborted) onB(); else b.addEventListener('abort', onB, { once: true });
  return { signal: c.signal, release: () => { a.removeEventListener('abort', onA); b.removeEventListener('abort', onB); } };
}
