// scripts/mutation.mjs (npm run test:mutation): which files it mutates, and the per-file scores it gates on, read
// from a StrykerJS 9.6 JSON report recorded on this checkout (src/engine/route.ts before conclude-rules.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script, no types
import { pickFiles, scores } from '../../scripts/mutation.mjs';

const ALL = ['checks/map-contents.ts', 'src/engine/diagnosis.ts', 'src/engine/route.ts'];

describe('test:mutation', () => {
  it('no argument: every decision file; files named: those', () => {
    expect(pickFiles([], ALL, () => [])).toEqual(ALL);
    expect(pickFiles(['src/engine/route.ts'], ALL, () => [])).toEqual(['src/engine/route.ts']);
  });

  it('--changed: the decision files that differ from main (or the base given), nothing else', () => {
    const asked: string[] = [];
    const changed = (base: string) => { asked.push(base); return ['src/engine/route.ts', 'README.md', 'test/unit/x.test.ts']; };
    expect(pickFiles(['--changed'], ALL, changed)).toEqual(['src/engine/route.ts']);
    expect(pickFiles(['--changed', 'origin/main'], ALL, changed)).toEqual(['src/engine/route.ts']);
    expect(asked).toEqual(['main', 'origin/main']);
    expect(pickFiles(['--changed'], ALL, () => ['README.md'])).toEqual([]);
  });

  it('--held: the files held at the floor, each of them a decision file', async () => {
    // @ts-expect-error plain ESM script, no types
    const { HELD_FILES, DECISION_FILES } = await import('../../scripts/mutation-files.mjs');
    expect(pickFiles(['--held'], ALL, () => [], ['src/engine/route.ts'])).toEqual(['src/engine/route.ts']);
    expect(pickFiles(['--held'], ALL, () => [])).toEqual(HELD_FILES);
    const dirs = (DECISION_FILES as string[]).filter((p) => p.endsWith('*.ts')).map((p) => p.replace('*.ts', ''));
    for (const f of HELD_FILES as string[]) expect(DECISION_FILES.includes(f) || dirs.some((d) => f.startsWith(d) && !f.slice(d.length).includes('/')), f).toBe(true);
  });

  it('scores per file: killed and timed out over those plus survived and uncovered', () => {
    const report = JSON.parse(readFileSync(join(__dirname, '..', 'recordings', 'stryker', 'mutation-route.json'), 'utf8'));
    const [s] = scores(report);
    expect(s).toMatchObject({ file: 'src/engine/route.ts', detected: 17, survived: 4, noCoverage: 0, total: 21 });
    expect(s.score).toBeCloseTo(80.95, 2);
    expect(scores({ files: { 'x.ts': { mutants: [{ status: 'CompileError' }, { status: 'Ignored' }] } } })).toEqual([
      { file: 'x.ts', detected: 0, survived: 0, noCoverage: 0, total: 0, score: 100 },
    ]);
  });
});
