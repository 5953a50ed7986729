// BPF_PROG_TEST_RUN through bpftool: feed a packet to a loaded XDP program and get its verdict and the
// packet it produced, without attaching anything. The bpf/ tests use it on pinned test objects; a later
// rung replays captured packets through the program that is actually loaded (`prog run id N`).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exec, RunOptions } from './exec.js';
import { excerpt, ToolOutputError } from './json.js';

export type ProgRef = { id: number } | { pinned: string };

export interface ProgRunResult {
  retval: number;
  output: Buffer;
  durationNs?: number;
}

export interface ProgRunOptions extends Pick<RunOptions, 'netns' | 'timeoutMs' | 'signal'> {
  /**
   * Runs the program this many times; bpftool then reports an average duration. The kernel does not
   * reset the packet between iterations: runs 2..N see what run 1 produced, and the reported retval is
   * the LAST one. Use the default (1) for verdicts; repeat only for timing.
   */
  repeat?: number;
  /** A struct xdp_md (24 bytes) for ctx_in, e.g. to put metadata in front of the packet. */
  ctxIn?: Buffer;
}

function progArgs(prog: ProgRef): string[] {
  if ('id' in prog) {
    if (!Number.isSafeInteger(prog.id) || prog.id <= 0) throw new Error(`invalid BPF program id: ${prog.id}`);
    return ['id', String(prog.id)];
  }
  // Pins live on bpffs; a relative path would be resolved against whatever cwd bpftool inherits.
  if (!prog.pinned.startsWith('/') || prog.pinned.includes('\0')) {
    throw new Error(`invalid pinned program path: ${JSON.stringify(prog.pinned)}`);
  }
  return ['pinned', prog.pinned];
}

/** The argv of one `bpftool prog run`; ctxIn is a file holding a struct xdp_md. */
export function progRunArgv(prog: ProgRef, dataIn: string, dataOut: string, repeat?: number, ctxIn?: string): string[] {
  const argv = ['bpftool', 'prog', 'run', ...progArgs(prog), 'data_in', dataIn, 'data_out', dataOut];
  if (ctxIn !== undefined) argv.push('ctx_in', ctxIn);
  if (repeat !== undefined) {
    if (!Number.isSafeInteger(repeat) || repeat <= 0) throw new Error(`invalid repeat count: ${repeat}`);
    argv.push('repeat', String(repeat));
  }
  return argv;
}

// bpftool prints "Return value: 3, duration: 992ns", or "duration (average): 43ns" when repeat > 1.
// With data_out "-" it also prints a hex dump, so the line is searched for, not assumed to be alone.
const RESULT_LINE = /^Return value: (\d+), duration(?: \(average\))?: (\d+)ns\s*$/m;

export function parseProgRunOutput(text: string): { retval: number; durationNs?: number } {
  const m = RESULT_LINE.exec(text);
  if (!m) {
    const shown = text.trim().slice(0, 200) || '(empty)';
    throw new ToolOutputError('bpftool', `prog run: no "Return value: N, duration: Mns" line in output: ${shown}`, excerpt(text) || '(empty)');
  }
  return { retval: Number(m[1]), durationNs: Number(m[2]) };
}

/** Runs `input` through the program once (or `repeat` times) and returns its verdict and output packet. */
export async function progRun(exec: Exec, prog: ProgRef, input: Buffer, opts: ProgRunOptions = {}): Promise<ProgRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'xdpd-progrun-'));
  try {
    const dataIn = join(dir, 'data_in');
    const dataOut = join(dir, 'data_out');
    await writeFile(dataIn, input);
    let ctxIn: string | undefined;
    if (opts.ctxIn) {
      ctxIn = join(dir, 'ctx_in');
      await writeFile(ctxIn, opts.ctxIn);
    }
    const argv = progRunArgv(prog, dataIn, dataOut, opts.repeat, ctxIn);
    const r = await exec.run(argv, { netns: opts.netns, timeoutMs: opts.timeoutMs ?? 15_000, signal: opts.signal });
    if (!r.ok) {
      // bpftool says why on stderr, e.g. "Error: failed to run program: Invalid argument" for a frame
      // shorter than an Ethernet header (the kernel refuses those before the program runs).
      const why = r.notFound ? r.stderr : (r.stderr.trim() || r.stdout.trim() || `exit code ${r.exitCode ?? '?'}`);
      throw new Error(`${argv.join(' ')}: ${r.timedOut ? 'timed out' : why}`);
    }
    const { retval, durationNs } = parseProgRunOutput(r.stdout);
    const output = await readFile(dataOut);
    return durationNs === undefined ? { retval, output } : { retval, output, durationNs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
