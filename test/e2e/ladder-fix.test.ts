// The ladder's part 2 on the real lab: the checksum fault is diagnosed, two faults at once both appear, and
// --fix repairs the veth fault and proves it with the probe, while `undo` brings the fault back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, freshLab, uniqueLabName } from './helpers/cli.js';

const LAB = uniqueLabName('f');
const STATE = mkdtempSync(join(tmpdir(), 'xdpd-state-'));
const env = { XDP_DOCTOR_STATE_DIR: STATE };
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);
const doctor = async (...args: string[]) => {
  const r = await runCli(['--lab', '--lab-name', LAB, '--non-interactive', '--json', ...args], { env });
  return { ...r, report: JSON.parse(r.stdout) };
};
const causes = (report: any) => report.diagnosis.map((d: any) => d.cause);

beforeAll(async () => {
  await freshLab(LAB);
});

afterAll(async () => {
  await lab('down');
  rmSync(STATE, { recursive: true, force: true });
});

describe('csum-offload', () => {
  beforeAll(async () => { expect((await lab('break', 'csum-offload')).exitCode).toBe(0); });
  afterAll(async () => { await lab('fix', 'csum-offload'); });

  test('exits 1 with tx-checksum-partial first, and the fix turns off TX offload on the client', async () => {
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    expect(report.diagnosis[0].cause).toBe('tx-checksum-partial');
    expect(report.diagnosis[0].evidence.map((e: any) => e.message).join('\n')).toMatch(/TcpInCsumErrors/);
    expect(report.diagnosis[0].fixes[0].commands).toEqual([['ethtool', '-K', 'c0', 'tx', 'off']]);
  });
});

describe('two faults at once', () => {
  beforeAll(async () => {
    expect((await lab('break', 'bad-iphdr')).exitCode).toBe(0);
    expect((await lab('break', 'veth-peer')).exitCode).toBe(0);
  });
  afterAll(async () => {
    await lab('fix', 'veth-peer');
    await lab('fix', 'bad-iphdr');
  });

  test('bad-iphdr and veth-peer both appear in the diagnosis', async () => {
    const { exitCode, report } = await doctor();
    expect(exitCode).toBe(1);
    expect(causes(report)).toEqual(expect.arrayContaining(['veth-peer-no-xdp', 'malformed-packet']));
    expect(causes(report).slice(0, 2).sort()).toEqual(['malformed-packet', 'veth-peer-no-xdp']);
  });
});

describe('--fix and undo on veth-peer', () => {
  beforeAll(async () => { expect((await lab('break', 'veth-peer')).exitCode).toBe(0); });
  afterAll(async () => { await lab('fix', 'veth-peer'); });

  test('--fix applies the dummy XDP_PASS on the peer, the probe passes, exit 0; undo brings the fault back', async () => {
    const { exitCode, report } = await doctor('--fix');
    expect(report.diagnosis[0].cause).toBe('veth-peer-no-xdp');
    expect(report.fix.applied).toBe(true);
    expect(report.fix.commands[0]).toEqual(expect.arrayContaining(['ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'obj']));
    expect(report.fix.rerun.probe.ok).toBe(true);
    expect(report.fix.worked).toBe(true);
    expect(exitCode).toBe(0);
    expect((await lab('probe')).exitCode).toBe(0);

    const undo = await runCli(['undo'], { env });
    expect(undo.exitCode).toBe(0);
    expect(undo.stdout).toMatch(/xdpdrv off/);
    expect((await lab('probe')).exitCode).not.toBe(0);
    expect((await runCli(['undo'], { env })).stdout).toMatch(/nothing to undo/);
  });

  test('without --fix nothing is changed', async () => {
    const before = (await lab('status', '--json')).stdout;
    const { exitCode } = await doctor();
    expect(exitCode).toBe(1);
    expect((await lab('status', '--json')).stdout).toBe(before);
  });

  // The case: an old fix's undo once detached the XDP_PASS a rebuilt lab had attached to g1.
  test('fix, tear the lab down, build it again, undo: the new lab is untouched and the entry is reported stale', async () => {
    const { report } = await doctor('--fix');
    expect(report.fix.applied).toBe(true);
    expect((await lab('down')).exitCode).toBe(0);
    expect((await lab('up')).exitCode).toBe(0);
    const before = (await lab('status', '--json')).stdout;
    expect(JSON.parse(before).interfaces.find((i: any) => i.iface === 'g1').xdp).not.toBeNull();

    const undo = await runCli(['undo'], { env });
    expect(undo.exitCode, undo.stderr).toBe(0);
    expect(undo.stdout).toMatch(new RegExp(`^stale: .*namespace (/run/netns/)?${LAB}-gw was removed and made again`));
    expect(undo.stdout).toMatch(/nothing to undo/);
    expect((await lab('status', '--json')).stdout).toBe(before);
    expect((await lab('probe')).exitCode).toBe(0);
    expect((await runCli(['undo', '--list'], { env })).stdout).toMatch(/stale: namespace .* was removed and made again/);
    expect((await runCli(['undo', '--drop-stale'], { env })).stdout).toMatch(/^dropped: /);
  });
});
