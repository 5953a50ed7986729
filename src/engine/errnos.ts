// The errnos behind the diagnosis, explained: each errno a finding of this run carried (with the tracepoint and
// interface it was seen on), joined with the kb's meaning in that XDP context — what the blog learned by reading
// veth.c. When the run saw none, the errno the kb knows the top cause by is given, marked observed: false.
// Every view renders these; none looks the kb up itself.
import type { CheckRecord, DiagnosisEntry, ErrnoExplanation, Finding } from './types.js';
import { explainErrno } from '../kb/explain.js';
import { SIGNALS } from '../kb/signals.js';
import { ATTACH_REFUSALS } from '../kb/attach-refusals.js';
import { VERIFIER_RULES } from '../kb/verifier-rules.js';

interface Seen { value: number; name: string; cause: string; observed: boolean; tracepoint?: string; iface?: string }

// A function, not an arrow constant: a mutant of a module-level constant is never switched on per test.
function tracepointOf(signal?: string): string | undefined {
  return signal?.replace(/^xdp:/, '') || undefined;
}

export function concludeErrnos(diagnosis: DiagnosisEntry[], records: CheckRecord[]): ErrnoExplanation[] {
  // Findings first (they carry the tracepoint and interface), in diagnosis order, then the diagnosis' own errnos.
  // A diagnosis entry's errno may come from a risk joined to it (configuration): known, not observed.
  const rank = (cause: string) => { const i = diagnosis.findIndex((d) => d.cause === cause); return i < 0 ? diagnosis.length : i; };
  const findings: Finding[] = records.flatMap((r) => r.findings).filter((f) => f.errno && !f.risk);
  const seen: Seen[] = [
    ...findings.map((f) => ({ value: Math.abs(f.errno!.value), name: f.errno!.name, cause: f.cause, observed: true, tracepoint: tracepointOf(f.signal), iface: f.iface })),
    ...diagnosis.filter((d) => d.errno).map((d) => ({ value: Math.abs(d.errno!.value), name: d.errno!.name, cause: d.cause, observed: false })),
  ].filter((s) => s.value > 0).sort((a, b) => rank(a.cause) - rank(b.cause));

  const byValue = new Map<number, Seen[]>();
  for (const s of seen) byValue.set(s.value, [...(byValue.get(s.value) ?? []), s]);
  const out: ErrnoExplanation[] = [];
  for (const [value, group] of byValue) {
    const causes = [...new Set(group.map((s) => s.cause))];
    const at = group.find((s) => s.tracepoint) ?? group[0]!;
    const e = explain(value, at.name, causes, at.tracepoint, group.some((s) => s.observed));
    out.push({ ...e, ...(at.iface ? { iface: at.iface } : {}) });
  }
  if (out.length || !diagnosis.length) return out;

  const top = diagnosis[0]!;
  const known = SIGNALS.find((r) => r.cause === top.cause && r.errno);
  return known?.errno ? [explain(known.errno, undefined, [top.cause], known.tracepoint, false)] : [];
}

function explain(value: number, name: string | undefined, causes: string[], tracepoint: string | undefined, observed: boolean): ErrnoExplanation {
  // The kb row of a cause carrying this errno gives the context (tracepoint, driver) the run did not spell out.
  const row = SIGNALS.find((r) => r.errno === value && causes.includes(r.cause) && (!tracepoint || r.tracepoint === tracepoint));
  const tp = tracepoint ?? row?.tracepoint;
  const e = explainErrno({ errno: value, tracepoint: tp, driver: row?.driver });
  if (!e.errno) return { value, name: name || `errno ${value}`, observed, ...(tp ? { tracepoint: tp } : {}), causes };
  // An attach refusal's or a verifier rejection's errno is explained by the row that raised it, before any
  // tracepoint row that shares the number (ENOSPC is veth's queue refusal here, not AF_XDP's chunk size).
  // A verifier rejection's EINVAL (a GPL-only or unknown helper, a CO-RE relocation) is the verifier's, not
  // xdp_redirect_err's bad redirect target.
  const refusal = ATTACH_REFUSALS.find((r) => r.errno === value && causes.includes(r.cause));
  const rule = VERIFIER_RULES.find((r) => causes.includes(r.cause));
  if (refusal || rule) {
    return {
      value: e.errno.value, name: e.errno.name, message: e.errno.message, observed, causes,
      meaning: refusal ? `the kernel's refusal "${refusal.message}"` : `the verifier's rule: ${rule!.rule}`,
      source: refusal?.source ?? rule!.source,
    };
  }
  const best = e.rows[0];
  return {
    value: e.errno.value, name: e.errno.name, message: e.errno.message, observed,
    ...(best ? { tracepoint: best.tracepoint } : tp ? { tracepoint: tp } : {}),
    ...(best?.driver ? { driver: best.driver } : {}),
    ...(best ? { meaning: best.meaning, source: best.source, fix: best.fix } : {}),
    causes,
  };
}
