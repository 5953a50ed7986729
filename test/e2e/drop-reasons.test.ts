// The drop-reasons rung end to end: where the kernel dropped the probe's packets after XDP, and why, joined with
// what the other rungs saw. A zoo program that XDP_TXes ICMP echo requests back without swapping addresses
// (OTHERHOST at the sender), the lab's csum-offload fault (TCP_CSUM at the real server), a strict rp_filter on
// the lab's asymmetric route (IP_RPFILTER at the gateway), and a healthy responder that adds nothing.
import { afterAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { freshLab, ROOT, runCli, uniqueLabName } from './helpers/cli.js';
import { zooArgs, zooDown, zooUp } from './helpers/zoo.js';

const TAG = 'd';
const LAB = uniqueLabName('dr');
const stateDir = mkdtempSync(join(tmpdir(), 'xdpd-dr-'));

async function json(args: string[]) {
  const r = await runCli(args, { env: { XDP_DOCTOR_STATE_DIR: stateDir } });
  let report: any;
  try { report = JSON.parse(r.stdout); } catch { throw new Error(`--json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 800)}`); }
  const rung = (id: string) => report.checks.find((c: any) => c.id === id);
  return { ...r, report, rung };
}

afterAll(async () => {
  await zooDown(TAG);
  await runCli(['lab', 'down', '--lab-name', LAB]);
});

describe('drop reasons after XDP', () => {
  test('XDP_TX without swapping addresses: named at the top, OTHERHOST at the sender\'s interface joined to it', async () => {
    const z = await zooUp(TAG, { program: 'zoo_icmp_echo_noswap' });
    // The sender's side runs XDP_PASS, so XDP_TX frames are delivered (and then refused by its stack).
    await execa('ip', ['-n', z.client, 'link', 'set', 'dev', z.peer, 'xdpdrv', 'obj', join(ROOT, 'bpf', 'build', 'xdp_pass.o'), 'sec', 'xdp']);
    const { exitCode, report, rung } = await json(zooArgs(z, ['--skip', 'trace-pipe']));
    expect(exitCode).toBe(1);
    const dr = rung('drop-reasons');
    expect(dr.status, dr.summary).toBe('fail');
    expect(dr.summary).toMatch(new RegExp(`^OTHERHOST ×3 at zc0 \\(${z.client}\\)`));
    expect(dr.findings[0].message).toMatch(/in ip_rcv_core/);
    const top = report.diagnosis[0];
    expect(top.cause).toBe('xdp-tx-addresses-unchanged');
    expect(top.evidence.map((e: any) => e.check)).toEqual(expect.arrayContaining(['xdpdump', 'drop-reasons']));
    expect(top.fixes[0].title).toMatch(/^swap the MAC \(and IP\) addresses before XDP_TX/);
    expect(report.checks.filter((c: any) => c.status === 'error')).toEqual([]);
    await zooDown(TAG);
  });

  test('a healthy responder: no drop of the probe\'s flow, nothing added to the diagnosis', async () => {
    const z = await zooUp(TAG, { program: 'zoo_icmp_echo' });
    await execa('ip', ['-n', z.client, 'link', 'set', 'dev', z.peer, 'xdpdrv', 'obj', join(ROOT, 'bpf', 'build', 'xdp_pass.o'), 'sec', 'xdp']);
    const { exitCode, report, rung } = await json(zooArgs(z, ['--skip', 'trace-pipe']));
    expect(exitCode).toBe(0);
    expect(report.diagnosis).toEqual([]);
    expect(rung('drop-reasons').status).toBe('pass');
    expect(rung('drop-reasons').summary).toMatch(/the kernel dropped no packet of the probe's flow \(to or from 10\.111\.60\.2\) on the route's devices/);
    await zooDown(TAG);
  });

  test('lab csum-offload: TCP_CSUM at the real server joins the partial-checksum cause', async () => {
    await freshLab(LAB, ['csum-offload']);
    const { exitCode, report, rung } = await json(['--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--json']);
    expect(exitCode).toBe(1);
    expect(rung('drop-reasons').summary).toMatch(new RegExp(`TCP_CSUM ×\\d+ at r0 \\(real\\)`));
    expect(report.diagnosis[0].cause).toBe('tx-checksum-partial');
    expect(report.diagnosis[0].evidence.map((e: any) => e.check)).toContain('drop-reasons');
  });

  test('strict rp_filter on the asymmetric route: IP_RPFILTER at the gateway\'s g2, and a fix that loosens it there', async () => {
    await freshLab(LAB, []);
    const gw = (...a: string[]) => execa('ip', ['netns', 'exec', `${LAB}-gw`, ...a], { reject: false });
    await gw('sysctl', '-q', '-w', 'net.ipv4.conf.g2.rp_filter=1');
    const { exitCode, report, rung } = await json(['--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--json', '--fix']);
    const dr = rung('drop-reasons');
    expect(dr.summary).toMatch(new RegExp(`IP_RPFILTER ×\\d+ at g2 \\(${LAB}-gw\\)`));
    const cause = report.diagnosis.find((d: any) => d.cause === 'ip-rpfilter');
    expect(cause.fixes[0]).toMatchObject({ commands: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=2']], undo: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=1']], netns: { kind: 'name', name: `${LAB}-gw` } });
    expect(report.fix).toMatchObject({ cause: 'ip-rpfilter', applied: true, worked: true });
    expect(exitCode).toBe(0);
    expect((await gw('sysctl', '-n', 'net.ipv4.conf.g2.rp_filter')).stdout.trim()).toBe('2');
  });
});
