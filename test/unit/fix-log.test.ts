// src/engine/fix-log.ts: where applied fixes are logged, and how (write-then-rename).
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFixLog, stateDir, undoable, upsertFix, writeFixLog, type FixRecord } from '../../src/engine/fix-log.js';

const dirs: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'xdp-doctor-fixlog-')); dirs.push(d); return d; };
afterEach(() => { while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true }); });

const rec = (id: string, state: FixRecord['state']): FixRecord => ({
  id, cause: 'veth-peer-no-xdp', title: `fix ${id}`, appliedAt: '2026-11-24T13:00:00.000Z',
  commands: [['ip', 'link', 'set', 'dev', 'g1', 'up']], undo: [['ip', 'link', 'set', 'dev', 'g1', 'down']], state, ran: 1,
});

describe('stateDir', () => {
  it('XDP_DOCTOR_STATE_DIR, then $XDG_STATE_HOME/xdp-doctor, then /var/lib/xdp-doctor', () => {
    expect(stateDir({ XDP_DOCTOR_STATE_DIR: '/tmp/s', XDG_STATE_HOME: '/home/u/.local/state' })).toBe('/tmp/s');
    expect(stateDir({ XDG_STATE_HOME: '/home/u/.local/state' })).toBe('/home/u/.local/state/xdp-doctor');
    expect(stateDir({})).toBe('/var/lib/xdp-doctor');
    expect(stateDir({ XDP_DOCTOR_STATE_DIR: '' })).toBe('/var/lib/xdp-doctor');
  });
});

describe('the log', () => {
  it('is empty when absent or unreadable', () => {
    const d = tmp();
    expect(readFixLog(d)).toEqual([]);
    writeFileSync(join(d, 'fixes.json'), '[{"id": "cut sh');
    expect(readFixLog(d)).toEqual([]);
    writeFileSync(join(d, 'fixes.json'), '{"not":"a list"}');
    expect(readFixLog(d)).toEqual([]);
  });

  it('is written whole with write-then-rename: no temp file is left, the directory is created', () => {
    const d = join(tmp(), 'nested', 'state');
    writeFixLog([rec('1', 'applied')], d);
    expect(readdirSync(d)).toEqual(['fixes.json']);
    expect(JSON.parse(readFileSync(join(d, 'fixes.json'), 'utf8'))).toEqual([rec('1', 'applied')]);
    writeFixLog([rec('1', 'applied'), rec('2', 'applying')], d);
    expect(readdirSync(d)).toEqual(['fixes.json']);
    expect(readFixLog(d).map((r) => r.id)).toEqual(['1', '2']);
  });

  it('upsert replaces a record by id in place (the log stays in the order fixes were applied) and appends new ones', () => {
    const d = tmp();
    upsertFix(rec('1', 'applying'), d);
    upsertFix(rec('2', 'applied'), d);
    upsertFix(rec('1', 'applied'), d);
    // A rewrite (a failed undo's error, say) must not make an older fix the newest on undo's stack.
    expect(readFixLog(d).map((r) => [r.id, r.state])).toEqual([['1', 'applied'], ['2', 'applied']]);
    expect(undoable(d).map((r) => r.id)).toEqual(['2', '1']);
  });

  it('undoable: applied or interrupted while applying, newest first', () => {
    const d = tmp();
    writeFixLog([rec('1', 'applied'), rec('2', 'undone'), rec('3', 'rolled-back'), rec('4', 'failed'), rec('5', 'applying'), rec('6', 'applied')], d);
    expect(undoable(d).map((r) => r.id)).toEqual(['6', '5', '1']);
  });
});
