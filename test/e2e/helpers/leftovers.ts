// What a run may leave behind. Every process xdp-doctor starts carries XDP_DOCTOR_RUN=<its pid> in its
// environment (it survives nsenter and re-parenting), so leftovers of one run are found exactly, even
// while other labs and tools run on the same machine. BPF programs and links are compared by id.
import { readdirSync, readFileSync } from 'node:fs';
import { execa } from 'execa';

/** Live (non-zombie) processes started by the xdp-doctor process `runPid`. */
export function processesOfRun(runPid: number): string[] {
  const out: string[] = [];
  const mark = `XDP_DOCTOR_RUN=${runPid}\0`;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${d}/stat`, 'utf8'))) continue; // dead, awaiting a slow reaper
      if (!readFileSync(`/proc/${d}/environ`, 'utf8').includes(mark)) continue;
      out.push(`${d} ${readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch { /* exited while we looked */ }
  }
  return out;
}

export async function progIds(): Promise<Set<number>> {
  const r = await execa('bpftool', ['-j', 'prog', 'show'], { reject: false });
  return new Set((JSON.parse(String(r.stdout) || '[]') as { id: number }[]).map((p) => p.id));
}

/**
 * Programs a run could leak (tracing programs: bpftrace's, the fentry probe, xdpdump's) that are not in the
 * baseline and that no live process holds. XDP programs are the labs' own and are not a run's to leak.
 */
export async function leakedProgs(base: Set<number>): Promise<string[]> {
  const r = await execa('bpftool', ['-j', 'prog', 'show'], { reject: false });
  const all = JSON.parse(String(r.stdout) || '[]') as { id: number; type: string; name?: string; pids?: unknown[] }[];
  return all.filter((p) => !base.has(p.id) && p.type !== 'xdp' && !(p.pids?.length)).map((p) => `${p.id} ${p.type} ${p.name ?? '?'}`);
}

export async function linkIds(): Promise<Set<number>> {
  const r = await execa('bpftool', ['-j', 'link', 'show'], { reject: false });
  return new Set((JSON.parse(String(r.stdout) || '[]') as { id: number }[]).map((l) => l.id));
}

/** BPF links (tracing attachments, XDP links) that appeared since the baseline and are still there. */
export async function leakedLinks(base: Set<number>): Promise<number[]> {
  return [...(await linkIds())].filter((id) => !base.has(id));
}

/** VmHWM (peak resident set) of a live process, in MB. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch { return undefined; }
}
