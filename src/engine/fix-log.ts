// Applied fixes, each with its undo, in the state directory (src/state-dirs.ts: XDP_DOCTOR_STATE_DIR,
// $XDG_STATE_HOME/xdp-doctor or /var/lib/xdp-doctor). A fix is written as "applying" before its first command runs, so a fix cut short
// (crash, Ctrl-C, SSH drop) is still on record and can be undone.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../state-dirs.js';
import type { NetnsRef } from './types.js';
import type { Fact, NetnsId, Watch } from './fix-state.js';

/** dropped: taken off the undo stack by `undo --drop` (its namespace is gone, or the state moved on). */
export type FixState = 'applying' | 'applied' | 'rolled-back' | 'failed' | 'undone' | 'dropped';

export interface FixRecord {
  id: string;
  cause: string;
  title: string;
  appliedAt: string;
  /** Full argv lists, namespace already entered with nsenter. */
  commands: string[][];
  undo: string[][];
  state: FixState;
  /** How many commands ran before the state was last written. */
  ran: number;
  error?: string;
  /** The namespace the commands ran in, and which one it was when the fix began (fix-state.ts NetnsId). */
  netns?: NetnsRef;
  netnsId?: NetnsId;
  /**
   * What the commands change that can be read back (fix-state.ts). Absent on entries logged before undo checked
   * state: those are never run, only shown and dropped.
   */
  watch?: Watch[];
  /** The watches read right after the fix applied: undo runs only while they still read the same. */
  after?: Fact[];
  /** When `undo --drop` took it off the stack. */
  droppedAt?: string;
}

export { stateDir };

const logPath = (dir: string) => join(dir, 'fixes.json');

export function readFixLog(dir = stateDir()): FixRecord[] {
  try {
    const v = JSON.parse(readFileSync(logPath(dir), 'utf8'));
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Write-then-rename: a crash leaves either the old log or the new one, never half of one. */
export function writeFixLog(records: FixRecord[], dir = stateDir()): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${logPath(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(records, null, 2)}\n`);
  renameSync(tmp, logPath(dir));
}

/** Replaces the entry in place (the log stays in the order fixes were applied: undo's stack), or appends it. */
export function upsertFix(record: FixRecord, dir = stateDir()): void {
  const all = readFixLog(dir);
  const i = all.findIndex((r) => r.id === record.id);
  if (i >= 0) all[i] = record; else all.push(record);
  writeFixLog(all, dir);
}

/** Fixes whose changes are (or may be) still in place, newest first. */
export function undoable(dir = stateDir()): FixRecord[] {
  return readFixLog(dir).filter((r) => r.state === 'applied' || r.state === 'applying').reverse();
}
