// The attach run (preconditions, then the attach) on recorded output: what ip, ethtool, getconf and iproute2's
// attach printed on this machine (test/recordings/attach/record.sh), replayed through the check tester's fake Exec.
// The real-kernel runs of the same cases are test/e2e/attach.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fakeExec, type Recording } from '../../src/plugins/testing.js';
import { fakeFiles } from '../../src/plugins/testing/fake-files.js';
import type { Exec } from '../../src/tools/exec.js';
import { runLadder } from '../../src/engine/ladder.js';
import { plan, targetOf } from '../../src/attach/command.js';
import type { AttachRequest } from '../../src/attach/request.js';
import { recording } from './helpers/recordings.js';
import { renderText } from '../../src/report/text.js';
import { renderMarkdown } from '../../src/report/markdown.js';

const OBJ = (p: string) => join(__dirname, '../../bpf/build', p);
const rec = (name: string) => recording(`attach/${name}.stdout`);
const lines = (text: string) => text.split('\n').filter((l) => l.length);

/** A loader process ends on its own; the check tester's collectors wait for stop() (long-running tools). */
function endingOnTheirOwn(inner: ReturnType<typeof fakeExec>): Exec {
  return { ...inner, run: inner.run.bind(inner), spawn: (argv, o) => { const c = inner.spawn(argv, o); void c.stop(); return c; } };
}

function files(object: string) {
  return fakeFiles({
    [object]: readFileSync(object).toString('latin1'),
    '/proc/self/status': rec('proc-self-status'),
    '/proc/self/mounts': rec('proc-self-mounts'),
  });
}

async function run(req: AttachRequest, recordings: Recording[], dryRun = false) {
  const exec = fakeExec(recordings);
  const report = await runLadder({
    target: targetOf(req), exec: endingOnTheirOwn(exec), files: files(req.object), checks: plan(req), signal: new AbortController().signal,
    dryRun, toolStatus: {}, tool: { name: 'xdp-doctor attach', version: 'test' }, emit: () => undefined,
  });
  return { report, exec, byId: Object.fromEntries(report.checks.map((c) => [c.id, c])) };
}

const NS = { kind: 'name', name: 'xa-rec' } as const;
const vethMtu: Recording[] = [
  { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'xv0'], stdout: rec('veth-mtu-9000.ip-link-show') },
  { argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec('veth-mtu-9000.ip-link-show-all') },
  { argv: ['ethtool', '-i', 'xv0'], stdout: rec('veth.ethtool-i') },
  { argv: ['ethtool', '-l', 'xv0'], stdout: rec('veth-mtu-9000.ethtool-l') },
  { argv: ['ethtool', '-l', 'xv1'], stdout: rec('veth-mtu-9000-peer.ethtool-l') },
  { argv: ['getconf', 'PAGESIZE'], stdout: rec('getconf-pagesize') },
];

describe('attach run on recorded output', () => {
  test('veth peer MTU 9000: the precondition names it, the refusal ranks first with the limit and the command', async () => {
    const req: AttachRequest = { object: OBJ('xdp_pass.o'), iface: 'xv0', netns: NS, mode: 'auto' };
    const { report, byId, exec } = await run(req, [...vethMtu,
      { argv: ['ip', 'link', 'set', 'dev', 'xv0', 'xdp', 'obj', req.object, 'sec', 'xdp'], stderrLines: lines(recording('attach/veth-mtu-erange.stderr')), exitCode: 2 }]);
    expect(exec.unmatched.map((c) => c.argv.join(' '))).toEqual([]);
    expect(byId.mtu!.status).toBe('warn');
    expect(byId.mtu!.summary).toBe('peer xv1 MTU 9000 > 3506: veth will refuse native XDP for a program without frags (ERANGE)');
    expect(byId.attach!.status).toBe('fail');
    const top = report.diagnosis[0]!;
    expect(top.cause).toBe('attach-veth-peer-mtu');
    expect(top.errno).toEqual({ value: 34, name: 'ERANGE' });
    expect(top.evidence.map((e) => [e.check, Boolean(e.joined)])).toEqual([['attach', false], ['mtu', true]]);
    expect(top.evidence[0]!.message).toBe('the kernel refused the attach: "veth: Peer MTU is too large to set XDP" (drivers/net/veth.c veth_xdp_set()): peer xv1 has MTU 9000, the limit for this program (no frags) is 3506 on this host');
    expect(top.fixes[0]).toMatchObject({ commands: [['ip', 'link', 'set', 'dev', 'xv1', 'mtu', '3506']], undo: [['ip', 'link', 'set', 'dev', 'xv1', 'mtu', '9000']], netns: NS });
    expect(report.exitCode).toBe(1);
    // Every view renders the same report.
    expect(renderText(report)).toContain('$ nsenter --net=/run/netns/xa-rec -- ip link set dev xv1 mtu 3506');
    expect(renderMarkdown(report)).toContain('attach-veth-peer-mtu');
  });

  test('--dry-run: preconditions read, the attach only printed; the predicted refusal fails its rung and is a note', async () => {
    const req: AttachRequest = { object: OBJ('xdp_pass.o'), iface: 'xv0', netns: NS, mode: 'auto' };
    const { report, byId, exec } = await run(req, vethMtu, true);
    expect(exec.calls.some((c) => c.argv.includes('obj'))).toBe(false);
    expect(byId.attach!.summary).toBe(`would run: nsenter --net=/run/netns/xa-rec -- ip link set dev xv0 xdp obj ${req.object} sec xdp; the preconditions predict a refusal (attach-veth-peer-mtu: see the notes)`);
    expect(byId.mtu!.status).toBe('fail');
    expect(report.diagnosis).toEqual([]);
    expect(report.notes?.map((n) => n.cause)).toEqual(['attach-veth-peer-mtu']);
    expect(report.exitCode).toBe(1);
  });

  test('a frags-aware program: the limit is above veth\'s own largest MTU', async () => {
    const req: AttachRequest = { object: OBJ('zoo/zoo_pass_frags.o'), iface: 'xv0', netns: NS, mode: 'auto' };
    const { byId } = await run(req, vethMtu, true);
    expect(byId.object!.summary).toMatch(/^pass_frags \(section xdp\.frags\): frags-aware/);
    expect(byId.mtu!.summary).toBe('peer xv1 MTU 9000 ≤ 65535, the limit for a program with frags');
  });

  test('veth queues: 1 RX here, 4 TX on the peer: ENOSPC with both counts and the ethtool command', async () => {
    const req: AttachRequest = { object: OBJ('xdp_pass.o'), iface: 'xq1', netns: NS, mode: 'native' };
    const { report, byId } = await run(req, [
      { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'xq1'], stdout: rec('veth-queues.ip-link-show') },
      { argv: ['ip', '-j', '-d', 'link', 'show'], stdout: rec('veth-queues.ip-link-show-all') },
      { argv: ['ethtool', '-i', 'xq1'], stdout: rec('veth.ethtool-i') },
      { argv: ['ethtool', '-l', 'xq1'], stdout: rec('veth-queues.ethtool-l') },
      { argv: ['ethtool', '-l', 'xq0'], stdout: rec('veth-queues-peer.ethtool-l') },
      { argv: ['getconf', 'PAGESIZE'], stdout: rec('getconf-pagesize') },
      { argv: ['ip', 'link', 'set', 'dev', 'xq1', 'xdpdrv', 'obj', req.object, 'sec', 'xdp'], stderrLines: lines(recording('attach/veth-queues-enospc.stderr')), exitCode: 2 },
    ]);
    expect(byId.queues!.summary).toBe('1 RX queue(s) here < 4 TX queue(s) on the peer xq0: veth will refuse native XDP (ENOSPC)');
    const top = report.diagnosis[0]!;
    expect(top.cause).toBe('attach-veth-queues');
    expect(top.evidence[0]!.message).toMatch(/xq1 has 1 RX queue\(s\), its peer xq0 4 TX queue\(s\)$/);
    expect(top.fixes[0]!.commands).toEqual([['ethtool', '-L', 'xq0', 'tx', '1']]);
    // xq1 was made with one RX queue at most: raising it is not offered as a command.
    expect(top.fixes[1]!.commands).toEqual([]);
  });

  test('macvlan in native mode: named by the device rung, refused by the kernel, the generic command offered', async () => {
    const req: AttachRequest = { object: OBJ('xdp_pass.o'), iface: 'xm0', netns: NS, mode: 'native' };
    const { report, byId } = await run(req, [
      { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'xm0'], stdout: rec('macvlan.ip-link-show') },
      { argv: ['ethtool', '-i', 'xm0'], stdout: rec('macvlan.ethtool-i') },
      { argv: ['ip', 'link', 'set', 'dev', 'xm0', 'xdpdrv', 'obj', req.object, 'sec', 'xdp'], stderrLines: lines(recording('attach/macvlan-native.stderr')), exitCode: 2 },
    ]);
    expect(byId.device!.status).toBe('warn');
    expect(byId.mtu!.status).toBe('skip');
    const top = report.diagnosis[0]!;
    expect(top.cause).toBe('attach-native-unsupported');
    expect(top.errno?.name).toBe('EOPNOTSUPP');
    expect(top.fixes[0]!.commands).toEqual([['ip', 'link', 'set', 'dev', 'xm0', 'xdpgeneric', 'obj', req.object, 'sec', 'xdp']]);
  });

  test('a verifier rejection: the rule and the source line, what the verifier needs there', async () => {
    const req: AttachRequest = { object: OBJ('verifier/map_null.o'), iface: 'xm0', netns: NS, mode: 'generic' };
    const { report } = await run(req, [
      { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'xm0'], stdout: rec('macvlan.ip-link-show') },
      { argv: ['ethtool', '-i', 'xm0'], stdout: rec('macvlan.ethtool-i') },
      { argv: ['ip', 'link', 'set', 'dev', 'xm0', 'xdpgeneric', 'obj', req.object, 'sec', 'xdp'], stderrLines: lines(recording('verifier/map_null.ip-stderr')), exitCode: 255 },
    ]);
    const top = report.diagnosis[0]!;
    expect(top.cause).toBe('verifier-map-value-null');
    expect(top.errno).toEqual({ value: 13, name: 'EACCES' });
    expect(top.evidence[0]!.message).toMatch(/^the verifier rejected map_null at map_null\.c:18 `\*count \+= 1;`: R0 invalid mem access 'map_value_or_null' \(insn 7: \(79\) r1 = \*\(u64 \*\)\(r0 \+0\)\)/);
    expect(top.fixes[0]!.title).toMatch(/^at map_null\.c:18, the verifier needs: if \(!value\) return/);
  });
});

describe('errno explained for an attach', () => {
  test('a verifier rejection\'s EINVAL (helper_not_allowed, recorded: libbpf "failed to load: -22") is the verifier\'s rule, not a redirect error', async () => {
    const req: AttachRequest = { object: OBJ('verifier/helper_not_allowed.o'), iface: 'xm0', netns: NS, mode: 'generic' };
    const { report } = await run(req, [
      { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'xm0'], stdout: rec('macvlan.ip-link-show') },
      { argv: ['ethtool', '-i', 'xm0'], stdout: rec('macvlan.ethtool-i') },
      { argv: ['ip', 'link', 'set', 'dev', 'xm0', 'xdpgeneric', 'obj', req.object, 'sec', 'xdp'], stderrLines: lines(recording('verifier/helper_not_allowed.ip-stderr')), exitCode: 255 },
    ]);
    expect(report.diagnosis[0]).toMatchObject({ cause: 'verifier-helper-not-allowed', errno: { value: 22, name: 'EINVAL' } });
    expect(report.errnos).toHaveLength(1);
    expect(report.errnos[0]).toMatchObject({ value: 22, name: 'EINVAL', observed: true, causes: ['verifier-helper-not-allowed'] });
    expect(report.errnos[0]!.meaning).toBe('the verifier\'s rule: a helper that XDP programs may not call (the program type\'s get_func_proto() does not offer it)');
    expect(report.errnos[0]!.tracepoint).toBeUndefined();
  });


  test('the refusal row gives the meaning and the kernel source', async () => {
    const { concludeErrnos } = await import('../../src/engine/errnos.js');
    const [e] = concludeErrnos([{ cause: 'attach-veth-queues', title: '', confidence: 0.97, evidence: [], errno: { value: 28, name: 'ENOSPC' }, fixes: [] }], []);
    expect(e).toMatchObject({ name: 'ENOSPC', meaning: 'the kernel\'s refusal "veth: XDP expects number of rx queues not less than peer tx queues"' });
    expect(e!.source).toMatch(/^drivers\/net\/veth\.c veth_xdp_set\(\)/);
  });
});

describe('virtio_net (this machine\'s eth0, recorded read-only)', () => {
  test('host offloads the guest cannot turn off: native XDP predicted refused, the generic command offered', async () => {
    const req: AttachRequest = { object: OBJ('xdp_pass.o'), iface: 'eth0', mode: 'native' };
    const { report, byId, exec } = await run(req, [
      { argv: ['ip', '-j', '-d', 'link', 'show', 'dev', 'eth0'], stdout: rec('virtio.ip-link-show') },
      { argv: ['ethtool', '-i', 'eth0'], stdout: rec('virtio.ethtool-i') },
      { argv: ['ethtool', '-k', 'eth0'], stdout: rec('virtio.ethtool-k') },
      { argv: ['getconf', 'PAGESIZE'], stdout: rec('getconf-pagesize') },
    ], true);
    expect(exec.unmatched.map((c) => c.argv.join(' '))).toEqual([]);
    expect(byId.device!.summary).toMatch(/driver virtio_net.*native XDP yes/);
    expect(byId.virtio!.status).toBe('fail');
    expect(byId.virtio!.summary).toMatch(/rx-gro-hw on \[fixed\], rx-checksumming on \[fixed\].*refuses native XDP \(EOPNOTSUPP\)/);
    expect(report.notes?.map((n) => n.cause)).toEqual(['attach-virtio-offloads']);
    expect(byId.virtio!.findings[0]!.fixes[0]!.commands[0]!.slice(0, 6)).toEqual(['ip', 'link', 'set', 'dev', 'eth0', 'xdpgeneric']);
  });
});
