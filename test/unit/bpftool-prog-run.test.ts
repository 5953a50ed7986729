// The BPF_PROG_TEST_RUN wrapper: argv, the parser on bpftool output recorded on these machines, and
// progRun over a fake Exec (temp files written, read back, removed).
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fakeExec } from '../../src/plugins/testing.js';
import { parseProgRunOutput, progRun, progRunArgv } from '../../src/tools/bpftool-prog-run.js';

const rec = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../recordings/bpftool/${name}`, import.meta.url)), 'utf8');

describe('parseProgRunOutput', () => {
  it('reads the verdict and duration of a single run (the blog vector: XDP_TX)', () => {
    expect(parseProgRunOutput(rec('prog-run.txt'))).toEqual({ retval: 3, durationNs: 8683 });
  });

  it('reads the average duration printed when repeat > 1', () => {
    expect(parseProgRunOutput(rec('prog-run-repeat.txt'))).toEqual({ retval: 2, durationNs: 479 });
  });

  it('throws a clear error on anything else', () => {
    expect(() => parseProgRunOutput('')).toThrow(/no "Return value: N, duration: Mns" line.*\(empty\)/);
    expect(() => parseProgRunOutput('Error: failed to run program: Invalid argument\n'))
      .toThrow(/Invalid argument/);
  });
});

describe('progRunArgv', () => {
  it('builds the argv for a program id and for a pin', () => {
    expect(progRunArgv({ id: 42 }, '/tmp/a', '/tmp/b')).toEqual(
      ['bpftool', 'prog', 'run', 'id', '42', 'data_in', '/tmp/a', 'data_out', '/tmp/b']);
    expect(progRunArgv({ pinned: '/sys/fs/bpf/x/prog' }, 'in', 'out', 10, 'ctx')).toEqual(
      ['bpftool', 'prog', 'run', 'pinned', '/sys/fs/bpf/x/prog', 'data_in', 'in', 'data_out', 'out',
        'ctx_in', 'ctx', 'repeat', '10']);
  });

  it('refuses ids, pins and repeat counts that are not what they claim', () => {
    expect(() => progRunArgv({ id: 0 }, 'a', 'b')).toThrow(/program id/);
    expect(() => progRunArgv({ id: 1.5 }, 'a', 'b')).toThrow(/program id/);
    expect(() => progRunArgv({ pinned: 'relative/prog' }, 'a', 'b')).toThrow(/pinned/);
    expect(() => progRunArgv({ id: 1 }, 'a', 'b', 0)).toThrow(/repeat/);
  });
});

const after = (argv: string[], word: string) => argv[argv.indexOf(word) + 1]!;

describe('progRun', () => {
  it('writes data_in, returns data_out and the verdict, and removes its temp dir', async () => {
    const exec = fakeExec([{
      argv: (argv) => argv.slice(0, 5).join(' ') === 'bpftool prog run id 7', stdout: rec('prog-run.txt'),
      effect: (argv) => {
        expect(readFileSync(after(argv, 'data_in'))).toEqual(Buffer.from([1, 2, 3]));
        writeFileSync(after(argv, 'data_out'), Buffer.from([9, 8]));
      },
    }]);
    const r = await progRun(exec, { id: 7 }, Buffer.from([1, 2, 3]));
    expect(r).toEqual({ retval: 3, output: Buffer.from([9, 8]), durationNs: 8683 });
    expect(exec.calls[0]!.argv.slice(0, 5)).toEqual(['bpftool', 'prog', 'run', 'id', '7']);
    expect(existsSync(after(exec.calls[0]!.argv, 'data_in'))).toBe(false);
  });

  it('surfaces bpftool\'s stderr when the run fails, and still cleans up', async () => {
    const exec = fakeExec([{ argv: (argv) => argv[0] === 'bpftool', exitCode: 234, stderr: 'Error: failed to run program: Invalid argument\n' }]);
    await expect(progRun(exec, { id: 7 }, Buffer.alloc(10))).rejects.toThrow(/Invalid argument/);
    expect(existsSync(after(exec.calls[0]!.argv, 'data_in'))).toBe(false);
  });

  it('passes ctx_in as a file', async () => {
    const exec = fakeExec([{
      argv: (argv) => argv[0] === 'bpftool', stdout: rec('prog-run.txt'),
      effect: (argv) => {
        expect(readFileSync(after(argv, 'ctx_in')).length).toBe(24);
        writeFileSync(after(argv, 'data_out'), Buffer.alloc(0));
      },
    }]);
    await progRun(exec, { id: 7 }, Buffer.alloc(14), { ctxIn: Buffer.alloc(24) });
    expect(exec.calls[0]!.argv).toContain('ctx_in');
  });
});
