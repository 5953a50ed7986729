// `xdp-doctor attach` on each kernel of the matrix, as on the host (test/e2e/attach.test.ts): a healthy attach and
// its undo, the veth peer MTU refusal (ERANGE) with this kernel's limit, a wrong --prog, and every verifier program
// of test/verifier/ rejected for its rule at its source line — the verifier's words differ between kernels, the
// diagnosis must not. Each report's top finding is recorded (test/recordings/kernels/<kernel>/attach/) for the
// parsers' unit tests.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { requireLabEnvironment, runCli } from '../e2e/helpers/cli.js';
import { attachKit, B, VERIFIER } from '../e2e/helpers/attach-kit.js';
import { KERNEL, record } from './helpers.js';

const { ipn, fresh, vethPair, attach, xdpOf, down } = attachKit('xak');
const kept = (name: string, r: { exitCode?: number; top?: unknown; stderr: string }) =>
  record(`attach/${name}.json`, JSON.stringify({ kernel: KERNEL, exitCode: r.exitCode, top: r.top ?? null }, null, 2));

beforeAll(async () => { await requireLabEnvironment(); });
afterEach(async () => { await down(); });

describe(`xdp-doctor attach on ${KERNEL || 'this kernel'}`, () => {
  test('healthy: attaches natively and undo detaches it', async () => {
    await fresh();
    await vethPair('ah0', 'ah1');
    const r = await attach(B('zoo/zoo_count_pass.o'), 'ah0');
    expect(r.errored).toEqual([]);
    expect(r.exitCode, JSON.stringify(r.top)).toBe(0);
    expect(r.byId.attach.evidence.find((e: any) => e.label === 'attached').data.mode).toBe('native');
    expect((await xdpOf('ah0')).prog.name).toBe('count_pass');
    const u = await runCli(['undo']);
    expect(u.exitCode, u.stderr).toBe(0);
    expect(await xdpOf('ah0')).toBeUndefined();
  });

  test('veth peer MTU 9000: ERANGE, the kernel\'s words, a limit from this kernel in the fix', async () => {
    await fresh();
    await vethPair('am0', 'am1', { mtu: 9000 });
    const r = await attach(B('xdp_pass.o'), 'am0');
    kept('veth-peer-mtu', r);
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe('attach-veth-peer-mtu');
    expect(r.top.errno).toEqual({ value: 34, name: 'ERANGE' });
    const limit = /the limit for this program \(no frags\) is (\d+)/.exec(r.top.evidence[0].message)?.[1];
    expect(limit, r.top.evidence[0].message).toBeDefined();
    expect(r.top.fixes[0].commands).toEqual([['ip', 'link', 'set', 'dev', 'am1', 'mtu', limit]]);
    // The limit is this kernel's own: below it the attach succeeds.
    await ipn('link', 'set', 'dev', 'am1', 'mtu', limit!);
    expect((await attach(B('xdp_pass.o'), 'am0')).exitCode).toBe(0);
  });

  test('a wrong --prog: the programs the object has', async () => {
    await fresh();
    await vethPair('ap0', 'ap1');
    const r = await attach(B('zoo/zoo_two_progs.o'), 'ap0', '--prog', 'nope');
    kept('prog-not-found', r);
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe('attach-prog-not-found');
    expect(r.top.evidence[0].message).toMatch(/count_first \(section xdp\), drop_second \(section xdp\)/);
  });
});

// unbounded_loop makes the verifier walk its million instructions (17 s on the host, minutes under TCG per kernel):
// it is held on the host's kernel by test/e2e/attach.test.ts; every other rule runs here on each kernel.
const ON_EACH_KERNEL = VERIFIER.filter(([name]) => name !== 'unbounded_loop');

describe(`verifier rejections on ${KERNEL || 'this kernel'}`, () => {
  test.each(ON_EACH_KERNEL)('%s → %s at line %i', async (name, cause, line) => {
    await fresh();
    // What this kernel's verifier says, as the attach runs it, for the parser's unit tests (verifier-log.test.ts).
    const ip = await execa('ip', ['-n', 'xak', 'link', 'set', 'dev', 'lo', 'xdpgeneric', 'obj', B(`verifier/${name}.o`), 'sec', 'xdp'], { reject: false, timeout: 120_000 });
    record(`attach/verifier-${name}.ip-stderr`, String(ip.stderr));
    const r = await attach(B(`verifier/${name}.o`), 'lo', '--mode', 'generic');
    kept(`verifier-${name}`, r);
    expect(r.errored).toEqual([]);
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe(cause);
    expect(r.top.evidence[0].message).toContain(`at ${name}.c:${line} `);
  });
});
