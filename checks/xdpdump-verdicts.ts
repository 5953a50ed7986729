// What the xdpdump rung's two paths (xdpdump itself, or the BPF_PROG_TEST_RUN replay) share: verdict
// summaries, the XDP_ABORTED finding, and the entry/exit pcaps packet-sanity reads.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckContext, Evidence, Finding, ProbeOutcome } from '../src/engine/types.js';
import type { Collector } from '../src/tools/exec.js';
import { writePcap, type WritePacket } from '../src/tools/pcap.js';
import { xdpActionName } from '../src/tools/xdpdump.js';
import type { XdpdumpFacts } from './facts.js';

export type Verdict = XdpdumpFacts['verdicts'][number];

export function artifactDirOf(ctx: Pick<CheckContext, 'target'>): string {
  return ctx.target.artifactDir ?? join(tmpdir(), `xdp-doctor-${process.pid}`);
}

export const pcapsAt = (ctx: CheckContext, dir: string) =>
  ctx.target.keepArtifacts === false ? 'pcaps discarded after the run (--artifacts DIR keeps them)' : `pcaps in ${dir}`;

export const actionName = (retval: number) => `XDP_${xdpActionName(retval)}`;

/** "XDP_TX ×2, XDP_PASS ×1" */
export function verdictCounts(verdicts: Pick<Verdict, 'action'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v.action] = (counts[v.action] ?? 0) + 1;
  return counts;
}

/** "74 → 94 bytes" for every distinct size change. */
export function sizeChanges(verdicts: Pick<Verdict, 'inLen' | 'outLen'>[]): string {
  const seen = [...new Set(verdicts.map((v) => `${v.inLen} → ${v.outLen}`))];
  return seen.length ? `${seen.slice(0, 4).join(', ')}${seen.length > 4 ? ', ...' : ''} bytes` : '';
}

export function summarizeVerdicts(verdicts: Verdict[]): string {
  const counts = Object.entries(verdictCounts(verdicts)).map(([a, n]) => `${a} ×${n}`).join(', ');
  return `${verdicts.length} packet(s): ${counts}, ${sizeChanges(verdicts)}`;
}

export interface Common { progId: number; prog: string; iface: string; dir: string; evidence: Evidence[] }

export function probeEvidence(o: ProbeOutcome): Evidence {
  return { label: 'probe', data: o.ran ? `${o.ok ? 'passed' : 'FAILED'}${o.note ? ` (${o.note})` : ''}` : o.note ?? 'no probe' };
}

export function abortedFinding(verdicts: Verdict[], c: Common, how: string): Finding[] {
  const aborted = verdicts.filter((v) => v.action === 'XDP_ABORTED');
  if (!aborted.length) return [];
  return [{
    cause: 'xdp-aborted', severity: 'high', iface: c.iface, progId: c.progId, fixes: [],
    signal: 'XDP_ABORTED',
    message: `${aborted.length} of ${verdicts.length} packet(s) got XDP_ABORTED from ${c.prog} (${how}): ` +
      `the driver drops them and fires xdp:xdp_exception (packets #${aborted.slice(0, 8).map((v) => v.index).join(', #')})`,
  }];
}

export async function writeArtifacts(ctx: CheckContext, dir: string, entries: WritePacket[], exits: WritePacket[]): Promise<Pick<XdpdumpFacts, 'entryPcap' | 'exitPcap'>> {
  if (ctx.tools.dryRun) return {};
  const out: Pick<XdpdumpFacts, 'entryPcap' | 'exitPcap'> = {};
  if (entries.length) { out.entryPcap = join(dir, 'entry.pcap'); await writeFile(out.entryPcap, writePcap(entries)); }
  if (exits.length) { out.exitPcap = join(dir, 'exit.pcap'); await writeFile(out.exitPcap, writePcap(exits)); }
  return out;
}

/** Waits for a collector to attach, at most `ms`: true, 'timeout', or why it failed. */
export async function attach(c: Collector, ms: number): Promise<true | 'timeout' | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), ms); });
  try {
    return await Promise.race([c.ready.then(() => true as const), timeout]);
  } catch (e) {
    return (e as Error).message;
  } finally {
    clearTimeout(timer);
  }
}
