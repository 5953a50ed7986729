// Findings from every rung, grouped by cause and ranked: the most severe cause first, then the one more
// rungs agree on. Titles and explanations are joined from the knowledge base (src/kb), not from checks.
import type { CheckRecord, DiagnosisEntry, Finding, Fix, Severity } from './types.js';
import { causeInfo } from '../kb/causes.js';

const WEIGHT: Record<Severity, number> = { critical: 1, high: 0.8, medium: 0.55, low: 0.3, info: 0.1 };

export function diagnose(records: CheckRecord[]): DiagnosisEntry[] {
  const groups = new Map<string, { findings: { check: string; f: Finding }[] }>();
  for (const r of records) {
    for (const f of r.findings) {
      const g = groups.get(f.cause) ?? { findings: [] };
      g.findings.push({ check: r.id, f });
      groups.set(f.cause, g);
    }
  }
  const entries: DiagnosisEntry[] = [];
  for (const [cause, g] of groups) {
    const info = causeInfo(cause);
    const top = Math.max(...g.findings.map(({ f }) => WEIGHT[f.severity] ?? 0));
    const checks = new Set(g.findings.map((x) => x.check));
    // Agreement between rungs raises confidence; a kb prior says how conclusive this cause's signals are.
    const confidence = Math.min(0.99, top * (info?.prior ?? 0.8) + 0.07 * (checks.size - 1));
    const errno = g.findings.find(({ f }) => f.errno)?.f.errno;
    entries.push({
      cause,
      title: info?.title ?? cause,
      confidence: Math.round(confidence * 100) / 100,
      explanation: info?.explanation,
      evidence: g.findings.map(({ check, f }) => ({ check, message: f.message })),
      ...(errno ? { errno } : {}),
      fixes: dedupeFixes(g.findings.flatMap(({ f }) => f.fixes)),
    });
  }
  return entries.sort((a, b) => b.confidence - a.confidence || b.evidence.length - a.evidence.length);
}

function dedupeFixes(fixes: Fix[]): Fix[] {
  const seen = new Set<string>();
  return fixes.filter((f) => {
    const key = JSON.stringify([f.commands, f.netns]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
