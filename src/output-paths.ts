// Where a run will write (--report FILE, --artifacts DIR or the captures beside the report), checked before the
// run starts: a path that cannot be written ends the command at once with one line and exit 2, instead of an
// internal error after a long climb. Checking has no side effects; creating the missing directories is
// makeDirs(), one level at a time, because Node's recursive mkdir never returns under /proc (it retries ENOENT
// forever at 100% CPU).
import { constants } from 'node:fs';
import { access, mkdir, stat, statfs } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';

export class OutputPathError extends Error {}

/** Kernel pseudo filesystems (statfs f_type, include/uapi/linux/magic.h): nothing a run writes belongs there. */
const PSEUDO_FS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'], [0x62656572, 'sysfs'], [0x63677270, 'cgroup2'], [0x27e0eb, 'cgroup'], [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'], [0xcafe4a11, 'bpf'], [0x73636673, 'securityfs'], [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'], [0xde5e81e4, 'efivarfs'],
]);

/** The file-system questions the check asks; tests inject answers (a read-only mount, say). */
export interface PathProbe {
  /** 'dir', 'file' (anything else that is not a directory), or undefined when nothing is there. */
  kind(path: string): Promise<'dir' | 'file' | undefined>;
  /** Undefined when writable, else the errno code (EACCES, EROFS). */
  writable(path: string): Promise<string | undefined>;
  /** statfs f_type of the file system holding path. */
  fsType(path: string): Promise<number>;
}

export const realPathProbe: PathProbe = {
  async kind(path) {
    try { return (await stat(path)).isDirectory() ? 'dir' : 'file'; } catch (e) {
      if (code(e) === 'ENOENT') return undefined;
      // ENOTDIR: a component is a file; report it as that component's problem, found walking up.
      if (code(e) === 'ENOTDIR') return undefined;
      throw e;
    }
  },
  async writable(path) {
    try { await access(path, constants.W_OK); return undefined; } catch (e) { return code(e) ?? 'EACCES'; }
  },
  async fsType(path) { return Number((await statfs(path)).type); },
};

/** The directory the captures go to when only --report is given (artifacts.ts uses the same rule). */
export function capturesBeside(report: string): string {
  return join(dirname(resolve(report)), `${basename(report, extname(report))}-captures`);
}

/** The first problem with the paths a run will write, as one line naming the flag; undefined when all is well. */
export async function checkOutputPaths(
  args: { report?: string; artifacts?: string }, probe: PathProbe = realPathProbe,
): Promise<string | undefined> {
  try {
    if (args.report !== undefined) {
      const problem = await checkFile(resolve(args.report), probe);
      if (problem) return `--report ${args.report}: ${problem}`;
    }
    const dir = args.artifacts ?? (args.report !== undefined ? capturesBeside(args.report) : undefined);
    if (dir !== undefined) {
      const problem = await checkDir(resolve(dir), probe);
      const flag = args.artifacts !== undefined ? `--artifacts ${args.artifacts}` : `--report ${args.report} (captures go to ${dir})`;
      if (problem) return `${flag}: ${problem}`;
    }
  } catch (e) {
    return `cannot check where to write: ${(e as Error).message.split('\n')[0]}`;
  }
  return undefined;
}

async function checkFile(path: string, probe: PathProbe): Promise<string | undefined> {
  const kind = await probe.kind(path);
  if (kind === 'dir') return `${path} is a directory`;
  if (kind === 'file') {
    const parentProblem = await pseudo(dirname(path), probe);
    if (parentProblem) return parentProblem;
    const err = await probe.writable(path);
    return err ? `${path} is not writable (${err})` : undefined;
  }
  return checkDir(dirname(path), probe);
}

/** A directory that exists and takes new files, or that can be created under its nearest existing ancestor. */
async function checkDir(path: string, probe: PathProbe): Promise<string | undefined> {
  let at = path;
  for (;;) {
    const kind = await probe.kind(at);
    if (kind === 'file') return `${at} is not a directory`;
    if (kind === 'dir') break;
    const up = dirname(at);
    if (up === at) return `no existing directory above ${path}`;
    at = up;
  }
  const problem = await pseudo(at, probe);
  if (problem) return problem;
  const err = await probe.writable(at);
  if (err) return `${at} is not writable (${err === 'EROFS' ? 'read-only file system' : err})`;
  return undefined;
}

async function pseudo(dir: string, probe: PathProbe): Promise<string | undefined> {
  const fs = PSEUDO_FS.get(await probe.fsType(dir));
  return fs ? `${dir} is on ${fs}, a kernel pseudo file system; write somewhere else` : undefined;
}

/**
 * mkdir -p without Node's recursive mkdir (which spins under /proc): each missing level once, and any error
 * becomes an OutputPathError with one line.
 */
export async function makeDirs(path: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(path); ; at = dirname(at)) {
    const kind = await realPathProbe.kind(at).catch(() => undefined);
    if (kind === 'dir') break;
    if (kind === 'file') throw new OutputPathError(`${at} is not a directory`);
    if (dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (e) {
      if (code(e) === 'EEXIST' && (await realPathProbe.kind(dir)) === 'dir') continue;
      throw new OutputPathError(`cannot create ${dir}: ${code(e) ?? (e as Error).message}`);
    }
  }
}

const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException)?.code;
