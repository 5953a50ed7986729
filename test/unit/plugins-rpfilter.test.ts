// The example plugin (examples/xdp-doctor-plugin-rpfilter) through the check tester, on output recorded from real
// runs on the lab (its test/cases.js: healthy, strict and loose g2, all=1 in gw, ignore, a hop that is gone); and
// the plugin itself through the loader, as `--plugin examples/xdp-doctor-plugin-rpfilter` loads it.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, test } from 'vitest';
import { runCheck, testCheck } from '../../src/plugins/testing.js';
import { loadPlugins } from '../../src/plugins/load.js';
import { toSpec } from '../../src/plugins/config.js';
import { BUILTIN_CHECKS } from '../../checks/index.js';
// @ts-expect-error plain JavaScript with JSDoc types (no declaration file)
import { cases, replay } from '../../examples/xdp-doctor-plugin-rpfilter/test/cases.js';
// @ts-expect-error plain JavaScript with JSDoc types
import plugin, { rpFilterCheck } from '../../examples/xdp-doctor-plugin-rpfilter/index.js';
// @ts-expect-error plain JavaScript with JSDoc types
import { inboundPairs, parseSysctl } from '../../examples/xdp-doctor-plugin-rpfilter/rp-filter.js';

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples/xdp-doctor-plugin-rpfilter');

testCheck(rpFilterCheck, cases, { test, describe });

describe('the rpfilter example', () => {
  it('loads as a plugin directory (package.json exports) with its version and cause title', async () => {
    const { loaded, failures } = await loadPlugins([toSpec(EXAMPLE, '/')], { cwd: '/', builtinIds: BUILTIN_CHECKS.map((c) => c.id) });
    expect(failures).toEqual([]);
    expect(loaded[0]).toMatchObject({ name: 'rpfilter', source: 'rpfilter@1.0.0', from: join(EXAMPLE, 'index.js') });
    expect(loaded[0]!.plugin).toBe(plugin);
    expect(plugin.causes['rp-filter-drop'].title).toBe('Reverse-path filter drops packets on an asymmetric route');
  });

  it('the replayed strict case gives the same result the live run gave', async () => {
    const { readFileSync } = await import('node:fs');
    const live = JSON.parse(readFileSync(join(EXAMPLE, 'test/recordings/g2-strict.json'), 'utf8')).result;
    const run = await runCheck(rpFilterCheck, replay('g2-strict'));
    expect(run.result).toEqual(live);
  });

  it('parses what sysctl and tcpdump printed on the lab', () => {
    expect(parseSysctl('net.ipv4.conf.all.rp_filter = 0\nnet.ipv4.conf.g2.rp_filter = 1\n')).toEqual(new Map([
      ['net.ipv4.conf.all.rp_filter', 0], ['net.ipv4.conf.g2.rp_filter', 1],
    ]));
    const g1 = replay('gw-all-strict').exec.find((r: { argv: string[] }) => r.argv[0] === 'tcpdump' && r.argv[2] === 'g1');
    // IPIP from the LB: the outer header is what gw routes.
    expect(inboundPairs(g1.lines)).toEqual([{ src: '10.111.221.11', dst: '10.111.222.11', count: 3 }]);
  });
});
