// src/plugins/load.ts and plan.ts: resolving packages from the working directory's node_modules, paths and
// objects; validating a plugin's shape with messages that name the field; every way a plugin fails to load
// becoming a warning row; the catalog with disable, options, --checks and --skip; plugin checks run by the real
// runner (isolation, tagging) and their findings reaching the diagnosis with the plugin's cause titles.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkProblem, exportTarget, failureRecord, loadPlugins, resolvePackage, resolvePath, selfNodeModules, validatePlugin,
} from '../../src/plugins/load.js';
import { causeInfo } from '../../src/kb/causes.js';
import { loadCatalog, selectChecks, SelectionError } from '../../src/plugins/plan.js';
import { toSpec } from '../../src/plugins/config.js';
import { API_VERSION, definePlugin, defineCheck, defineConfig } from '../../src/plugins/api.js';
import { BUILTIN_CHECKS } from '../../checks/index.js';
import { runChecks } from '../../src/engine/runner.js';
import { dryRunExec } from '../../src/engine/recording-exec.js';
import { createFacts } from '../../src/engine/facts.js';
import { diagnose } from '../../src/engine/diagnosis.js';
import type { Check, Target } from '../../src/engine/types.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/plugins');
const fixture = (name: string) => toSpec(join(FIXTURES, name), '/');
const BUILTIN_IDS = BUILTIN_CHECKS.map((c) => c.id);
const ok = async () => ({ status: 'pass' as const, summary: 'ok', evidence: [], findings: [] });
const check = (id: string, extra: Partial<Check> = {}): Check => ({ id, title: id, rung: 3, run: ok, ...extra });

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xdpd-load-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

function pkg(root: string, name: string, json: Record<string, unknown>, files: Record<string, string>): string {
  const p = join(root, 'node_modules', ...name.split('/'));
  mkdirSync(p, { recursive: true });
  writeFileSync(join(p, 'package.json'), JSON.stringify({ name, version: '3.1.4', ...json }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(p, f)), { recursive: true });
    writeFileSync(join(p, f), text);
  }
  return p;
}
const pluginSource = (name: string, id: string) =>
  `export default { name: ${JSON.stringify(name)}, apiVersion: 1, checks: [{ id: ${JSON.stringify(id)}, title: 'T', rung: 3, run: async () => ({ status: 'pass', summary: 'ran ${id}', evidence: [], findings: [] }) }] };\n`;

describe('the API', () => {
  it('speaks version 1; the define helpers return what they are given', () => {
    expect(API_VERSION).toBe(1);
    const c = check('x/y');
    expect(defineCheck(c)).toBe(c);
    const p = { name: 'x', apiVersion: 1, checks: [c] };
    expect(definePlugin(p)).toBe(p);
    const cfg = { plugins: ['x'] };
    expect(defineConfig(cfg)).toBe(cfg);
  });
});

describe('validatePlugin', () => {
  const taken = () => new Map(BUILTIN_IDS.map((id) => [id, 'built-in']));
  const v = (raw: unknown) => () => validatePlugin(raw, { taken: taken() });

  it('accepts a well-formed plugin', () => {
    const p = { name: '@team/lb-checks', version: '1.0.0', apiVersion: 1, checks: [check('lb/vip', { needs: ['ip', 'bpftool'], after: ['inventory'], timeoutMs: 5000, observes: true })] };
    expect(validatePlugin(p, { taken: taken() })).toBe(p);
  });

  it.each([
    [42, 'the module does not export a plugin object (got number 42); write `export default definePlugin({ name, apiVersion: 1, checks })`'],
    [{ apiVersion: 1, checks: [] }, 'name must be a package-style name like "rpfilter" or "@team/checks" (got nothing)'],
    [{ name: 'x y', apiVersion: 1, checks: [] }, 'name must be a package-style name'],
    [{ name: 'x', checks: [] }, 'apiVersion must be a number: xdp-doctor requires 1, got nothing'],
    [{ name: 'x', apiVersion: 2, checks: [] }, 'unsupported apiVersion: xdp-doctor requires 1, got 2'],
    [{ name: 'x', apiVersion: 0, checks: [] }, 'requires 1, got 0'],
    [{ name: 'x', apiVersion: 1 }, 'checks must be an array of checks (got nothing)'],
    [{ name: 'x', version: 1, apiVersion: 1, checks: [] }, 'version must be a string (got number 1)'],
    [{ name: 'x', apiVersion: 1, checks: [null] }, 'checks[0] must be a check object (got null)'],
    [{ name: 'x', apiVersion: 1, checks: [check('Bad Id')] }, 'checks[0].id must be lower-case words joined by -, optionally namespaced: "rpfilter/asymmetric" (got "Bad Id")'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { title: '' })] }, 'checks[0].title must be a non-empty string'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { rung: '2' as never })] }, 'checks[0].rung must be a number: where on the ladder it runs (got "2")'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { run: undefined as never })] }, 'checks[0].run must be a function (ctx) => Promise<CheckResult> (got nothing)'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { needs: ['wireshark' as never] })] }, 'checks[0].needs[0] "wireshark" is not a tool xdp-doctor knows (ip, bpftool,'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { after: ['Inventory'] })] }, 'checks[0].after[0] must be a check id (got "Inventory")'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { timeoutMs: 0 })] }, 'checks[0].timeoutMs must be a number of milliseconds between 1 and 600000 (got number 0)'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a', { observes: 'yes' as never })] }, 'checks[0].observes must be true or false'],
    [{ name: 'x', apiVersion: 1, checks: [check('x/a'), check('x/a')] }, 'checks[1].id "x/a" is used twice in this plugin'],
    [{ name: 'xdp-doctor-plugin-lb', apiVersion: 1, checks: [check('routing')] }, 'checks[0].id "routing" is already taken by a built-in rung; prefix your ids (e.g. "lb/routing")'],
    [{ name: 'x', apiVersion: 1, checks: [], causes: { c: {} } }, 'causes["c"].title must be a string'],
  ])('%j → %s', (raw, message) => {
    expect(v(raw)).toThrow(message);
  });
});

describe('resolution', () => {
  it('exportTarget follows import/node/default in the package\'s order, sugar, arrays and "."', () => {
    expect(exportTarget('./i.js')).toBe('./i.js');
    expect(exportTarget({ '.': './a.js', './x': './x.js' })).toBe('./a.js');
    expect(exportTarget({ '.': { types: './a.d.ts', import: './a.mjs', require: './a.cjs' } })).toBe('./a.mjs');
    expect(exportTarget({ require: './a.cjs', default: './a.js' })).toBe('./a.js');
    expect(exportTarget({ require: './only.cjs' })).toBe('./only.cjs');
    expect(exportTarget({ '.': [{ import: './a.mjs' }, './b.js'] })).toBe('./a.mjs');
    expect(exportTarget({ './sub': './s.js' })).toBeUndefined();
  });

  it('finds a package in the working directory\'s node_modules or a parent\'s, by exports, main or index.js', () => {
    pkg(dir, 'xdp-doctor-plugin-a', { exports: { '.': { import: './esm/index.js' } } }, { 'esm/index.js': '' });
    pkg(dir, 'xdp-doctor-plugin-b', { main: 'lib/main' }, { 'lib/main.js': '' });
    pkg(dir, '@team/xdp-doctor-plugin', {}, { 'index.js': '' });
    const sub = join(dir, 'deep', 'er');
    mkdirSync(sub, { recursive: true });
    expect(resolvePackage('xdp-doctor-plugin-a', sub)).toEqual({ entry: join(dir, 'node_modules/xdp-doctor-plugin-a/esm/index.js'), version: '3.1.4', name: 'xdp-doctor-plugin-a' });
    expect(resolvePackage('xdp-doctor-plugin-b', dir).entry).toBe(join(dir, 'node_modules/xdp-doctor-plugin-b/lib/main.js'));
    expect(resolvePackage('@team/xdp-doctor-plugin', dir).entry).toBe(join(dir, 'node_modules/@team/xdp-doctor-plugin/index.js'));
  });

  it('then looks beside a globally installed xdp-doctor: <prefix>/lib/node_modules holds both', () => {
    const global = join(dir, 'prefix', 'lib', 'node_modules');
    pkg(join(dir, 'prefix', 'lib'), 'xdp-doctor-plugin-g', {}, { 'index.js': '' });
    const cwd = join(dir, 'elsewhere');
    mkdirSync(cwd);
    expect(selfNodeModules(join(global, 'xdp-doctor'))).toBe(global);
    expect(selfNodeModules('/work/main')).toBeUndefined(); // a checkout: nothing beside it
    expect(resolvePackage('xdp-doctor-plugin-g', cwd, global).entry).toBe(join(global, 'xdp-doctor-plugin-g', 'index.js'));
    // The working directory's copy wins, as Node's own resolution would have it.
    pkg(cwd, 'xdp-doctor-plugin-g', {}, { 'index.js': '' });
    expect(resolvePackage('xdp-doctor-plugin-g', cwd, global).entry).toBe(join(cwd, 'node_modules', 'xdp-doctor-plugin-g', 'index.js'));
    expect(() => resolvePackage('xdp-doctor-plugin-nope', cwd, global)).toThrow(`not installed: no node_modules/xdp-doctor-plugin-nope in ${cwd} or its parents nor in ${global}`);
  });

  it('says what is missing', () => {
    expect(() => resolvePackage('xdp-doctor-plugin-nope', dir)).toThrow(`not installed: no node_modules/xdp-doctor-plugin-nope in ${dir} or its parents (npm install xdp-doctor-plugin-nope)`);
    pkg(dir, 'xdp-doctor-plugin-c', { exports: { './x': './x.js' } }, {});
    expect(() => resolvePackage('xdp-doctor-plugin-c', dir)).toThrow('package xdp-doctor-plugin-c exports no "." entry for import');
    pkg(dir, 'xdp-doctor-plugin-d', { main: 'gone.js' }, {});
    expect(() => resolvePackage('xdp-doctor-plugin-d', dir)).toThrow('package xdp-doctor-plugin-d: its entry gone.js does not exist');
    pkg(dir, 'xdp-doctor-plugin-e', { exports: './../../escape.js' }, {});
    writeFileSync(join(dir, 'escape.js'), '');
    expect(() => resolvePackage('xdp-doctor-plugin-e', dir)).toThrow(/entry .* lies outside the package/);
  });

  // chown needs root: without it the test is reported skipped, never passed with no assertion run (CI runs as root).
  it.skipIf(process.getuid?.() !== 0)('refuses a package another user planted in a parent\'s node_modules', () => {
    const cwd = join(dir, 'work');
    mkdirSync(cwd);
    const planted = pkg(dir, 'xdp-doctor-plugin-evil', {}, { 'index.js': '' });
    chownSync(join(dir, 'node_modules'), 1234, 1234);
    expect(() => resolvePackage('xdp-doctor-plugin-evil', cwd)).toThrow(`refusing ${join(dir, 'node_modules')}: it belongs to uid 1234, neither root nor the owner of ${cwd}`);
    chownSync(join(dir, 'node_modules'), 0, 0);
    chownSync(planted, 1234, 1234);
    expect(() => resolvePackage('xdp-doctor-plugin-evil', cwd)).toThrow(`refusing ${planted}: it belongs to uid 1234`);
    // The owner of the working directory (sudo in a user's project) is trusted.
    chownSync(cwd, 1234, 1234);
    expect(resolvePackage('xdp-doctor-plugin-evil', cwd).entry).toBe(join(planted, 'index.js'));
  });

  it('paths: a file, a package directory, a directory with index.mjs', () => {
    writeFileSync(join(dir, 'p.mjs'), '');
    expect(resolvePath(join(dir, 'p.mjs'))).toEqual({ entry: join(dir, 'p.mjs') });
    const d = pkg(dir, 'local', { exports: './main.js' }, { 'main.js': '' });
    expect(resolvePath(d)).toMatchObject({ entry: join(d, 'main.js'), version: '3.1.4' });
    mkdirSync(join(dir, 'idx'));
    writeFileSync(join(dir, 'idx', 'index.mjs'), '');
    expect(resolvePath(join(dir, 'idx')).entry).toBe(join(dir, 'idx', 'index.mjs'));
    mkdirSync(join(dir, 'empty'));
    expect(() => resolvePath(join(dir, 'empty'))).toThrow('is a directory without package.json or index.mjs/index.js');
    expect(() => resolvePath(join(dir, 'nope.mjs'))).toThrow(`no such file or directory: ${join(dir, 'nope.mjs')}`);
  });
});

describe('loadPlugins: every failure is a warning row, the rest loads', () => {
  it('loads fixtures from paths and reports each one that cannot load, in order', async () => {
    pkg(dir, 'xdp-doctor-plugin-pkg', { version: '4.5.6' }, { 'index.js': pluginSource('pkg', 'pkg/one') });
    const { loaded, failures } = await loadPlugins([
      fixture('finding.mjs'), fixture('throws.mjs'), fixture('invalid.mjs'), fixture('version2.mjs'),
      fixture('syntax-error.mjs'), fixture('collides.mjs'), toSpec('./missing.mjs', dir), toSpec('gone', dir), toSpec('pkg', dir),
    ], { cwd: dir, builtinIds: BUILTIN_IDS });

    expect(loaded.map((p) => [p.name, p.source, p.plugin.checks.map((c) => c.id)])).toEqual([
      ['fx-finding', 'fx-finding@1.2.3', ['fx-finding/policy']],
      ['fx-throws', 'fx-throws@0.1.0', ['fx-throws/boom']],
      // No version in the plugin: the package's.
      ['pkg', 'pkg@4.5.6', ['pkg/one']],
    ]);
    expect(loaded[2]!.from).toBe(join(dir, 'node_modules/xdp-doctor-plugin-pkg/index.js'));
    expect(failures.map((f) => [f.name, f.reason])).toEqual([
      ['fx-invalid', 'checks[0].run must be a function (ctx) => Promise<CheckResult> (got nothing)'],
      ['fx-future', 'unsupported apiVersion: xdp-doctor requires 1, got 2'],
      [join(FIXTURES, 'syntax-error.mjs'), expect.stringMatching(/^(syntax error|import failed): /)],
      ['fx-collides', 'checks[0].id "map-dump" is already taken by a built-in rung; prefix your ids (e.g. "fx-collides/map-dump")'],
      ['./missing.mjs', `no such file or directory: ${join(dir, 'missing.mjs')}`],
      ['xdp-doctor-plugin-gone', expect.stringContaining('not installed: no node_modules/xdp-doctor-plugin-gone')],
    ]);
  });

  it('a failure is a report row: warn, id plugin:NAME, title Plugin NAME, summary naming it and why', async () => {
    const { failures } = await loadPlugins([fixture('version2.mjs')], { cwd: dir, builtinIds: [] });
    const row = failureRecord(failures[0]!);
    expect(row).toMatchObject({
      id: 'plugin:fx-future', title: 'Plugin fx-future', status: 'warn', rung: 0, source: 'fx-future@9.0.0',
      summary: 'plugin fx-future not loaded: unsupported apiVersion: xdp-doctor requires 1, got 2',
      findings: [], commands: [], evidence: [{ label: 'plugin', data: join(FIXTURES, 'version2.mjs') }],
    });
  });

  it('a second plugin may not reuse a name or a check id; the same file named twice loads once', async () => {
    writeFileSync(join(dir, 'a.mjs'), pluginSource('team', 'team/x'));
    writeFileSync(join(dir, 'b.mjs'), pluginSource('team', 'other/y'));
    writeFileSync(join(dir, 'c.mjs'), pluginSource('third', 'team/x'));
    const r = await loadPlugins(['./a.mjs', './a.mjs', './b.mjs', './c.mjs'].map((p) => toSpec(p, dir)), { cwd: dir, builtinIds: [] });
    expect(r.loaded.map((p) => p.name)).toEqual(['team']);
    expect(r.failures.map((f) => f.reason)).toEqual([
      `a plugin named team is already loaded from ${join(dir, 'a.mjs')}`,
      'checks[0].id "team/x" is already taken by team@0.0.0; prefix your ids (e.g. "third/team/x")',
    ]);
  });

  it('a module that never finishes loading is given up on', async () => {
    writeFileSync(join(dir, 'stuck.mjs'), 'await new Promise(() => {});\nexport default {};\n');
    const r = await loadPlugins([toSpec('./stuck.mjs', dir)], { cwd: dir, builtinIds: [], importTimeoutMs: 200 });
    expect(r.failures[0]!.reason).toBe('did not finish loading within 200 ms');
  });

  it('a world-writable plugin file is not imported', async () => {
    const p = join(dir, 'open.mjs');
    writeFileSync(p, 'throw new Error("must not run");');
    chmodSync(p, 0o666);
    const r = await loadPlugins([toSpec(p, dir)], { cwd: dir, builtinIds: [] });
    expect(r.failures[0]!.reason).toMatch(/^refusing to import it: .*open\.mjs is writable by every user/);
  });

  it('a plugin object from the config is validated like a module', async () => {
    const r = await loadPlugins([toSpec({ name: 'inline', apiVersion: 2, checks: [] }, dir)], { cwd: dir, builtinIds: [] });
    expect(failureRecord(r.failures[0]!)).toMatchObject({ id: 'plugin:inline', summary: 'plugin inline not loaded: unsupported apiVersion: xdp-doctor requires 1, got 2' });
  });

  it('checkProblem is silent for the built-in rungs (they use the same API)', () => {
    for (const c of BUILTIN_CHECKS) expect(checkProblem(c), c.id).toBeUndefined();
  });
});

describe('catalog and selection', () => {
  async function catalogFromConfig(config: object, plugins: string[] = []) {
    writeFileSync(join(dir, 'xdp-doctor.config.json'), JSON.stringify(config));
    return loadCatalog({ plugins }, { cwd: dir, builtins: BUILTIN_CHECKS });
  }

  it('built-ins first, then plugins from the config (paths relative to it) and --plugin; options per plugin', async () => {
    const cat = await catalogFromConfig(
      { plugins: [join(FIXTURES, 'finding.mjs'), './nope.mjs'], disable: ['trace-pipe'], options: { 'fx-finding': { mode: 'strict' } } },
      [join(FIXTURES, 'throws.mjs')],
    );
    expect(cat.configPath).toBe(join(dir, 'xdp-doctor.config.json'));
    expect(cat.all.map((p) => p.check.id)).toEqual([...BUILTIN_IDS, 'fx-finding/policy', 'fx-throws/boom']);
    expect(cat.all.find((p) => p.check.id === 'fx-finding/policy')).toMatchObject({ source: 'fx-finding@1.2.3', options: { mode: 'strict' } });
    expect(cat.all.find((p) => p.check.id === 'fx-throws/boom')!.options).toEqual({});
    expect(cat.all.find((p) => p.check.id === 'map-dump')).toEqual({ check: expect.anything(), source: 'built-in' });
    expect(cat.warnings.map((w) => w.summary)).toEqual([`plugin ./nope.mjs not loaded: no such file or directory: ${join(dir, 'nope.mjs')}`]);
    expect(cat.causes.get('fx-team-policy')).toEqual({ title: 'Team policy violated (fixture)', explanation: 'The fixture plugin always finds this.' });

    expect(selectChecks(cat, {}).map((p) => p.check.id)).not.toContain('trace-pipe');
    expect(selectChecks(cat, { checks: ['trace-pipe', 'fx-throws/boom'] }).map((p) => p.check.id)).toEqual(['trace-pipe', 'fx-throws/boom']);
    expect(selectChecks(cat, { skip: ['fx-throws/boom', 'routing'] }).map((p) => p.check.id)).toEqual(
      BUILTIN_IDS.filter((id) => id !== 'trace-pipe' && id !== 'routing').concat('fx-finding/policy'),
    );
    expect(() => selectChecks(cat, { checks: ['fx-future/x'] })).toThrow(SelectionError);
    expect(() => selectChecks(cat, { skip: ['nope'] })).toThrow(/^unknown check "nope"; checks: preflight, .*fx-throws\/boom; plugins not loaded: \.\/nope\.mjs$/);
  });

  it('a check after one on a later rung loads: the runner orders by dependency, not only by rung', async () => {
    const src = (name: string, checks: string) => `export default { name: '${name}', apiVersion: 1, checks: [${checks}] };\n`;
    const c = (id: string, rung: number, after: string[]) => `{ id: '${id}', title: '${id}', rung: ${rung}, after: ${JSON.stringify(after)}, run: async () => ({ status: 'pass', summary: '', evidence: [], findings: [] }) }`;
    writeFileSync(join(dir, 'early.mjs'), src('early', c('early/x', 2, ['map-dump'])));
    writeFileSync(join(dir, 'order.mjs'), src('order', `${c('order/b', 5, ['order/a'])}, ${c('order/a', 5, [])}`));
    const cat = await loadCatalog({ plugins: ['./early.mjs', './order.mjs'] }, { cwd: dir, builtins: BUILTIN_CHECKS });
    expect(cat.loaded.map((p) => p.name)).toEqual(['early', 'order']);
    expect(cat.failures).toEqual([]);
  });

  it('without a config or --plugin, only the built-ins', async () => {
    const cat = await loadCatalog({ plugins: [] }, { cwd: dir, builtins: BUILTIN_CHECKS });
    expect(cat.all.map((p) => p.source)).toEqual(BUILTIN_IDS.map(() => 'built-in'));
    expect(cat.warnings).toEqual([]);
  });
});

describe('plugin checks in the runner and the diagnosis', () => {
  const target: Target = { kind: 'iface', iface: 'v0', hops: [], windowMs: 100, expect: [] };

  it('isolated like built-ins; findings join the diagnosis with the plugin\'s cause title', async () => {
    const cat = await loadCatalog({ plugins: ['finding.mjs', 'throws.mjs', 'bad-result.mjs'].map((f) => join(FIXTURES, f)) }, { cwd: dir, builtins: [] });
    const extra = { check: check('after-them', { rung: 9 }), source: 'built-in' };
    const { records } = await runChecks({
      target, exec: dryRunExec(), checks: [...cat.all, extra], facts: createFacts(), emit: () => {},
      signal: new AbortController().signal, windowMode: 'shared', toolStatus: {}, drainMs: 0,
    });
    expect(records.map((r) => [r.id, r.status, r.source])).toEqual([
      ['fx-bad-result/x', 'error', 'fx-bad-result@0.0.0'],
      ['fx-finding/policy', 'fail', 'fx-finding@1.2.3'],
      ['fx-throws/boom', 'error', 'fx-throws@0.1.0'],
      ['after-them', 'pass', 'built-in'],
    ]);
    expect(records[0]!.summary).toBe('invalid result: result.status must be one of pass|warn|fail|skip|error (got "ok") [plugin fx-bad-result@0.0.0]');
    expect(records[2]!.summary).toBe('crashed: boom from a plugin [plugin fx-throws@0.1.0]');

    const diagnosis = diagnose(records, cat.causes);
    expect(diagnosis[0]).toMatchObject({
      cause: 'fx-team-policy', title: 'Team policy violated (fixture)', explanation: 'The fixture plugin always finds this.',
      evidence: [{ check: 'fx-finding/policy', message: 'fixture finding on v0' }],
      fixes: [{ title: 'do the team thing', commands: [['true']] }],
    });
  });

  it('a plugin cause title never overrides the knowledge base', () => {
    const records = [{
      id: 'p', title: 'p', rung: 9, durationMs: 1, source: 'x@1', commands: [], status: 'fail' as const, summary: '', evidence: [],
      findings: [{ cause: 'map-params-unset', severity: 'high' as const, message: 'm', fixes: [] }],
    }];
    const [d] = diagnose(records, new Map([['map-params-unset', { title: 'plugin title' }]]));
    expect(d!.title).toBe(causeInfo('map-params-unset')!.title);
  });
});
