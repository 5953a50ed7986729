// src/plugins/config.ts: finding the config (cwd or --config), reading .json/.mjs, validating its shape with
// messages that name the file and the field, npm shorthand, paths relative to the config, and trust checks.
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError, findConfig, isPathSpec, loadConfig, packageNameOf, pluginSpecs, specProblem, trustProblem, validateConfig,
} from '../../src/plugins/config.js';
import { TargetError } from '../../src/targets.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'xdpd-config-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

describe('npm names and paths', () => {
  it('expands the ESLint-style shorthand and keeps full names', () => {
    expect(packageNameOf('foo')).toBe('xdp-doctor-plugin-foo');
    expect(packageNameOf('xdp-doctor-plugin-foo')).toBe('xdp-doctor-plugin-foo');
    expect(packageNameOf('@team')).toBe('@team/xdp-doctor-plugin');
    expect(packageNameOf('@team/xdp-doctor-plugin-lb')).toBe('@team/xdp-doctor-plugin-lb');
    expect(packageNameOf('@team/anything')).toBe('@team/anything');
  });

  it('tells paths from package names', () => {
    for (const p of ['./x.mjs', '../x', '/etc/xdp/checks.mjs', 'plugins/x.mjs', '.']) expect(isPathSpec(p), p).toBe(true);
    for (const n of ['foo', '@team', '@team/foo', 'xdp-doctor-plugin-foo']) expect(isPathSpec(n), n).toBe(false);
  });

  it('rejects strings that are neither', () => {
    expect(specProblem('Foo Bar')).toMatch(/neither a path \(start it with \.\/\) nor an npm package name/);
    expect(specProblem('')).toBe('must not be empty');
    expect(specProblem('foo')).toBeUndefined();
  });
});

describe('validateConfig', () => {
  it('accepts the documented shape and fills defaults', () => {
    expect(validateConfig({}, 'c.json')).toEqual({ plugins: [], disable: [], options: {} });
    const plugin = { name: 'x', apiVersion: 1, checks: [] };
    expect(validateConfig({ plugins: ['foo', './p.mjs', plugin], disable: ['trace-pipe', 'rpfilter/asymmetric'], options: { rpfilter: { fixValue: 0 } } }, 'c.json'))
      .toEqual({ plugins: ['foo', './p.mjs', plugin], disable: ['trace-pipe', 'rpfilter/asymmetric'], options: { rpfilter: { fixValue: 0 } } });
  });

  it.each([
    [[], 'config /x/c.json: the config must be an object with plugins, disable and options'],
    [{ plugin: ['foo'] }, 'config /x/c.json: "plugin" is not a config field (fields: plugins, disable, options)'],
    [{ plugins: 'foo' }, 'config /x/c.json: plugins must be an array of package names, paths or plugin objects'],
    [{ plugins: ['ok', 42] }, 'config /x/c.json: plugins[1] must be a package name, a path or a plugin object (got number 42)'],
    [{ plugins: ['Not A Name'] }, 'config /x/c.json: plugins[0] "Not A Name" is neither a path (start it with ./) nor an npm package name'],
    [{ disable: 'trace-pipe' }, 'config /x/c.json: disable must be an array of check ids'],
    [{ disable: ['Trace Pipe'] }, 'config /x/c.json: disable[0] must be a check id like "map-dump" or "rpfilter/asymmetric" (got "Trace Pipe")'],
    [{ options: { rpfilter: 'loose' } }, 'config /x/c.json: options["rpfilter"] must be an object (got "loose")'],
    [undefined, 'config /x/c.json: default export is missing: write `export default defineConfig({ plugins: [...] })`'],
  ])('%j → %s', (raw, message) => {
    expect(() => validateConfig(raw, '/x/c.json')).toThrow(message);
  });

  it('is a usage error (exit 2 through TargetError)', () => {
    expect(() => validateConfig([], 'c')).toThrow(ConfigError);
    expect(new ConfigError('x')).toBeInstanceOf(TargetError);
  });
});

describe('finding and loading the file', () => {
  it('finds nothing when there is no config (no plugin is ever loaded by default)', async () => {
    expect(findConfig(dir)).toBeUndefined();
    expect(await loadConfig(dir)).toEqual({ config: { plugins: [], disable: [], options: {} } });
  });

  it('prefers .mjs, then .js, then .json in the working directory', () => {
    write('xdp-doctor.config.json', '{}');
    expect(findConfig(dir)?.path).toBe(join(dir, 'xdp-doctor.config.json'));
    write('xdp-doctor.config.mjs', 'export default {}');
    expect(findConfig(dir)).toEqual({ path: join(dir, 'xdp-doctor.config.mjs'), explicit: false });
  });

  it('reads JSON and ESM configs', async () => {
    write('a.json', JSON.stringify({ plugins: ['foo'], disable: ['trace-pipe'] }));
    expect((await loadConfig(dir, 'a.json')).config).toEqual({ plugins: ['foo'], disable: ['trace-pipe'], options: {} });
    write('b.mjs', 'export default { plugins: [{ name: "inline", apiVersion: 1, checks: [] }], options: { inline: { a: 1 } } };');
    const b = await loadConfig(dir, 'b.mjs');
    expect(b.path).toBe(join(dir, 'b.mjs'));
    expect(b.config.plugins).toEqual([{ name: 'inline', apiVersion: 1, checks: [] }]);
    expect(b.config.options).toEqual({ inline: { a: 1 } });
  });

  it('names the file in every error', async () => {
    await expect(loadConfig(dir, 'nope.json')).rejects.toThrow('--config nope.json: no such file');
    write('c.yaml', 'plugins: []');
    await expect(loadConfig(dir, 'c.yaml')).rejects.toThrow('--config c.yaml: the file name must end in .mjs, .js or .json');
    const bad = write('xdp-doctor.config.json', '{ "plugins": [ }');
    await expect(loadConfig(dir)).rejects.toThrow(new RegExp(`^config ${bad}: .*JSON`));
    write('d.json', JSON.stringify({ plugins: [{}], disable: [1] }));
    await expect(loadConfig(dir, 'd.json')).rejects.toThrow(`config ${join(dir, 'd.json')}: disable[0] must be a check id`);
  });

  it('refuses a world-writable config, and one found in cwd that belongs to someone else', async () => {
    const p = write('xdp-doctor.config.json', '{}');
    chmodSync(p, 0o666);
    expect(trustProblem(p, { requireOwner: false })).toMatch(/is writable by every user \(mode 666\); chmod o-w it first/);
    await expect(loadConfig(dir)).rejects.toThrow(/^refusing to load config .*writable by every user/);
    chmodSync(p, 0o644);
    if (process.getuid?.() === 0) {
      chownSync(p, 1234, 1234);
      await expect(loadConfig(dir)).rejects.toThrow(/belongs to uid 1234, not to the user running xdp-doctor \(uid 0\); pass --config xdp-doctor.config.json/);
      // Named explicitly, it is the operator's choice.
      expect((await loadConfig(dir, 'xdp-doctor.config.json')).path).toBe(p);
    }
  });
});

describe('pluginSpecs', () => {
  it('resolves config paths against the config file and --plugin against cwd, config first', () => {
    const obj = { name: 'inline', apiVersion: 1, checks: [] };
    const specs = pluginSpecs(
      { path: '/etc/xdp/xdp-doctor.config.json', config: { plugins: ['foo', './team.mjs', obj], disable: [], options: {} } },
      ['@team', '../x.mjs'], '/work/proj',
    );
    expect(specs).toEqual([
      { kind: 'package', name: 'xdp-doctor-plugin-foo', as: 'foo' },
      { kind: 'path', path: '/etc/xdp/team.mjs', as: './team.mjs' },
      { kind: 'object', plugin: obj, as: 'inline' },
      { kind: 'package', name: '@team/xdp-doctor-plugin', as: '@team' },
      { kind: 'path', path: '/work/x.mjs', as: '../x.mjs' },
    ]);
  });

  it('rejects a --plugin that is neither a path nor a name', () => {
    expect(() => pluginSpecs({ config: { plugins: [], disable: [], options: {} } }, ['Bad Name'], '/w'))
      .toThrow('--plugin "Bad Name": "Bad Name" is neither a path (start it with ./) nor an npm package name');
  });
});
