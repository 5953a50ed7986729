// A check's result comes from code we do not own (plugins): check its shape before anything renders it,
// and name the first bad field so the author can fix it.
import { causeInfo } from '../kb/causes.js';

const STATUSES = new Set(['pass', 'warn', 'fail', 'skip', 'error']);
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info']);

export function resultProblem(r: unknown): string | undefined {
  if (!r || typeof r !== 'object') return 'result is not an object';
  const o = r as Record<string, unknown>;
  if (!STATUSES.has(o.status as string)) return `result.status must be one of pass|warn|fail|skip|error (got ${JSON.stringify(o.status)})`;
  if (typeof o.summary !== 'string') return 'result.summary must be a string';
  if (!Array.isArray(o.evidence)) return 'result.evidence must be an array';
  if (!Array.isArray(o.findings)) return 'result.findings must be an array';
  for (const [i, f] of (o.findings as unknown[]).entries()) {
    const p = findingProblem(f);
    if (p) return `result.findings[${i}].${p}`;
  }
  for (const [i, e] of (o.evidence as unknown[]).entries()) {
    if (!e || typeof e !== 'object' || typeof (e as { label?: unknown }).label !== 'string') {
      return `result.evidence[${i}].label must be a string`;
    }
  }
  if (o.route !== undefined) {
    const route = o.route as Record<string, unknown> | null;
    if (!route || typeof route !== 'object' || !Array.isArray(route.hops)) return 'result.route.hops must be an array';
    if (typeof route.verdict !== 'string') return 'result.route.verdict must be a string';
    for (const [i, h] of (route.hops as unknown[]).entries()) {
      const x = h as Record<string, unknown> | null;
      if (!x || typeof x.label !== 'string' || typeof x.iface !== 'string') return `result.route.hops[${i}] needs a label and an iface`;
      if (!HOP_STATES.has(x.state as string)) return `result.route.hops[${i}].state must be one of seen|xdp|lost|unseen|unknown`;
    }
  }
  return undefined;
}

const HOP_STATES = new Set(['seen', 'xdp', 'lost', 'unseen', 'unknown']);

function findingProblem(f: unknown): string | undefined {
  if (!f || typeof f !== 'object') return '(finding) must be an object';
  const o = f as Record<string, unknown>;
  if (typeof o.cause !== 'string' || !o.cause) return 'cause must be a non-empty string';
  if (o.severity === undefined) {
    if (!causeInfo(o.cause)) return `severity is needed for a cause the knowledge base does not know (${o.cause})`;
  } else if (!SEVERITIES.has(o.severity as string)) {
    return `severity must be one of critical|high|medium|low|info (got ${JSON.stringify(o.severity)})`;
  }
  if (typeof o.message !== 'string') return 'message must be a string';
  if (!Array.isArray(o.fixes)) return 'fixes must be an array';
  for (const [i, fix] of (o.fixes as unknown[]).entries()) {
    const x = fix as Record<string, unknown> | null;
    if (!x || typeof x.title !== 'string') return `fixes[${i}].title must be a string`;
    if (!Array.isArray(x.commands) || !x.commands.every((c) => Array.isArray(c) && c.every((a) => typeof a === 'string'))) {
      return `fixes[${i}].commands must be string[][] (argv arrays)`;
    }
  }
  return undefined;
}
