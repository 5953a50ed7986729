// Runs a loader whose output can be enormous (a program too large to verify makes libbpf print the verifier's whole
// walk: ~118 MB on this machine) and keeps what explains it: the first lines and the last ones, where the
// rejection is. Everything in between is counted, not stored.
import type { Exec } from '../tools/exec.js';
import type { NetnsRef } from '../engine/types.js';

interface BoundedResult { ok: boolean; exitCode?: number; stdout: string; stderr: string; argv: string[]; droppedLines: number }

export async function runBounded(
  exec: Exec, argv: string[], opts: { netns?: NetnsRef; timeoutMs?: number; signal?: AbortSignal; head?: number; tail?: number } = {},
): Promise<BoundedResult> {
  const head = opts.head ?? 60;
  const tail = opts.tail ?? 600;
  const last: string[] = [];
  let seen = 0;
  const c = exec.spawn(argv, {
    netns: opts.netns, timeoutMs: opts.timeoutMs ?? 180_000, signal: opts.signal, maxLines: head,
    onLine: (line, stream) => {
      if (stream !== 'stderr') return;
      seen++;
      if (seen <= head) return;
      last.push(line);
      if (last.length > tail) last.shift();
    },
  });
  const r = await c.done;
  const dropped = Math.max(0, seen - head - last.length);
  const stderr = [...r.stderrLines, ...(dropped ? [`[… ${dropped} line(s) of the loader's output not kept …]`] : []), ...last].join('\n');
  return { ok: r.exitCode === 0, exitCode: r.exitCode, stdout: r.stdoutLines.join('\n'), stderr, argv: c.argv, droppedLines: dropped };
}
