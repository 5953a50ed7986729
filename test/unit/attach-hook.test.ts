// The hook rung on libxdp's dispatcher, over output recorded on Debian's 6.1 in the test:kernels VM
// (test/recordings/kernels/6.1: xdp-loader loaded count_pass behind xdp_dispatcher on ks0). On this project's
// 6.18 machines the dispatcher cannot load (freplace needs trampolines), so this is where it is recorded.
import { describe, expect, test } from 'vitest';
import { runCheck } from '../../src/plugins/testing.js';
import { hookRung } from '../../src/attach/rung-hook.js';
import { parseLinks } from '../../src/tools/ip.js';
import { FACT } from '../../src/attach/context.js';
import { recording } from './helpers/recordings.js';

const k61 = (p: string) => recording(`kernels/6.1/${p}`);
const NS = { kind: 'name', name: 'kd-s' } as const;

describe('hook rung: libxdp dispatcher', () => {
  test('names the dispatcher and its components, and offers libxdp\'s way instead of a plain replace', async () => {
    const [ks0] = parseLinks(k61('ip/link-show-xdp-loader.json'));
    const request = { object: '/o/prog.o', iface: 'ks0', netns: NS, mode: 'native' };
    const run = await runCheck(hookRung, {
      target: { iface: 'ks0', netns: NS }, options: { request },
      facts: { [FACT.device]: { link: ks0, driver: 'veth' } },
      exec: [
        { argv: ['bpftool', '-j', 'link', 'show'], stdout: k61('bpftool/link-show.json') },
        { argv: ['xdp-loader', 'status', 'ks0'], stdout: k61('xdp-loader/status-count-pass.txt') },
      ],
    });
    expect(run.result.status).toBe('warn');
    const f = run.result.findings[0]!;
    expect(f.cause).toBe('attach-libxdp-dispatcher');
    expect(f.message).toMatch(/^libxdp's dispatcher \(program 168 \(xdp_dispatcher\) in native mode\) is on the hook, running count_pass \(id 177, prio 50\)/);
    expect(f.fixes.map((x) => x.commands[0])).toEqual([['xdp-loader', 'load', '-m', 'native', 'ks0', '/o/prog.o'], ['xdp-loader', 'unload', 'ks0', '--all']]);
  });
});
