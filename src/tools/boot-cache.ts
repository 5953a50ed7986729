// Preflight facts that cannot change within a boot — each tool's version, whether fentry programs load — kept per
// boot in the run directory (tmpfs: gone at reboot), keyed on /proc/sys/kernel/random/boot_id and the process's
// effective capabilities. Revalidated cheaply: a tool's version is reused only while its binary (path, size,
// mtime: one stat, no process) is the one that reported it; anything else is asked again.
import { statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { runDir } from '../state-dirs.js';

export const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

export interface BootFacts {
  bootId: string;
  /** /proc/self/status CapEff: another user's or a capability-dropped run does not share the fentry answer. */
  capEff: string;
  tools: Record<string, { version: string | null; fingerprint: string | null }>;
  /** Only a definite answer is kept (a load that could not be tried is asked again). */
  fentry?: { ok: boolean; error?: string };
}

export function bootCachePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(runDir(env), `preflight-${process.getuid?.() ?? 'user'}.json`);
}

/** "PATH SIZE MTIME" of the binary the PATH lookup finds (root's sbin dirs included, as onPath), null when none. */
export function binFingerprint(
  bin: string, pathEnv = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
  stat: (p: string) => { size: number; mtimeMs: number; isFile(): boolean } | undefined = (p) => statSync(p, { throwIfNoEntry: false }),
): string | null {
  for (const d of new Set([...pathEnv.split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    if (!d) continue;
    const p = join(d, bin);
    // A PATH directory this user may not enter (root's ~/.cargo/bin for nobody) is skipped, as a PATH lookup would.
    let s;
    try { s = stat(p); } catch { continue; }
    if (s?.isFile()) return `${p} ${s.size} ${Math.round(s.mtimeMs)}`;
  }
  return null;
}

/** The cached facts when they are this boot's and this process's; undefined for anything else (or unreadable). */
export function parseBootFacts(text: string | undefined, bootId: string, capEff: string): BootFacts | undefined {
  if (!text) return undefined;
  let v: unknown;
  try { v = JSON.parse(text); } catch { return undefined; }
  const o = v as Partial<BootFacts>;
  if (!o || typeof o !== 'object' || o.bootId !== bootId || o.capEff !== capEff || !o.tools || typeof o.tools !== 'object') return undefined;
  for (const t of Object.values(o.tools)) {
    if (!t || typeof t !== 'object' || !(t.version === null || typeof t.version === 'string') || !(t.fingerprint === null || typeof t.fingerprint === 'string')) return undefined;
  }
  if (o.fentry !== undefined && typeof o.fentry?.ok !== 'boolean') return undefined;
  return o as BootFacts;
}

/** Versions still valid (same binary as when cached) and the tools to ask again. */
export function reusableVersions(
  cached: BootFacts | undefined, fingerprints: Record<string, string | null>,
): { known: Record<string, string | null>; stale: string[] } {
  const known: Record<string, string | null> = {};
  const stale: string[] = [];
  for (const [tool, fp] of Object.entries(fingerprints)) {
    const c = cached?.tools[tool];
    if (c && c.fingerprint === fp) known[tool] = c.version;
    else stale.push(tool);
  }
  return { known, stale };
}
