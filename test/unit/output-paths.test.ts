// src/output-paths.ts and main(): --report / --artifacts places that cannot be written end the command before
// the run, in one line, exit 2, fast; nothing spins (Node's recursive mkdir loops forever under /proc).
import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { checkOutputPaths, makeDirs, OutputPathError, realPathProbe, type PathProbe } from '../../src/output-paths.js';
import { main } from '../../src/main.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'xdp-doctor-paths-')); dirs.push(d); return d; };
afterEach(() => { while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true }); });

describe('checkOutputPaths', () => {
  it('a writable place, existing or still to be made under a writable directory: no problem', async () => {
    const d = tmp();
    expect(await checkOutputPaths({ report: join(d, 'run.md') })).toBeUndefined();
    expect(await checkOutputPaths({ report: join(d, 'new', 'deeper', 'run.json'), artifacts: join(d, 'caps', 'x') })).toBeUndefined();
    writeFileSync(join(d, 'old.md'), 'previous run');
    expect(await checkOutputPaths({ report: join(d, 'old.md') })).toBeUndefined();
  });

  it('under a file: names the file that is not a directory', async () => {
    expect(await checkOutputPaths({ report: '/etc/passwd/x.md' })).toBe('--report /etc/passwd/x.md: /etc/passwd is not a directory');
    expect(await checkOutputPaths({ artifacts: '/etc/passwd/caps' })).toBe('--artifacts /etc/passwd/caps: /etc/passwd is not a directory');
  });

  it('under /proc or /sys: refused as a kernel pseudo file system', async () => {
    expect(await checkOutputPaths({ report: '/proc/x.md' })).toBe('--report /proc/x.md: /proc is on proc, a kernel pseudo file system; write somewhere else');
    expect(await checkOutputPaths({ artifacts: '/proc/1/caps' })).toMatch(/^--artifacts \/proc\/1\/caps: \/proc\/1 is on proc/);
    expect(await checkOutputPaths({ report: '/sys/kernel/x.json' })).toMatch(/^--report \/sys\/kernel\/x.json: \/sys\/kernel is on sysfs/);
  });

  it('the report is a directory, or the captures beside it would go where a file is', async () => {
    const d = tmp();
    mkdirSync(join(d, 'dir.md'));
    expect(await checkOutputPaths({ report: join(d, 'dir.md') })).toBe(`--report ${join(d, 'dir.md')}: ${join(d, 'dir.md')} is a directory`);
    writeFileSync(join(d, 'run-captures'), '');
    expect(await checkOutputPaths({ report: join(d, 'run.md') }))
      .toBe(`--report ${join(d, 'run.md')} (captures go to ${join(d, 'run-captures')}): ${join(d, 'run-captures')} is not a directory`);
  });

  it('a read-only place (injected: no read-only mount to spare here) says so', async () => {
    const ro: PathProbe = { ...realPathProbe, kind: async (p) => (p === '/mnt/ro' ? 'dir' : undefined), writable: async () => 'EROFS', fsType: async () => 0xef53 };
    expect(await checkOutputPaths({ report: '/mnt/ro/run.md' }, ro)).toBe('--report /mnt/ro/run.md: /mnt/ro is not writable (read-only file system)');
  });
});

describe('makeDirs', () => {
  it('creates every missing level and accepts what exists', async () => {
    const d = tmp();
    await makeDirs(join(d, 'a', 'b', 'c'));
    expect(statSync(join(d, 'a', 'b', 'c')).isDirectory()).toBe(true);
    await makeDirs(join(d, 'a', 'b', 'c'));
  });

  it('under /proc it fails at once instead of spinning; under a file it names the file', async () => {
    // A makeDirs that spins never rejects: the rejection itself is the assertion (the test's timeout catches a spin).
    await expect(makeDirs('/proc/xdp-doctor-test/caps')).rejects.toThrow(OutputPathError);
    await expect(makeDirs('/etc/passwd/caps')).rejects.toThrow('/etc/passwd is not a directory');
  });
});

describe('main: bad output paths before the run', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (into: string[]) => new Writable({ write(c, _e, cb) { into.push(String(c)); cb(); } });
    const code = await main(argv, { stdout: sink(out), stderr: sink(err) });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  it.each([
    [['--report', '/etc/passwd/x.md'], '--report /etc/passwd/x.md: /etc/passwd is not a directory'],
    [['--report', '/proc/x.md'], '--report /proc/x.md: /proc is on proc, a kernel pseudo file system; write somewhere else'],
    [['--artifacts', '/proc/caps', '--iface', 'lo'], '--artifacts /proc/caps: /proc is on proc, a kernel pseudo file system; write somewhere else'],
  ])('%j: exit 2, one line, no stack, before the run', async (argv, line) => {
    const r = await run([...argv, '--non-interactive']);
    // stdout empty: nothing of a run (no rung line, no report) was printed before the refusal.
    expect(r).toMatchObject({ code: 2, stdout: '', stderr: `xdp-doctor: ${line}\n` });
  });
});
