import { describe, expect, test } from 'vitest';
import { wrapCommand, wrapLines, wrapWords } from '../../src/ui/text.js';

describe('text shaping', () => {
  test('a long command wraps between arguments with a trailing backslash, and pastes back as the same argv', () => {
    const argv = ['nsenter', '--net=/run/netns/w123-gw', '--', 'ip', 'link', 'set', 'dev', 'g1', 'xdpdrv', 'obj', '/work/main/bpf/build/xdp_pass.o', 'sec', 'xdp'];
    const lines = wrapCommand(argv, 60, '  ');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    for (const l of lines.slice(0, -1)) expect(l.endsWith(' \\')).toBe(true);
    const joined = lines.map((l) => l.replace(/ \\$/, '')).join(' ').replace(/^\s*\$\s*/, '').split(/\s+/);
    expect(joined).toEqual(argv);
    expect(wrapCommand(['ip', 'link'], 60)).toEqual(['$ ip link']);
  });

  test('word wrap keeps the indent; hard wrap splits long lines', () => {
    expect(wrapWords('one two three four', 10, '  ')).toEqual(['  one two', '  three', '  four']);
    expect(wrapLines('abcdefghijkl', 12, '  ')).toEqual(['  abcdefghij', '  kl']);
  });
});
