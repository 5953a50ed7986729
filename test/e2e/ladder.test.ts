// The ladder end to end through the built CLI, as root, on the real lab: a healthy lab passes every rung,
// params-unset is diagnosed as map-params-unset with the zeros as evidence, bad targets exit 2 with a
// useful message, and --dry-run runs nothing (proved with PATH shims that log any invocation).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, freshLab, uniqueLabName } from './helpers/cli.js';
import { expectNoMissingTool } from './helpers/rungs.js';

const LAB = uniqueLabName('l');
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);
const doctor = (...args: string[]) => runCli(['--lab', '--lab-name', LAB, '--non-interactive', ...args]);

beforeAll(async () => {
  await freshLab(LAB);
});

afterAll(async () => {
  await lab('down');
});

describe('healthy lab', () => {
  test('exits 0 and no rung fails', async () => {
    const r = await doctor('--json');
    const report = JSON.parse(r.stdout);
    const bad = report.checks.filter((c: any) => c.status === 'fail' || c.status === 'error');
    expect(bad.map((c: any) => `${c.id}: ${c.summary}`)).toEqual([]);
    // A rung skipped for a missing tool would pass the line above; it fails here, naming the tool.
    expectNoMissingTool(report);
    expect(report.checks.filter((c: any) => c.status === 'skip').map((c: any) => `${c.id}: ${c.summary}`)).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(report.schemaVersion).toBe(2);
    expect(report.route.hops.every((h: any) => h.state === 'seen' || h.state === 'xdp')).toBe(true);
    expect(report.route.lostAt).toBeUndefined();
    expect(report.errnos).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.probe.ok).toBe(true);
    expect(report.checks.map((c: any) => c.id)).toEqual(expect.arrayContaining(['preflight', 'inventory', 'routing', 'trace-pipe', 'map-dump']));
  });

  test('the text report is one line per rung with a summary', async () => {
    const r = await doctor();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^\[✓\] XDP inventory — xdp_prog_func \(id \d+\) native on l0/m);
    expect(r.stdout).toMatch(/^Summary: .*Exit 0\.$/m);
  });
});

describe('params-unset', () => {
  beforeAll(async () => { expect((await lab('break', 'params-unset')).exitCode).toBe(0); });
  afterAll(async () => { await lab('fix', 'params-unset'); });

  test('exits 1 with map-params-unset first and vip/daddr 0 in the map-dump evidence', async () => {
    const r = await doctor('--json');
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.exitCode).toBe(1);
    expect(report.diagnosis[0].cause).toBe('map-params-unset');
    const mapDump = report.checks.find((c: any) => c.id === 'map-dump');
    expect(mapDump.status).toBe('fail');
    const evidence = JSON.stringify(mapDump.evidence);
    expect(evidence).toMatch(/vip=0\.0\.0\.0 \(0\)/);
    expect(evidence).toMatch(/daddr=0\.0\.0\.0 \(0\)/);
    expect(mapDump.findings[0].cause).toBe('map-params-unset');
  });

  test('--report writes Markdown and JSON of the same run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdpd-report-'));
    try {
      const md = join(dir, 'run.md');
      const r = await doctor('--report', md);
      expect(r.exitCode).toBe(1);
      expect(readFileSync(md, 'utf8')).toMatch(/## Diagnosis[\s\S]*map-params-unset/);
      const js = join(dir, 'run.json');
      await doctor('--report', js, '--checks', 'preflight,inventory,map-dump');
      expect(JSON.parse(readFileSync(js, 'utf8')).diagnosis[0].cause).toBe('map-params-unset');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad targets exit 2 and say what exists', () => {
  test('no such interface lists the interfaces there', async () => {
    const r = await runCli(['--iface', 'nosuch0', '--netns', `${LAB}-lb`, '--non-interactive']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no interface "nosuch0" in .*; interfaces there: .*l0/);
  });
  test('no such namespace lists the namespaces', async () => {
    const r = await runCli(['--iface', 'l0', '--netns', 'nosuchns', '--non-interactive']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no network namespace "nosuchns"; existing: .*\b/);
    expect(r.stderr).toContain(`${LAB}-lb`);
  });
  test('no such program id lists the XDP programs', async () => {
    const r = await runCli(['--iface', 'l0', '--netns', `${LAB}-lb`, '--prog', '999999', '--non-interactive']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no BPF program with id 999999; XDP programs here: \d+ on l0/);
  });
  test('a lab that is not up', async () => {
    const r = await runCli(['--lab', '--lab-name', 'zz-none', '--non-interactive']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/lab zz-none is not up/);
  });
  test('shell metacharacters in a name are rejected before anything runs', async () => {
    const r = await runCli(['--iface', 'x;touch /tmp/pwned', '--non-interactive']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/not a valid interface name/);
    expect(existsSync('/tmp/pwned')).toBe(false);
  });
  test('an unknown flag exits 2 with one line and a hint', async () => {
    const r = await runCli(['--frobnicate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--help/);
  });
});

describe('--dry-run', () => {
  test('prints the argv of every rung and the probe, and runs none of them', async () => {
    // Every tool the ladder may run is shadowed by a shim that logs its invocation; the log must stay empty.
    const dir = mkdtempSync(join(tmpdir(), 'xdpd-shims-'));
    const log = join(dir, 'ran.log');
    try {
      for (const tool of ['ip', 'bpftool', 'tcpdump', 'ethtool', 'bpftrace', 'tshark', 'xdpdump', 'nstat', 'nsenter', 'cat', 'mount', 'nc', 'docker']) {
        writeFileSync(join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> ${log}\n`);
        chmodSync(join(dir, tool), 0o755);
      }
      const r = await runCli(['--lab', '--lab-name', LAB, '--dry-run'], { env: { PATH: `${dir}:${process.env.PATH}` } });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('none did');
      expect(r.stdout).toMatch(/nsenter --net=\/run\/netns\/\S+-client -- tcpdump -i c0/);
      expect(r.stdout).toMatch(/probe:\n\s+nsenter --net=\/run\/netns\/\S+-client -- nc /);
      expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
