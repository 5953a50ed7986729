// The lab's runs as discovery sees them (src/lab/runs.ts): its namespace names, and its records in runDir().
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { labOfNamespace, labRuns, labsFromNamespaces, parseLabRecord } from '../../src/lab/runs.js';
import { labStatePath, runDir } from '../../src/state-dirs.js';
import { recording } from './helpers/recordings.js';

/** A lab record with the fields runs.ts reads, as src/lab/state.ts's LabState names them (the rest left out). */
const stateFile = (prefix: string, phase: string, faults: string[]) => JSON.stringify({ version: 1, prefix, phase, faults, namespaces: [] });
const listed = (JSON.parse(recording('ip/discover-netns-list-labs.json')) as { name: string }[]).map((n) => n.name);

function fakeFiles(files: Record<string, string>) {
  return {
    list: async (dir: string) => Object.keys(files).filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)),
    read: async (p: string) => files[p],
  };
}

describe('namespace names', () => {
  test('a lab namespace is PREFIX-NODE with a valid lab name; the longest prefix wins', () => {
    expect(labOfNamespace('h3-lb')).toEqual({ prefix: 'h3', node: 'lb' });
    expect(labOfNamespace('x-lb-gw')).toEqual({ prefix: 'x-lb', node: 'gw' });
    expect(labOfNamespace('app')).toBeUndefined();
    expect(labOfNamespace('-gw')).toBeUndefined();
    expect(labOfNamespace('waytoolongname-gw')).toBeUndefined();
  });

  test('a lab is a prefix with all four namespaces (recorded `ip -j netns list`)', () => {
    expect(labsFromNamespaces(listed)).toEqual(['bench', 'h3', 'h4', 'me']);
    expect(labsFromNamespaces(['x-client', 'x-gw', 'x-lb'])).toEqual([]);
  });
});

describe('records', () => {
  test('prefix, phase, faults; junk is ignored', () => {
    expect(parseLabRecord(stateFile('wz', 'up', ['veth-peer']))).toEqual({ prefix: 'wz', phase: 'up', faults: ['veth-peer'] });
    expect(parseLabRecord('{"prefix":"../etc"}')).toBeUndefined();
    expect(parseLabRecord('not json')).toBeUndefined();
  });

  test('runs: a record is up only with all its namespaces; a stale record is dropped; namespaces alone are partial', async () => {
    const files = fakeFiles({
      [labStatePath('h3')]: stateFile('h3', 'up', ['veth-peer']),
      [labStatePath('h4')]: stateFile('h4', 'building', []),
      [labStatePath('me')]: stateFile('me', 'up', []),
      [labStatePath('gone')]: stateFile('gone', 'up', []),
      [join(runDir(), 'notes.txt')]: 'x',
    });
    const runs = await labRuns(files, listed.filter((n) => n !== 'me-real'));
    expect(runs).toEqual([
      { name: 'bench', phase: 'partial', faults: [] },
      { name: 'h3', phase: 'up', faults: ['veth-peer'] },
      { name: 'h4', phase: 'building', faults: [] },
      { name: 'me', phase: 'partial', faults: [] },
    ]);
  });
});
