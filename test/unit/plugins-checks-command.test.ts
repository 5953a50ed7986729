// `xdp-doctor checks`: every check with id, title, rung, source and tools, plugins from --plugin and the config,
// plugins that did not load, --json, and usage errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checksCommand } from '../../src/plugins/checks-command.js';
import { BUILTIN_CHECKS } from '../../checks/index.js';
import { main } from '../../src/main.js';
import { helpText } from '../../src/help.js';

const HELP = helpText(BUILTIN_CHECKS);

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/plugins');
let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xdpd-checks-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function io() {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough(); const stderr = new PassThrough();
  stdout.on('data', (d) => { out.stdout += d; }); stderr.on('data', (d) => { out.stderr += d; });
  return { io: { stdout, stderr }, out };
}

describe('xdp-doctor checks', () => {
  it('lists the built-in rungs, with the tools each needs', async () => {
    const { io: streams, out } = io();
    expect(await checksCommand([], streams, dir)).toBe(0);
    expect(out.stdout).toMatch(/^RUNG {2}ID {2,}TITLE {2,}SOURCE {2,}NEEDS$/m);
    expect(out.stdout).toMatch(/^1 {5}inventory {2,}XDP inventory {2,}built-in {2,}ip, bpftool$/m);
    expect(out.stdout).toContain(`${BUILTIN_CHECKS.length} check(s): ${BUILTIN_CHECKS.length} built-in, 0 from 0 plugin(s)`);
  });

  it('adds plugins from the config and --plugin, marks disabled ones and lists the ones that did not load', async () => {
    writeFileSync(join(dir, 'xdp-doctor.config.json'), JSON.stringify({ plugins: [join(FIXTURES, 'finding.mjs'), join(FIXTURES, 'version2.mjs')], disable: ['fx-finding/policy'] }));
    const { io: streams, out } = io();
    expect(await checksCommand(['--plugin', join(FIXTURES, 'hang.mjs')], streams, dir)).toBe(0);
    expect(out.stdout).toMatch(/^4 {5}fx-finding\/policy {2,}Team policy \(fixture\) \(disabled in config\) {2,}fx-finding@1\.2\.3 {2,}-$/m);
    expect(out.stdout).toMatch(/^6 {5}fx-hang\/witness {2,}.*fx-hang@0\.0\.1/m);
    expect(out.stdout).toContain(`(config ${join(dir, 'xdp-doctor.config.json')})`);
    expect(out.stdout).toContain('Plugins not loaded:\n  [!] fx-future: unsupported apiVersion: xdp-doctor requires 1, got 2');
  });

  it('--json: checks, plugins and warnings', async () => {
    const { io: streams, out } = io();
    expect(await checksCommand(['--json', '--plugin', join(FIXTURES, 'hang.mjs'), '--plugin', 'nothere'], streams, dir)).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc.config).toBeNull();
    expect(doc.checks.find((c: { id: string }) => c.id === 'fx-hang/sleep')).toEqual({
      id: 'fx-hang/sleep', title: 'Hangs on a child (fixture)', rung: 6, source: 'fx-hang@0.0.1', needs: [], after: [], readsLater: [], observes: false, timeoutMs: 1500, disabled: false,
    });
    expect(doc.checks.find((c: { id: string }) => c.id === 'inventory')).toMatchObject({ source: 'built-in', needs: ['ip', 'bpftool'] });
    expect(doc.plugins).toEqual([{ name: 'fx-hang', version: '0.0.1', from: join(FIXTURES, 'hang.mjs'), checks: ['fx-hang/sleep', 'fx-hang/witness'] }]);
    expect(doc.warnings).toEqual([{ id: 'plugin:xdp-doctor-plugin-nothere', plugin: 'xdp-doctor-plugin-nothere', from: 'xdp-doctor-plugin-nothere', message: expect.stringContaining('not installed') }]);
  });

  it('a bad config or flag is exit 2 with the reason', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ plugins: 'x' }));
    const a = io();
    expect(await checksCommand(['--config', 'bad.json'], a.io, dir)).toBe(2);
    expect(a.out.stderr).toBe(`xdp-doctor: config ${join(dir, 'bad.json')}: plugins must be an array of package names, paths or plugin objects\n`);
    const b = io();
    expect(await checksCommand(['--frobnicate'], b.io, dir)).toBe(2);
    expect(b.out.stderr).toMatch(/^xdp-doctor checks: Unknown option '--frobnicate'/);
  });

  it('is reachable from main and documented in --help', async () => {
    const { io: streams, out } = io();
    expect(await main(['checks', '--json'], streams)).toBe(0);
    expect(JSON.parse(out.stdout).checks.length).toBeGreaterThanOrEqual(BUILTIN_CHECKS.length);
    expect(HELP).toContain('xdp-doctor checks [--config FILE] [--plugin PATH|NAME]... [--json]');
    for (const flag of ['--config FILE', '--plugin PATH|NAME', '--checks ID,...', '--skip ID,...']) expect(HELP).toContain(flag);
  });
});
