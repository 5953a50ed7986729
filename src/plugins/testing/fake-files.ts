// The check tester's fake Files: procfs/sysfs/tracefs contents and links given by the test; writes recorded.
import type { Files } from '../../tools/files.js';

export interface FakeFiles extends Files {
  reads: string[];
  writes: [path: string, data: string][];
}

/** Files by absolute path; list() and exists() see the directories the paths imply. */
export function fakeFiles(files: Record<string, string> = {}, links: Record<string, string> = {}): FakeFiles {
  const store = new Map(Object.entries(files));
  const reads: string[] = [];
  const writes: [string, string][] = [];
  const isDir = (d: string) => [...store.keys(), ...Object.keys(links)].some((p) => p.startsWith(`${d.replace(/\/$/, '')}/`));
  return {
    reads, writes,
    async read(p) { reads.push(p); return store.get(p); },
    async write(p, d) { writes.push([p, d]); store.set(p, d); },
    async exists(p) { return store.has(p) || p in links || isDir(p); },
    async list(d) {
      const prefix = `${d.replace(/\/$/, '')}/`;
      const names = [...store.keys(), ...Object.keys(links)].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!);
      return [...new Set(names)].sort();
    },
    async readlink(p) { return links[p]; },
    // Bytes are kept as latin1 text, one char per byte, so a test can give a pcap as a string.
    async readBytes(p) { reads.push(p); const v = store.get(p); return v === undefined ? undefined : Buffer.from(v, 'latin1'); },
    async writeBytes(p, d) { const v = Buffer.from(d).toString('latin1'); writes.push([p, v]); store.set(p, v); },
    async mkdir() { /* directories are implied by the paths */ },
    tempDir: () => '/tmp',
  };
}
