// Interactive only with a person at a terminal: both TTYs, and none of CI, TERM=dumb, --non-interactive, --json.
import { describe, expect, test } from 'vitest';
import { inCi, isInteractive } from '../../src/interactive.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };
const flags = { nonInteractive: false, json: false };

describe('isInteractive', () => {
  test('both TTYs and nothing against it', () => {
    expect(isInteractive(flags, { TERM: 'xterm-256color' }, tty, tty)).toBe(true);
  });
  test.each([
    ['stdin is a pipe', flags, {}, pipe, tty],
    ['stdout is a pipe', flags, {}, tty, pipe],
    ['--non-interactive', { ...flags, nonInteractive: true }, {}, tty, tty],
    ['--json', { ...flags, json: true }, {}, tty, tty],
    ['TERM=dumb', flags, { TERM: 'dumb' }, tty, tty],
    ['CI=true', flags, { CI: 'true' }, tty, tty],
    ['CI=1', flags, { CI: '1' }, tty, tty],
    ['CI=woodpecker', flags, { CI: 'woodpecker' }, tty, tty],
  ])('not when %s', (_what, f, env, stdin, stdout) => {
    expect(isInteractive(f, env as NodeJS.ProcessEnv, stdin, stdout)).toBe(false);
  });
  test('CI=false, CI=0 and an empty CI do not count as CI', () => {
    for (const CI of ['false', 'FALSE', '0', '']) {
      expect(inCi({ CI })).toBe(false);
      expect(isInteractive(flags, { CI }, tty, tty)).toBe(true);
    }
  });
});
