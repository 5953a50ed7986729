// `xdp-doctor attach` against the real kernel: each case builds its own namespace (named after this test's pid)
// with the devices it needs, runs the built CLI as a user would, and asserts that the report's diagnosis[0] names
// the cause, quotes the kernel's words and carries a fix with this host's numbers — and, where the fix is a
// command, that running it makes the attach succeed. Namespaces are deleted after every test, pass or fail.
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { CLI, ROOT, requireLabEnvironment, runCli } from './helpers/cli.js';
import { attachKit, B, VERIFIER } from './helpers/attach-kit.js';

const NS = `xat-${process.pid}`;
const { ipn, fresh, vethPair, attach, xdpOf, runFix, down } = attachKit(NS);
const holders: ResultPromise[] = [];

const SOCKET = `xat-${process.pid}`;
const tmux = (...args: string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });
const screen = async () => String((await tmux('capture-pane', '-p', '-t', 'w')).stdout);
async function until(what: string, cond: (s: string) => boolean, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = await screen();
    if (cond(s)) return s;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => { await requireLabEnvironment(); });
afterEach(async () => {
  for (const h of holders.splice(0)) { h.kill('SIGTERM'); await h.catch(() => undefined); }
  await tmux('kill-server');
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, SOCKET), { force: true });
  await down();
});

describe('xdp-doctor attach on the real kernel', () => {
  test('healthy: attaches natively, says the mode, id and maps, and undo detaches it', async () => {
    await fresh();
    await vethPair('ah0', 'ah1');
    const r = await attach(B('zoo/zoo_count_pass.o'), 'ah0');
    expect(r.errored).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.report.diagnosis).toEqual([]);
    const a = r.byId.attach.evidence.find((e: any) => e.label === 'attached').data;
    expect(a.mode).toBe('native');
    expect(a.maps.join()).toMatch(/pkt_count \(percpu_array, id \d+\)/);
    expect((await xdpOf('ah0')).prog.id).toBe(a.progId);
    const u = await runCli(['undo']);
    expect(u.exitCode, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/undone: attach count_pass/);
    expect(await xdpOf('ah0')).toBeUndefined();
  });

  test('veth peer MTU 9000, no frags: ERANGE quoted, the limit 3506 in the fix; the fix works; a frags program attaches at 9000', async () => {
    await fresh();
    await vethPair('am0', 'am1', { mtu: 9000 });
    const dry = await attach(B('xdp_pass.o'), 'am0', '--dry-run');
    expect(dry.byId.mtu.status).toBe('fail');
    expect(dry.byId.attach.summary).toMatch(/^would run: .*ip link set dev am0 xdp obj \S+xdp_pass\.o sec xdp; the preconditions predict a refusal \(attach-veth-peer-mtu: see the notes\)$/);
    expect(await xdpOf('am0')).toBeUndefined();

    const r = await attach(B('xdp_pass.o'), 'am0');
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe('attach-veth-peer-mtu');
    expect(r.top.errno).toEqual({ value: 34, name: 'ERANGE' });
    expect(r.top.evidence[0].message).toMatch(/"veth: Peer MTU is too large to set XDP".*peer am1 has MTU 9000, the limit for this program \(no frags\) is 3506/);
    const lower = r.top.fixes[0];
    expect(lower.commands).toEqual([['ip', 'link', 'set', 'dev', 'am1', 'mtu', '3506']]);
    expect(r.top.fixes.map((f: any) => f.title).join('\n')).toMatch(/xdp\.frags/);

    const frags = await attach(B('zoo/zoo_pass_frags.o'), 'am0');
    expect(frags.exitCode, JSON.stringify(frags.top)).toBe(0);
    await ipn('link', 'set', 'dev', 'am0', 'xdp', 'off');

    await runFix(lower);
    expect((await attach(B('xdp_pass.o'), 'am0')).exitCode).toBe(0);
  });

  test('macvlan in native mode: EOPNOTSUPP named before and after, the generic command attaches', async () => {
    await fresh();
    await vethPair('av0', 'av1');
    await ipn('link', 'add', 'amv0', 'link', 'av1', 'type', 'macvlan', 'mode', 'bridge');
    await ipn('link', 'set', 'amv0', 'up');
    const r = await attach(B('xdp_pass.o'), 'amv0', '--mode', 'native');
    expect(r.exitCode).toBe(1);
    expect(r.byId.device.summary).toMatch(/macvlan.*native XDP no/);
    expect(r.top.cause).toBe('attach-native-unsupported');
    expect(r.top.evidence.map((e: any) => e.message).join('\n')).toMatch(/"Underlying driver does not support XDP in native mode"/);
    const generic = r.top.fixes[0];
    expect(generic.commands[0].slice(0, 6)).toEqual(['ip', 'link', 'set', 'dev', 'amv0', 'xdpgeneric']);
    await runFix(generic);
    expect((await xdpOf('amv0')).mode).toBe(2);
  });

  test('native over generic and generic over native: EEXIST with the program on the hook and its detach', async () => {
    await fresh();
    await vethPair('ae0', 'ae1');
    expect((await attach(B('xdp_pass.o'), 'ae0', '--mode', 'generic')).exitCode).toBe(0);
    const g = await xdpOf('ae0');
    const r = await attach(B('zoo/zoo_count_pass.o'), 'ae0', '--mode', 'native');
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe('attach-mode-conflict');
    expect(r.top.evidence[0].message).toMatch(new RegExp(`"Native and generic XDP can't be active at the same time".*program ${g.prog.id} \\(xdp_pass\\) in generic mode`));
    expect(r.top.fixes[0].commands).toEqual([['ip', 'link', 'set', 'dev', 'ae0', 'xdpgeneric', 'off']]);
    await runFix(r.top.fixes[0]);

    expect((await attach(B('xdp_pass.o'), 'ae0', '--mode', 'native')).exitCode).toBe(0);
    const back = await attach(B('zoo/zoo_count_pass.o'), 'ae0', '--mode', 'generic');
    expect(back.top.cause).toBe('attach-mode-conflict');
    expect(back.top.fixes[0].commands).toEqual([['ip', 'link', 'set', 'dev', 'ae0', 'xdpdrv', 'off']]);
  });

  test('a bpf_link holds the hook: EBUSY with the link and the process holding it', async () => {
    await fresh();
    await vethPair('al0', 'al1');
    const hold = execa('nsenter', [`--net=/run/netns/${NS}`, '--', B('zoo/xdp_link_hold'), B('xdp_pass.o'), 'al0'], { reject: false });
    holders.push(hold);
    await new Promise<void>((resolve, reject) => {
      hold.stdout!.on('data', (d) => { if (String(d).includes('attached')) resolve(); });
      hold.catch(reject).then(() => reject(new Error('xdp_link_hold exited before attaching')));
    });
    const r = await attach(B('zoo/zoo_count_pass.o'), 'al0');
    expect(r.exitCode).toBe(1);
    expect(r.byId.hook.summary).toMatch(/owned by bpf_link \d+/);
    expect(r.top.cause).toBe('attach-link-held');
    expect(r.top.evidence[0].message).toMatch(new RegExp(`"Can't replace active BPF XDP link".*bpf_link \\d+ holds program \\d+, held open by pid ${hold.pid} \\(xdp_link_hold\\)`));
    expect(r.top.fixes[0].commands).toEqual([['kill', String(hold.pid)]]);
  });

  test('veth with fewer RX queues than its peer has TX queues: ENOSPC with both counts; lowering the peer\'s TX queues works', async () => {
    await fresh();
    await vethPair('aq0', 'aq1', { queues: true });
    const r = await attach(B('xdp_pass.o'), 'aq0');
    expect(r.exitCode).toBe(1);
    expect(r.byId.queues.status).toBe('warn');
    expect(r.top.cause).toBe('attach-veth-queues');
    expect(r.top.evidence[0].message).toMatch(/"veth: XDP expects number of rx queues not less than peer tx queues".*aq0 has 1 RX queue\(s\), its peer aq1 4 TX queue\(s\)/);
    expect(r.top.fixes[0].commands).toEqual([['ethtool', '-L', 'aq1', 'tx', '1']]);
    await runFix(r.top.fixes[0]);
    expect((await attach(B('xdp_pass.o'), 'aq0')).exitCode).toBe(0);
  });

  test('several programs and a wrong --prog: the names in the object; the right one attaches by name', async () => {
    await fresh();
    await vethPair('ap0', 'ap1');
    const r = await attach(B('zoo/zoo_two_progs.o'), 'ap0', '--prog', 'nope');
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe('attach-prog-not-found');
    expect(r.top.evidence[0].message).toMatch(/doesn't contain prog nope.*count_first \(section xdp\), drop_second \(section xdp\)/);
    const ok = await attach(B('zoo/zoo_two_progs.o'), 'ap0', '--prog', 'drop_second');
    expect(ok.exitCode).toBe(0);
    expect((await xdpOf('ap0')).prog.name).toBe('drop_second');
  });
});

describe('the wizard in a terminal', () => {
  test('no program on the interface: t, the object, Enter → the refusal explained → f, y → attached', async () => {
    await fresh();
    await vethPair('aw0', 'aw1', { mtu: 9000 });
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'CI' && k !== 'NO_COLOR') env[k] = v;
    env.TERM = 'xterm-256color';
    const created = await execa('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', 'w', '-x', '110', '-y', '50',
      process.execPath, CLI, '--iface', 'aw0', '--netns', NS, '--skip', 'trace-pipe'], { cwd: ROOT, env, extendEnv: false, reject: false });
    expect(created.exitCode, String(created.stderr)).toBe(0);
    await until('the first rung to wait', (x) => /▸ next:/.test(x));
    await tmux('send-keys', '-t', 'w', 'a');
    await until('the end of the ladder with t offered', (x) => x.includes('t attach a program'), 90_000);
    await tmux('send-keys', '-t', 'w', 't');
    await until('the object prompt', (x) => x.includes('Attach an XDP program to aw0'));
    await tmux('send-keys', '-t', 'w', '-l', B('xdp_pass.o'));
    await tmux('send-keys', '-t', 'w', 'Enter');
    const refused = await until('the refusal explained', (x) => /fix: lower the MTU of the peer aw1 to 3506 \(from 9000\)/.test(x));
    expect(refused).toMatch(/The veth peer's MTU is above what native XDP accepts for this program \(ERANGE\)/);
    await tmux('send-keys', '-t', 'w', 'f');
    await until('the fix prompt', (x) => /Apply it\?/.test(x));
    await tmux('send-keys', '-t', 'w', 'y');
    const fixed = await until('the attach after the fix', (x) => /the fix worked|not fixed/.test(x));
    expect(fixed).toMatch(/attached xdp_pass \(id \d+\) to aw0 in native mode/);
    expect((await xdpOf('aw0')).prog.name).toBe('xdp_pass');
    await tmux('send-keys', '-t', 'w', 'q');
  });
});

describe('verifier rejections explained', () => {
  test.each(VERIFIER)('%s → %s at line %i', async (name, cause, line) => {
    await fresh();
    const r = await attach(B(`verifier/${name}.o`), 'lo', '--mode', 'generic');
    expect(r.errored).toEqual([]);
    expect(r.exitCode).toBe(1);
    expect(r.top.cause).toBe(cause);
    expect(r.top.evidence[0].message).toContain(`at ${name}.c:${line} `);
    expect(r.top.fixes[0].title).toMatch(new RegExp(`^at ${name}\\.c:${line}, the verifier needs: `));
  });
});
