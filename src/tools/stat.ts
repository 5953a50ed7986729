// coreutils stat: inode numbers, one per line (`stat -L -c %i`). A namespace is known by its nsfs inode, which
// both /run/netns/NAME (a bind mount) and /proc/PID/ns/net ("net:[INODE]") show, so this is how a survey tells
// a process's namespace from a named one without entering either.
import type { Exec } from './exec.js';

/** The inodes stat printed; lines of paths it could not read are on stderr, so what is here is whole. */
export function parseInodes(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => /^\d+$/.test(l));
}

export function createStat(exec: Exec) {
  return {
    /** Inodes of the paths stat could read (one unreadable path does not lose the others). */
    async inodes(paths: string[], opts: { signal?: AbortSignal } = {}): Promise<string[]> {
      if (!paths.length) return [];
      const r = await exec.run(['stat', '-L', '-c', '%i', ...paths], { timeoutMs: 5000, signal: opts.signal });
      return parseInodes(r.stdout);
    },
  };
}
export type StatTool = ReturnType<typeof createStat>;
