// Reads and writes of procfs, sysfs and tracefs go through this interface, like commands go through Exec,
// so checks stay testable with recorded files and --dry-run can refuse writes.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';

export interface Files {
  read(path: string): Promise<string | undefined>;
  write(path: string, data: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  list(dir: string): Promise<string[]>;
  readlink(path: string): Promise<string | undefined>;
  /** Captures and pcaps: bytes, not text. */
  readBytes(path: string): Promise<Buffer | undefined>;
  writeBytes(path: string, data: Uint8Array): Promise<void>;
  /** Creates the directory and its parents (no error when it exists). */
  mkdir(dir: string): Promise<void>;
  /** Where scratch files go when the run gave no artifact directory. */
  tempDir(): string;
}

export const realFiles: Files = {
  read: (p) => fs.readFile(p, 'utf8').catch(() => undefined),
  write: (p, d) => fs.writeFile(p, d),
  exists: (p) => fs.access(p).then(() => true, () => false),
  list: (d) => fs.readdir(d).catch(() => []),
  readlink: (p) => fs.readlink(p).catch(() => undefined),
  readBytes: (p) => fs.readFile(p).catch(() => undefined),
  writeBytes: (p, d) => fs.writeFile(p, d),
  mkdir: async (d) => { await fs.mkdir(d, { recursive: true }); },
  tempDir: () => tmpdir(),
};

/** --dry-run: reads are real (they change nothing); writes are recorded and skipped. */
export function dryRunFiles(writes: string[][]): Files {
  return {
    ...realFiles,
    write: async (p, d) => { writes.push(['write', p, d]); },
    writeBytes: async (p, d) => { writes.push(['write', p, `${d.byteLength} bytes`]); },
    mkdir: async (d) => { writes.push(['mkdir', '-p', d]); },
  };
}
