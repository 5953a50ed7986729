// A container-like target: two network namespaces WITHOUT names under /run/netns, each held by a process
// (`unshare --net`), a veth between them, an XDP_TX program (test/zoo/zoo_icmp_echo.c) on the "container's"
// end whose peer has no XDP program, and unrelated UDP traffic flowing beside the probe. The peer must be found
// through /proc/PID/ns/net, the fix must enter it by that path and work, and the route must count the probe's
// three requests and not the UDP flood. Every tcpdump the run starts is filtered to the probe's flow.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, requireLabEnvironment, runCli } from './helpers/cli.js';
import { captureFilterOf } from '../../src/probe-flow.js';

const holders: ResultPromise[] = [];
let container = 0;
let host = 0;
const nsOf = (pid: number) => `/proc/${pid}/ns/net`;
const inNs = (pid: number, argv: string[]) => execa('nsenter', [`--net=${nsOf(pid)}`, '--', ...argv]);
const PROBE = 'ping -c 3 -i 0.2 -W 1 10.111.70.2';

async function holdNamespace(): Promise<number> {
  // --kill-child: the sleeping child dies with unshare, so killing the holder ends the namespace.
  const p = execa('unshare', ['--net', '--fork', '--kill-child', 'sleep', '300'], { reject: false, stdio: 'ignore' });
  holders.push(p);
  // unshare enters the new namespace itself before it forks: its own /proc/PID/ns/net is the one.
  for (let i = 0; i < 50; i++) {
    const self = await execa('readlink', ['/proc/self/ns/net']);
    const its = await execa('readlink', [nsOf(p.pid!)], { reject: false });
    if (its.exitCode === 0 && its.stdout !== self.stdout) return p.pid!;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('unshare --net did not make a namespace');
}

/** ~150 UDP datagrams over ~3 s from the host side to an unrelated port: traffic the route must not count. */
function udpFlood(): ResultPromise {
  const lines = Array.from({ length: 150 }, (_, i) => `flood ${i}`).join('\n');
  return execa('nsenter', [`--net=${nsOf(host)}`, '--', 'nc', '-u', '-i', '0.02', '-w', '1', '10.111.70.2', '9999'], { input: lines, reject: false, timeout: 15_000 });
}

async function doctor(extra: string[] = []) {
  const flood = udpFlood();
  try {
    const r = await runCli(['--iface', 'ceth0', '--netns', nsOf(container), '--probe', PROBE, '--probe-netns', nsOf(host), '--skip', 'trace-pipe', '--json', ...extra], {
      env: { XDP_DOCTOR_STATE_DIR: stateDir },
    });
    return { ...r, report: JSON.parse(r.stdout) };
  } finally {
    flood.kill();
    await flood;
  }
}

const stateDir = mkdtempSync(join(tmpdir(), 'xdpd-ctr-'));

beforeAll(async () => {
  await requireLabEnvironment();
  container = await holdNamespace();
  host = await holdNamespace();
  // Made inside the container's namespace with its peer placed straight into the host's: no name is ever taken in
  // the root namespace, where another test or a user's interface could hold it.
  await inNs(container, ['ip', 'link', 'add', 'ceth0', 'type', 'veth', 'peer', 'name', 'hveth0', 'netns', String(host)]);
  await inNs(container, ['ip', 'addr', 'add', '10.111.70.2/24', 'dev', 'ceth0']);
  await inNs(host, ['ip', 'addr', 'add', '10.111.70.1/24', 'dev', 'hveth0']);
  for (const [pid, dev] of [[container, 'ceth0'], [host, 'hveth0']] as const) {
    await inNs(pid, ['ip', 'link', 'set', 'lo', 'up']);
    await inNs(pid, ['ip', 'link', 'set', dev, 'up']);
  }
  await inNs(container, ['ip', 'link', 'set', 'dev', 'ceth0', 'xdpdrv', 'obj', join(ROOT, 'bpf', 'build', 'zoo', 'zoo_icmp_echo.o'), 'sec', 'xdp']);
});

afterAll(async () => {
  // The veth pair goes with the namespaces when their last process ends.
  for (const h of holders) h.kill('SIGKILL');
  await Promise.allSettled(holders);
});

describe('container-like target in namespaces without names', () => {
  test('veth-peer-no-xdp at the top, the peer found by /proc/PID/ns/net, the route counting only the probe', async () => {
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    const top = report.diagnosis[0];
    expect(top.cause).toBe('veth-peer-no-xdp');
    expect(top.errno).toEqual({ value: 6, name: 'ENXIO' });
    expect(top.fixes[0].netns).toEqual({ kind: 'pid', pid: host });
    expect(top.fixes[0].commands[0]).toEqual(expect.arrayContaining(['ip', 'link', 'set', 'dev', 'hveth0', 'xdpdrv']));
    expect(JSON.stringify(top.evidence)).toContain(`netns of pid ${host}`);

    const peerHop = report.route.hops.find((h: any) => h.iface === 'hveth0');
    expect(peerHop, JSON.stringify(report.route)).toMatchObject({ requests: 3, replies: 0 });
    expect(report.checks.find((c: any) => c.id === 'xdpdump').summary).toMatch(/XDP_TX ×3/);

    const tcpdumps = report.checks.flatMap((c: any) => c.commands).filter((argv: string[]) => argv.includes('tcpdump') && argv.includes('-i'));
    expect(tcpdumps.length).toBeGreaterThan(0);
    const filter = captureFilterOf({ ip: '10.111.70.2', proto: 'icmp' });
    for (const argv of tcpdumps) expect(argv.slice(-filter.length), argv.join(' ')).toEqual(filter);
  });

  test('--fix enters the peer\'s namespace by its /proc path, and works', async () => {
    const { exitCode, report } = await doctor(['--fix']);
    expect(report.fix, JSON.stringify(report.fix)).toMatchObject({ cause: 'veth-peer-no-xdp', applied: true, worked: true });
    expect(report.fix.commands[0].slice(0, 3)).toEqual(['nsenter', `--net=${nsOf(host)}`, '--']);
    expect(exitCode).toBe(0);
    const { stdout } = await inNs(host, ['ip', '-j', 'link', 'show', 'hveth0']);
    expect(JSON.parse(stdout)[0].xdp.prog.name).toBe('xdp_pass');
    const undo = await runCli(['undo'], { env: { XDP_DOCTOR_STATE_DIR: stateDir } });
    expect(undo.exitCode, undo.stderr + undo.stdout).toBe(0);
    const after = await inNs(host, ['ip', '-j', 'link', 'show', 'hveth0']);
    expect(JSON.parse(after.stdout)[0].xdp).toBeUndefined();
  });
});
