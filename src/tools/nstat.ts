// nstat: kernel SNMP/netstat counters of one network namespace (TcpInCsumErrors, IpInHdrErrors, ...).
// -a ignores nstat's history file, -s leaves it untouched, -z keeps zero counters: absolute values, no side effects.
import type { NetnsRef } from './netns.js';
import type { Exec } from './exec.js';
import { excerpt, isObj, parseJson, ToolOutputError } from './json.js';

export type Counters = Record<string, number>;

export function parseNstat(text: string): Counters {
  const raw = parseJson('nstat', text);
  if (!isObj(raw) || !isObj(raw.kernel)) throw new ToolOutputError('nstat', 'expected {"kernel": {...}}', excerpt(text));
  const out: Counters = {};
  for (const [k, v] of Object.entries(raw.kernel)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** Counters that rose between two samples. */
export function counterDeltas(before: Counters, after: Counters): Counters {
  const out: Counters = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d > 0) out[k] = d;
  }
  return out;
}

export function createNstat(exec: Exec) {
  return {
    async sample(netns?: NetnsRef): Promise<Counters> {
      const r = await exec.run(['nstat', '-a', '-z', '-s', '--json'], { netns, timeoutMs: 5000 });
      if (!r.ok) throw new ToolOutputError('nstat', r.stderr.trim() || `exit ${r.exitCode}`, excerpt(r.stderr));
      return parseNstat(r.stdout);
    },
  };
}
