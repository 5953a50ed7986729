// Plugins end to end through the built CLI, as root, on a real lab: loaded from a path, from a package name in a
// project's node_modules (importing xdp-doctor/plugin through the package's exports), and from a config file;
// a throwing, a hanging (its child process killed), an invalid, a version-mismatched, an unparsable and a
// bad-result plugin each produce the documented row while the built-in rungs still pass; the rpfilter example
// finds the lab's gw g2 case and its finding leads the diagnosis, whose fix --fix applies.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, ROOT, requireLabEnvironment, uniqueLabName } from './helpers/cli.js';
import { expectNoMissingTool, fentryLoadsHere } from './helpers/rungs.js';

const LAB = uniqueLabName('pg');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'plugins');
const EXAMPLE = join(ROOT, 'examples', 'xdp-doctor-plugin-rpfilter');
const BUILTINS = 'preflight,inventory,map-dump';
let project: string;

interface Run { exitCode: number; stdout: string; stderr: string; report?: any }

async function xdpd(args: string[], cwd = ROOT): Promise<Run> {
  const r = await execa(process.execPath, [CLI, ...args], { cwd, reject: false, timeout: 120_000, stdin: 'ignore', env: { CI: 'true' } });
  const out: Run = { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  if (args.includes('--json')) {
    try { out.report = JSON.parse(out.stdout); } catch { throw new Error(`not JSON (exit ${out.exitCode}): ${out.stdout.slice(0, 500)}\n${out.stderr}`); }
  }
  return out;
}
const doctor = (args: string[], cwd = ROOT) => xdpd(['--lab', '--lab-name', LAB, '--non-interactive', '--json', '--skip', 'trace-pipe', ...args], cwd);
const row = (run: Run, id: string) => {
  const r = run.report.checks.find((c: any) => c.id === id);
  if (!r) throw new Error(`no row ${id}; rows: ${run.report.checks.map((c: any) => `${c.id}=${c.status}`).join(', ')}`);
  return r;
};
const statuses = (run: Run, ids: string[]) => Object.fromEntries(ids.map((id) => [id, row(run, id).status]));
const gw = (...argv: string[]) => execa('nsenter', [`--net=/run/netns/${LAB}-gw`, '--', ...argv], { reject: false });

/** Processes whose argv is exactly `sleep ARG` and that are not zombies. */
function sleepers(arg: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (argv[0]?.endsWith('sleep') && argv[1] === arg && state !== 'Z') pids.push(Number(pid));
    } catch { /* gone */ }
  }
  return pids;
}

/** A project as a team has it: xdp-doctor and a plugin package installed in node_modules, a local plugin file. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xdpd-plugins-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'xdp-doctor'));
  const foo = join(dir, 'node_modules', 'xdp-doctor-plugin-foo');
  mkdirSync(join(foo, 'lib'), { recursive: true });
  writeFileSync(join(foo, 'package.json'), JSON.stringify({
    name: 'xdp-doctor-plugin-foo', version: '1.4.0', type: 'module',
    exports: { '.': { import: './lib/index.js' } }, peerDependencies: { 'xdp-doctor': '^0.1.0' },
  }));
  writeFileSync(join(foo, 'lib', 'index.js'), `
import { API_VERSION, defineCheck, definePlugin } from 'xdp-doctor/plugin';
export default definePlugin({
  name: 'foo',
  apiVersion: API_VERSION,
  checks: [defineCheck({
    id: 'foo/mtu', title: 'LB interface MTU (package plugin)', rung: 1, needs: ['ip'], after: ['inventory'],
    async run(ctx) {
      const inv = ctx.facts.get('inventory');
      const links = await ctx.tools.ip.links(ctx.target.netns);
      const l0 = links.find((l) => l.ifname === ctx.target.iface);
      return { status: l0 ? 'pass' : 'fail', summary: \`\${ctx.target.iface} mtu \${l0?.mtu}; prog \${inv?.progId ? 'seen' : 'unknown'}; greeting \${ctx.options.greeting ?? 'none'}\`, evidence: [], findings: [] };
    },
  })],
});
`);
  // Another package in node_modules that nobody names: it must never load.
  const other = join(dir, 'node_modules', 'xdp-doctor-plugin-unnamed');
  mkdirSync(other);
  writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'xdp-doctor-plugin-unnamed', version: '1.0.0', type: 'module', main: 'index.js' }));
  writeFileSync(join(other, 'index.js'), `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(join(dir, 'UNNAMED-LOADED'))}, 'x'); export default { name: 'unnamed', apiVersion: 1, checks: [] };\n`);
  mkdirSync(join(dir, 'team'));
  writeFileSync(join(dir, 'team', 'local.mjs'), `
export default {
  name: 'team-local', version: '0.3.0', apiVersion: 1,
  checks: [
    { id: 'team/local', title: 'Local file plugin', rung: 3, async run(ctx) { return { status: 'pass', summary: 'local ' + JSON.stringify(ctx.options), evidence: [], findings: [] }; } },
    { id: 'team/disabled', title: 'Disabled by config', rung: 3, async run() { throw new Error('must not run'); } },
  ],
};
`);
  return dir;
}

beforeAll(async () => {
  await requireLabEnvironment();
  await xdpd(['lab', 'down', '--lab-name', LAB]);
  const up = await xdpd(['lab', 'up', '--lab-name', LAB]);
  if (up.exitCode !== 0) throw new Error(`lab up failed: ${up.stderr}${up.stdout}`);
  project = makeProject();
});

afterAll(async () => {
  await xdpd(['lab', 'down', '--lab-name', LAB]);
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('loading', () => {
  test('from a path (--plugin FILE): its finding joins the diagnosis with the plugin\'s title; built-ins pass', async () => {
    const r = await doctor(['--checks', `${BUILTINS},fx-finding/policy`, '--plugin', join(FIXTURES, 'finding.mjs')]);
    expect(statuses(r, ['preflight', 'inventory', 'map-dump'])).toEqual({ preflight: expect.stringMatching(/pass|warn/), inventory: 'pass', 'map-dump': 'pass' });
    expect(row(r, 'fx-finding/policy')).toMatchObject({ status: 'fail', source: 'fx-finding@1.2.3', summary: 'policy says no (mode default)' });
    expect(r.report.diagnosis[0]).toMatchObject({
      cause: 'fx-team-policy', title: 'Team policy violated (fixture)', evidence: [{ check: 'fx-finding/policy', message: 'fixture finding on l0' }],
      fixes: [{ title: 'do the team thing', commands: [['true']] }],
    });
    expect(r.exitCode).toBe(1);
  });

  test('from a package name in the working directory\'s node_modules (shorthand foo), importing xdp-doctor/plugin', async () => {
    const r = await doctor(['--checks', `${BUILTINS},foo/mtu`, '--plugin', 'foo'], project);
    expect(row(r, 'foo/mtu')).toMatchObject({ status: 'pass', source: 'foo@1.4.0', summary: 'l0 mtu 1500; prog seen; greeting none' });
    expect(r.report.checks.filter((c: any) => c.status === 'fail' || c.status === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(project, 'UNNAMED-LOADED'))).toBe(false);
  });

  test('a plugin file outside any project still imports xdp-doctor/plugin (it resolves to the running xdp-doctor)', async () => {
    const lone = mkdtempSync(join(tmpdir(), 'xdpd-lone-'));
    try {
      writeFileSync(join(lone, 'check.mjs'), readFileSync(join(FIXTURES, 'uses-api.mjs')));
      const r = await doctor(['--checks', 'inventory,fx-api/hello', '--plugin', './check.mjs'], lone);
      expect(row(r, 'fx-api/hello')).toMatchObject({ status: 'pass', source: 'fx-api@2.0.0', summary: 'API 1; ip link l0: exit 0' });
      expect(row(r, 'fx-api/hello').commands).toEqual([['nsenter', `--net=/run/netns/${LAB}-lb`, '--', 'ip', '-j', 'link', 'show', 'l0']]);
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });

  test('nothing in node_modules loads unless named', async () => {
    const r = await xdpd(['checks', '--json'], project);
    expect(r.report.plugins).toEqual([]);
    expect(r.report.checks.every((c: any) => c.source === 'built-in')).toBe(true);
    expect(existsSync(join(project, 'UNNAMED-LOADED'))).toBe(false);
  });

  test('from a config file: a package, a path relative to the config, an inline object; disable and options', async () => {
    writeFileSync(join(project, 'xdp-doctor.config.mjs'), `
import { defineConfig } from 'xdp-doctor/plugin';
export default defineConfig({
  plugins: [
    'foo',
    './team/local.mjs',
    { name: 'inline', apiVersion: 1, checks: [{ id: 'inline/check', title: 'Inline', rung: 2, run: async () => ({ status: 'pass', summary: 'inline ran', evidence: [], findings: [] }) }] },
  ],
  disable: ['team/disabled'],
  options: { foo: { greeting: 'hello' }, 'team-local': { level: 3 } },
});
`);
    try {
      const list = await xdpd(['checks', '--json'], project);
      expect(list.exitCode).toBe(0);
      expect(list.report.config).toBe(join(project, 'xdp-doctor.config.mjs'));
      expect(list.report.plugins.map((p: any) => `${p.name}@${p.version}`)).toEqual(['foo@1.4.0', 'team-local@0.3.0', 'inline@0.0.0']);
      expect(list.report.checks.find((c: any) => c.id === 'team/disabled')).toMatchObject({ disabled: true, source: 'team-local@0.3.0' });

      const r = await doctor(['--checks', `${BUILTINS},foo/mtu,team/local,inline/check`], project);
      expect(row(r, 'foo/mtu').summary).toBe('l0 mtu 1500; prog seen; greeting hello');
      expect(row(r, 'team/local')).toMatchObject({ status: 'pass', summary: 'local {"level":3}', source: 'team-local@0.3.0' });
      expect(row(r, 'inline/check')).toMatchObject({ status: 'pass', source: 'inline@0.0.0' });
      expect(r.exitCode).toBe(0);

      // Disabled by the config: not in a full run's plan (--dry-run lists the plan, runs nothing).
      const plan = await xdpd(['--lab', '--lab-name', LAB, '--non-interactive', '--dry-run'], project);
      expect(plan.exitCode).toBe(0);
      expect(plan.stdout).toMatch(/^foo\/mtu:$/m);
      expect(plan.stdout).toMatch(/^inline\/check:$/m);
      expect(plan.stdout).toMatch(/^team\/local:$/m);
      expect(plan.stdout).not.toMatch(/^team\/disabled:$/m);
      expect(plan.stdout).toMatch(/^map-dump:$/m);
    } finally {
      rmSync(join(project, 'xdp-doctor.config.mjs'));
    }
  });

  test('--config FILE; a bad config is exit 2 naming the file and the field', async () => {
    const cfg = join(project, 'ci.json');
    writeFileSync(cfg, JSON.stringify({ plugins: [join(FIXTURES, 'finding.mjs')], options: { 'fx-finding': { mode: 'ci' } } }));
    const r = await doctor(['--config', cfg, '--checks', 'fx-finding/policy']);
    expect(row(r, 'fx-finding/policy').summary).toBe('policy says no (mode ci)');
    writeFileSync(cfg, JSON.stringify({ plugins: [join(FIXTURES, 'finding.mjs')], disable: 'trace-pipe' }));
    const bad = await xdpd(['--lab', '--lab-name', LAB, '--non-interactive', '--config', cfg]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe(`xdp-doctor: config ${cfg}: disable must be an array of check ids`);
    expect(bad.stdout).toBe('');
  });
});

describe('isolation: each broken plugin gets its row, the built-in rungs still pass', () => {
  test('throwing, hanging, invalid, version-mismatched, unparsable, bad-result and id-stealing plugins in one run', async () => {
    const marker = `1000.${process.pid}`;
    const cfg = join(project, 'broken.json');
    writeFileSync(cfg, JSON.stringify({ options: { 'fx-hang': { seconds: marker } } }));
    const plugins = ['throws', 'hang', 'invalid', 'version2', 'syntax-error', 'bad-result', 'collides'].flatMap((f) => ['--plugin', join(FIXTURES, `${f}.mjs`)]);
    const r = await doctor(['--config', cfg, '--checks', `${BUILTINS},fx-throws/boom,fx-hang/sleep,fx-hang/witness,fx-bad-result/x`, ...plugins]);

    // The built-in rungs are untouched.
    expect(statuses(r, ['inventory', 'map-dump'])).toEqual({ inventory: 'pass', 'map-dump': 'pass' });
    // Preflight's one right status on this kernel: warn only for fentry, measured by the test.
    expect(row(r, 'preflight').status).toBe((await fentryLoadsHere()) ? 'pass' : 'warn');
    expectNoMissingTool(r.report);
    // A throw: error tagged with the plugin.
    expect(row(r, 'fx-throws/boom')).toMatchObject({ status: 'error', source: 'fx-throws@0.1.0', summary: 'crashed: boom from a plugin [plugin fx-throws@0.1.0]' });
    // A hang: error after its own timeout; its child was killed before the next check ran.
    expect(row(r, 'fx-hang/sleep')).toMatchObject({ status: 'error', summary: 'timed out after 1500 ms [plugin fx-hang@0.0.1]' });
    expect(row(r, 'fx-hang/sleep').commands).toEqual([['sleep', marker]]);
    expect(row(r, 'fx-hang/witness')).toMatchObject({ status: 'pass', summary: `no sleep ${marker} left` });
    // An invalid result: error naming the field.
    expect(row(r, 'fx-bad-result/x')).toMatchObject({ status: 'error', summary: 'invalid result: result.status must be one of pass|warn|fail|skip|error (got "ok") [plugin fx-bad-result@0.0.0]' });
    // Plugins that could not load: warning rows naming them and why.
    expect(row(r, 'plugin:fx-invalid')).toMatchObject({ status: 'warn', title: 'Plugin fx-invalid', summary: 'plugin fx-invalid not loaded: checks[0].run must be a function (ctx) => Promise<CheckResult> (got nothing)' });
    expect(row(r, 'plugin:fx-future')).toMatchObject({ status: 'warn', title: 'Plugin fx-future', summary: 'plugin fx-future not loaded: unsupported apiVersion: xdp-doctor requires 1, got 2' });
    expect(row(r, 'plugin:fx-collides')).toMatchObject({ status: 'warn', summary: expect.stringContaining('checks[0].id "map-dump" is already taken by a built-in rung') });
    expect(row(r, `plugin:${join(FIXTURES, 'syntax-error.mjs')}`)).toMatchObject({ status: 'warn', summary: expect.stringMatching(/not loaded: syntax error: /) });
    // The real map-dump rung ran, not the impostor.
    expect(row(r, 'map-dump').source).toBe('built-in');
    // No wall-clock limit: the hung check sleeps 1000 s, so a run that waited for it would end in xdpd's own
    // timeout, not here; 'timed out after 1500 ms' above is the runner's timeout firing.
    expect(r.exitCode).toBe(1);
    // And nothing of the hung check is left on the machine.
    expect(sleepers(marker)).toEqual([]);
  });

  test('a plugin that fails to load does not change the exit code', async () => {
    const r = await doctor(['--checks', BUILTINS, '--plugin', join(FIXTURES, 'version2.mjs'), '--plugin', 'nothere']);
    expect(r.report.checks.slice(0, 2).map((c: any) => [c.id, c.status])).toEqual([['plugin:fx-future', 'warn'], ['plugin:xdp-doctor-plugin-nothere', 'warn']]);
    expect(r.report.exitCode).toBe(0);
    expect(r.exitCode).toBe(0);
  });

  test('the text report shows the rows and the plugin tags', async () => {
    const r = await xdpd(['--lab', '--lab-name', LAB, '--non-interactive', '--checks', `${BUILTINS},fx-throws/boom`, '--plugin', join(FIXTURES, 'throws.mjs'), '--plugin', join(FIXTURES, 'version2.mjs')]);
    expect(r.stdout).toMatch(/^\[!\] Plugin fx-future \[fx-future@9\.0\.0\] — plugin fx-future not loaded: unsupported apiVersion: xdp-doctor requires 1, got 2$/m);
    expect(r.stdout).toMatch(/^\[✗\] Throws \(fixture\) \[error\] — crashed: boom from a plugin \[plugin fx-throws@0\.1\.0\]$/m);
    expect(r.stdout).toMatch(/^\[✓\] XDP inventory — /m);
  });
});

describe('the rpfilter example on the lab\'s gw g2 case', () => {
  test('healthy lab: passes', async () => {
    const r = await doctor(['--checks', `${BUILTINS},routing,rpfilter/asymmetric`, '--plugin', EXAMPLE]);
    expect(row(r, 'rpfilter/asymmetric')).toMatchObject({ status: 'pass', source: 'rpfilter@1.0.0', summary: 'rp_filter is off on all 6 hop(s) read' });
    expect(r.exitCode).toBe(0);
  });

  test('strict rp_filter on g2: the plugin names it, its finding leads the diagnosis, --fix applies its fix', async () => {
    expect((await gw('sysctl', '-q', '-w', 'net.ipv4.conf.g2.rp_filter=1')).exitCode).toBe(0);
    try {
      const r = await doctor(['--checks', `${BUILTINS},routing,rpfilter/asymmetric`, '--plugin', EXAMPLE]);
      expect(r.report.probe.ok).toBe(false);
      const rpf = row(r, 'rpfilter/asymmetric');
      expect(rpf.status).toBe('fail');
      expect(rpf.findings[0]).toMatchObject({ cause: 'rp-filter-drop', severity: 'critical', iface: 'g2' });
      expect(rpf.findings[0].message).toMatch(/^gw g2 \(towards real\): rp_filter strict \(all=0, g2=1\) drops packets from 192\.168\.10\.1: they enter on g2 but the route back leaves via g1; TcpExtIPReversePathFilter \+\d+/);
      const entry = r.report.diagnosis.find((d: any) => d.cause === 'rp-filter-drop');
      expect(entry).toMatchObject({
        title: 'Reverse-path filter drops packets on an asymmetric route',
        evidence: [{ check: 'rpfilter/asymmetric' }],
        fixes: [{ commands: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=2']], undo: [['sysctl', '-w', 'net.ipv4.conf.g2.rp_filter=1']], netns: { kind: 'name', name: `${LAB}-gw` } }],
      });
      expect(r.report.diagnosis[0].cause).toBe('rp-filter-drop');
      expect(r.exitCode).toBe(1);

      const fixed = await doctor(['--checks', `${BUILTINS},routing,rpfilter/asymmetric`, '--plugin', EXAMPLE, '--fix']);
      expect(fixed.report.fix).toMatchObject({ cause: 'rp-filter-drop', applied: true, worked: true });
      expect(fixed.report.fix.rerun.checks.find((c: any) => c.id === 'rpfilter/asymmetric').status).toBe('pass');
      expect(fixed.exitCode).toBe(0);
      expect((await gw('sysctl', '-n', 'net.ipv4.conf.g2.rp_filter')).stdout.trim()).toBe('2');
    } finally {
      await gw('sysctl', '-q', '-w', 'net.ipv4.conf.g2.rp_filter=0');
    }
  });
});
