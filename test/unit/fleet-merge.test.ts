// xdp-doctor merge on reports written by real lab runs on this machine (test/recordings/reports/): the engine's
// merge, the directory reader, the renderers and the command's exit codes 0/1/2.
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeReports, type ReportInput } from '../../src/engine/fleet-merge.js';
import { readReports } from '../../src/fleet/read-reports.js';
import { renderFleetMarkdown, renderFleetText } from '../../src/report/fleet.js';
import { main } from '../../src/main.js';
import { recording } from './helpers/recordings.js';

const REPORTS = fileURLToPath(new URL('../recordings/reports/', import.meta.url));
const input = (name: string, label = name): ReportInput => ({ file: `${name}.json`, label, json: JSON.parse(recording(`reports/${name}.json`)) });
const healthy = () => input('lab-healthy', 'a');
const vethPeer = () => input('lab-veth-peer', 'b');
const paramsUnset = () => input('lab-params-unset', 'c');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } as never;
  return { io, out: () => out.join(''), err: () => err.join('') };
}

describe('mergeReports', () => {
  it('per host its exit code and top cause; per cause its hosts', () => {
    const f = mergeReports([healthy(), vethPeer(), paramsUnset()]);
    expect(f.hosts.map(({ host, exitCode, topCause, state }) => ({ host, exitCode, topCause, state }))).toEqual([
      { host: 'a', exitCode: 0, topCause: null, state: 'healthy' },
      { host: 'b', exitCode: 1, topCause: 'veth-peer-no-xdp', state: 'failing' },
      { host: 'c', exitCode: 1, topCause: 'map-params-unset', state: 'failing' },
    ]);
    expect(f.causes.map(({ cause, hosts, topIn }) => ({ cause, hosts, topIn }))).toEqual([
      { cause: 'map-params-unset', hosts: ['c'], topIn: ['c'] },
      { cause: 'veth-peer-no-xdp', hosts: ['b'], topIn: ['b'] },
      { cause: 'xdp-passed-unchanged', hosts: ['c'], topIn: [] },
    ]);
    expect(f.healthy).toEqual(['a']);
    expect(f.failing).toEqual(['b', 'c']);
    expect(f.exitCode).toBe(1);
    expect(f.hosts[1]!.identity).toMatchObject({ hostname: 'vm', kernel: '6.18.44-fc-v1045', nic: { iface: 'l0', driver: 'veth' }, program: { name: 'xdp_prog_func', tag: '45f330cfe0b3cd65' } });
  });

  it('names what the failing hosts of a cause have and no healthy host has: the zeroed parameters map', () => {
    const f = mergeReports([healthy(), vethPeer(), paramsUnset(), input('lab-params-unset', 'd')]);
    const params = f.causes.find((c) => c.cause === 'map-params-unset')!;
    expect(params.hosts).toEqual(['c', 'd']);
    expect(params.shared).toContainEqual({ attribute: 'map xdp_params_arra [0].vip', value: '0.0.0.0 (0)' });
    expect(params.shared).toContainEqual({ attribute: 'map xdp_params_arra [0].daddr', value: '0.0.0.0 (0)' });
    // The same program, kernel and driver everywhere: not what sets them apart.
    expect(params.shared.map((s) => s.attribute)).not.toContain('program tag');
    expect(f.differences.map((d) => d.attribute)).not.toContain('kernel');
    expect(f.differences.find((d) => d.attribute === 'map xdp_params_arra [0].vip')!.values)
      .toEqual({ a: '192.168.10.1', b: '192.168.10.1', c: '0.0.0.0 (0)', d: '0.0.0.0 (0)' });
  });

  it('all healthy: exit 0, nothing shared, no causes', () => {
    const f = mergeReports([healthy(), input('lab-healthy', 'b')]);
    expect(f.exitCode).toBe(0);
    expect(f.causes).toEqual([]);
    expect(f.shared).toEqual([]);
  });

  it('a report cut short is unreadable and named; the rest are still merged, exit 2', async () => {
    const inputs = await readReports([join(REPORTS, 'lab-healthy.json'), join(REPORTS, 'lab-veth-peer-cut-at-20000-bytes.json'), join(REPORTS, 'lab-veth-peer.json')]);
    const f = mergeReports(inputs);
    expect(f.hosts.map((h) => h.host)).toEqual(['lab-healthy', 'lab-veth-peer']);
    expect(f.unreadable).toEqual([{ file: join(REPORTS, 'lab-veth-peer-cut-at-20000-bytes.json'), host: 'lab-veth-peer-cut-at-20000-bytes', reason: expect.stringMatching(/^not JSON/) }]);
    expect(f.exitCode).toBe(2);
  });

  it('refuses what is not a host report it can read, saying why', () => {
    const bad = (json: unknown) => mergeReports([{ file: 'x.json', label: 'x', json }]).unreadable[0]?.reason;
    expect(bad([1, 2])).toBe('not a JSON object');
    expect(bad({ hello: 1 })).toMatch(/no schemaVersion/);
    expect(bad({ ...JSON.parse(recording('reports/lab-healthy.json')), schemaVersion: 3 })).toMatch(/schemaVersion 3: this xdp-doctor reads 1 and 2/);
    expect(bad(mergeReports([healthy()]))).toMatch(/merged fleet report/);
    expect(mergeReports([{ file: 'gone.json', label: 'gone', error: 'ENOENT' }]).unreadable).toEqual([{ file: 'gone.json', host: 'gone', reason: 'ENOENT' }]);
  });

  it('reads a report written before reports carried the host identity (kernel from its environment)', () => {
    const f = mergeReports([healthy(), input('lab-params-unset-before-host-identity', 'old')]);
    expect(f.hosts[1]).toMatchObject({ host: 'old', exitCode: 1, topCause: 'map-params-unset', schemaVersion: 2 });
    expect(f.hosts[1]!.identity).toBeUndefined();
    expect(f.causes[0]!.shared).toContainEqual({ attribute: 'map xdp_params_arra [0].vip', value: '0.0.0.0 (0)' });
    // Unknown program tag on the old report is not a difference.
    expect(f.differences.map((d) => d.attribute)).not.toContain('program tag');
  });
});

describe('readReports', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory: its *.json in name order, a fleet.json of an earlier merge skipped, labels from file names or hostnames', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xdpd-merge-'));
    copyFileSync(join(REPORTS, 'lab-veth-peer.json'), join(dir, 'web-2.json'));
    copyFileSync(join(REPORTS, 'lab-healthy.json'), join(dir, 'web-1.json'));
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(mergeReports([healthy()])));
    writeFileSync(join(dir, 'notes.txt'), 'not a report');
    expect((await readReports([dir])).map((i) => i.label)).toEqual(['web-1', 'web-2']);
    // Both reports came from this machine: one hostname, kept apart.
    expect((await readReports([dir], 'hostname')).map((i) => i.label)).toEqual(['vm', 'vm#2']);
    expect(await readReports([join(dir, 'missing.json')])).toEqual([{ file: join(dir, 'missing.json'), label: 'missing', error: 'ENOENT' }]);
  });
});

describe('xdp-doctor merge', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exit 1 with a cause; --json has hosts[].topCause and causes[].hosts; --report writes fleet.json and fleet.md', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xdpd-merge-'));
    const c = capture();
    const code = await main(['merge', join(REPORTS, 'lab-healthy.json'), join(REPORTS, 'lab-veth-peer.json'), '--json',
      '--report', join(dir, 'fleet.json'), '--report', join(dir, 'fleet.md')], c.io);
    expect(code).toBe(1);
    const json = JSON.parse(c.out());
    expect(json.hosts.map((h: { host: string; topCause: string | null }) => [h.host, h.topCause])).toEqual([['lab-healthy', null], ['lab-veth-peer', 'veth-peer-no-xdp']]);
    expect(json.causes).toEqual([expect.objectContaining({ cause: 'veth-peer-no-xdp', hosts: ['lab-veth-peer'] })]);
    expect(JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8'))).toEqual(json);
    expect(readFileSync(join(dir, 'fleet.md'), 'utf8')).toContain('| ✗ | lab-veth-peer | 1 | `veth-peer-no-xdp` | 6.18.44-fc-v1045 | l0 veth | xdp_prog_func `45f330cfe0b3cd65` |');
  });

  it('exit 0 when all are healthy; exit 2 naming an unreadable report, the others in the output', async () => {
    let c = capture();
    expect(await main(['merge', join(REPORTS, 'lab-healthy.json')], c.io)).toBe(0);
    expect(c.out()).toContain('Exit 0: every host healthy');
    c = capture();
    expect(await main(['merge', join(REPORTS, 'lab-veth-peer-cut-at-20000-bytes.json'), join(REPORTS, 'lab-params-unset.json')], c.io)).toBe(2);
    expect(c.err()).toContain('lab-veth-peer-cut-at-20000-bytes.json: not JSON');
    expect(c.out()).toContain('✗ lab-params-unset');
  });

  it('usage errors exit 2: nothing given, both formats, a bad label', async () => {
    for (const argv of [['merge'], ['merge', 'x.json', '--json', '--markdown'], ['merge', 'x.json', '--label', 'ip'], ['merge', 'x.json', '--report', 'f.txt']]) {
      const c = capture();
      expect(await main(argv, c.io)).toBe(2);
      expect(c.err()).toMatch(/^xdp-doctor merge: .*usage: xdp-doctor merge/);
    }
  });
});

describe('fleet renderers', () => {
  it('text and Markdown say the same hosts, causes and what the failing host has', () => {
    const f = mergeReports([healthy(), paramsUnset()]);
    const text = renderFleetText(f);
    expect(text).toContain('✗ c');
    expect(text).toContain('map-params-unset — The program\'s parameters map holds zeros');
    expect(text).toContain('map xdp_params_arra [0].vip = 0.0.0.0 (0)');
    const md = renderFleetMarkdown(f);
    expect(md).toContain('## What the failing hosts share');
    expect(md).toContain('- map xdp_params_arra [0].vip = `0.0.0.0 (0)`');
  });
});
