// stat -L -c %i on recorded output: the inodes it could read, the rest on stderr (exit 1).
import { describe, expect, it } from 'vitest';
import { fakeExec } from '../../src/plugins/testing.js';
import { createStat, parseInodes } from '../../src/tools/stat.js';
import { recording } from './helpers/recordings.js';

const PATHS = ['/proc/self/ns/net', '/proc/self/ns/uts', '/proc/1/ns/net'];

describe('stat', () => {
  it('parseInodes: one inode a line', () => {
    expect(parseInodes(recording('stat/inodes-ns.txt'))).toEqual(['4026531833', '4026531838']);
    expect(parseInodes('')).toEqual([]);
  });

  it('inodes: one unreadable path does not lose the others; no paths, no command', async () => {
    const exec = fakeExec([{
      argv: ['stat', '-L', '-c', '%i', ...PATHS], exitCode: 1,
      stdout: recording('stat/inodes-ns.txt'), stderr: recording('stat/inodes-ns-stderr.txt'),
    }]);
    expect(await createStat(exec).inodes(PATHS)).toEqual(['4026531833', '4026531838']);
    expect(await createStat(exec).inodes([])).toEqual([]);
    expect(exec.calls).toHaveLength(1);
  });
});
