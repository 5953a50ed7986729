// The engine's conclude step: findings from every rung become the ranked diagnosis, and risks nobody saw
// happen become notes. Observed beats possible: a cause ranks only when some rung observed it this run
// (verdicts, counters, tracepoints, captures); a finding read from configuration (`risk`) joins a cause it
// names or `explains` and otherwise stays a note, so a healthy system gets no false alarm and no fix.
// Titles and explanations are joined from the knowledge base (src/kb), or from the plugins' own causes,
// passed in here rather than patched on afterwards.
import type { CheckRecord, DiagnosisEntry, Finding, Fix, ProbeOutcome, Severity } from './types.js';
import { causeInfo, severityOf } from '../kb/causes.js';

const WEIGHT: Record<Severity, number> = { critical: 1, high: 0.8, medium: 0.55, low: 0.3, info: 0.1 };

export interface CauseText { title: string; explanation?: string }

interface Conclusion {
  diagnosis: DiagnosisEntry[];
  notes: { check: string; cause: string; message: string }[];
}

type Sourced = { check: string; f: Finding; joined?: boolean };

export function conclude(records: CheckRecord[], pluginCauses?: ReadonlyMap<string, CauseText>, probe?: Pick<ProbeOutcome, 'ran' | 'ok' | 'note' | 'exitCode'>): Conclusion {
  const all: Sourced[] = records.flatMap((r) => r.findings.map((f) => ({ check: r.id, f })));
  const observed = new Map<string, Sourced[]>();
  for (const s of all) if (!s.f.risk) push(observed, s.f.cause, s);

  // A cause is weak when every finding for it only supports other observed causes (ethtool's xdp_drops rising
  // explains XDP_ABORTED verdicts; the route's "no reply" explains whatever stopped the packets). A weak cause's
  // findings join the first strong cause they explain: one story, not two. With no strong cause to join, it stands.
  const supportsOther = (cause: string, s: Sourced) => s.f.explains?.some((c) => c !== cause && observed.has(c)) ?? false;
  const strong = new Set([...observed].filter(([cause, group]) => !group.every((s) => supportsOther(cause, s))).map(([c]) => c));
  for (const [cause, group] of [...observed]) {
    if (strong.has(cause)) continue;
    const target = group[0]!.f.explains?.find((c) => strong.has(c));
    if (!target) continue;
    observed.delete(cause);
    observed.get(target)!.push(...group.map((s) => ({ ...s, joined: true })));
  }

  const joined = new Map<string, Sourced[]>();
  const notes: Conclusion['notes'] = [];
  for (const s of all.filter((x) => x.f.risk)) {
    const to = [s.f.cause, ...(s.f.explains ?? [])].filter((c) => observed.has(c));
    if (to.length) for (const c of to) push(joined, c, s);
    // An `info` risk is context for a cause (what the program logged, how a value is stored), not a risk of its
    // own: with no cause to join it says nothing.
    else if (severityOf(s.f) !== 'info') notes.push({ check: s.check, cause: s.f.cause, message: s.f.message });
  }

  const entries: DiagnosisEntry[] = [];
  for (const [cause, group] of observed) {
    const own = group.filter((s) => !s.joined);
    const extra = [...group.filter((s) => s.joined), ...(joined.get(cause) ?? [])];
    entries.push(entry(cause, own, extra, pluginCauses?.get(cause)));
  }
  entries.sort((a, b) => b.confidence - a.confidence || b.evidence.length - a.evidence.length);
  // A failed probe is itself observed: with no cause for it, the diagnosis says so and names the rungs that could
  // not look, never "nothing wrong".
  if (probe?.ran && !probe.ok && !entries.length) entries.push(unexplainedProbe(records, probe));
  return { diagnosis: entries, notes };
}

function unexplainedProbe(records: CheckRecord[], probe: Pick<ProbeOutcome, 'note' | 'exitCode'>): DiagnosisEntry {
  const info = causeInfo('probe-failed-unexplained');
  const blind = records.filter((r) => r.status === 'skip' || r.status === 'error' || r.degraded);
  const how = probe.note ?? (probe.exitCode !== undefined ? `exit ${probe.exitCode}` : 'failed');
  return {
    cause: 'probe-failed-unexplained',
    title: info?.title ?? 'The probe failed and no rung observed why',
    confidence: Math.round((info?.prior ?? 0.5) * 100) / 100,
    explanation: info?.explanation,
    evidence: [
      { check: 'probe', message: `the probe failed (${how}) and no rung saw a drop, an error or a verdict that explains it` },
      ...blind.map((r) => ({ check: r.id, message: `could not look fully (${r.status}${r.degraded ? ', degraded' : ''}): ${r.degraded?.split('\n')[0] ?? r.summary}` })),
    ],
    fixes: [],
  };
}

/** The ranked causes alone (tests and plugins that only need the diagnosis). */
export function diagnose(records: CheckRecord[], pluginCauses?: ReadonlyMap<string, CauseText>, probe?: Pick<ProbeOutcome, 'ran' | 'ok' | 'note' | 'exitCode'>): DiagnosisEntry[] {
  return conclude(records, pluginCauses, probe).diagnosis;
}

function entry(cause: string, own: Sourced[], extra: Sourced[], plugin?: CauseText): DiagnosisEntry {
  const info = causeInfo(cause);
  const top = Math.max(...own.map(({ f }) => WEIGHT[severityOf(f)] ?? 0));
  // Agreement between rungs raises confidence, and so does configuration that explains what was seen; a kb
  // prior says how conclusive this cause's signals are.
  const checks = new Set(own.map((x) => x.check));
  const confidence = Math.min(0.99, top * (info?.prior ?? 0.8) + 0.07 * (checks.size - 1) + (extra.length ? 0.05 : 0));
  const errno = [...own, ...extra].find(({ f }) => f.errno)?.f.errno;
  return {
    cause,
    title: info?.title ?? plugin?.title ?? cause,
    confidence: Math.round(confidence * 100) / 100,
    explanation: info?.explanation ?? plugin?.explanation,
    evidence: [
      ...own.map(({ check, f }) => ({ check, message: f.message })),
      ...extra.map(({ check, f }) => ({ check, message: f.message, joined: true })),
    ],
    ...(errno ? { errno } : {}),
    // Joined findings bring their runnable fixes; their advice in words only where the cause has none of its own.
    fixes: dedupeFixes([...own.flatMap(({ f }) => f.fixes), ...extra.flatMap(({ f }) => f.fixes).filter((x) => x.commands.length || !own.some(({ f }) => f.fixes.length))]),
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v); else m.set(k, [v]);
}

function dedupeFixes(fixes: Fix[]): Fix[] {
  const seen = new Set<string>();
  return fixes.filter((f) => {
    const key = JSON.stringify([f.commands, f.netns, f.commands.length ? '' : f.title]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
