// Applies one Fix atomically: its commands in order; if one fails, the undo runs and the system is back
// where it was. Every step is logged with its undo before it runs (see fix-log.ts).
import type { Fix } from './types.js';
import type { Exec } from '../tools/exec.js';
import { inNetns } from '../tools/netns.js';
import { stateDir, undoable, upsertFix, type FixRecord } from './fix-log.js';

let sequence = 0;

export interface ApplyResult { record: FixRecord; ok: boolean; output: string[] }

export async function applyFix(exec: Exec, cause: string, fix: Fix, dir = stateDir()): Promise<ApplyResult> {
  const record: FixRecord = {
    id: `${Date.now()}-${process.pid}-${++sequence}`,
    cause, title: fix.title, appliedAt: new Date().toISOString(),
    commands: fix.commands.map((c) => inNetns(c, fix.netns)),
    undo: (fix.undo ?? []).map((c) => inNetns(c, fix.netns)),
    state: 'applying', ran: 0,
  };
  upsertFix(record, dir);
  const output: string[] = [];
  for (const argv of record.commands) {
    const r = await exec.run(argv, { timeoutMs: 20_000 });
    output.push(`$ ${argv.join(' ')}${r.ok ? '' : `\n  failed: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`}`);
    if (!r.ok) {
      record.error = `${argv.join(' ')}: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`;
      // Roll back what ran (undo commands are written to be safe when part of the fix did not happen).
      if (record.ran > 0) await runAll(exec, record.undo, output);
      record.state = record.ran > 0 ? 'rolled-back' : 'failed';
      upsertFix(record, dir);
      return { record, ok: false, output };
    }
    record.ran++;
    upsertFix(record, dir);
  }
  record.state = 'applied';
  upsertFix(record, dir);
  return { record, ok: true, output };
}

async function runAll(exec: Exec, cmds: string[][], output: string[]): Promise<boolean> {
  let ok = true;
  for (const argv of cmds) {
    const r = await exec.run(argv, { timeoutMs: 20_000 });
    output.push(`$ ${argv.join(' ')}${r.ok ? '' : `  (failed: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`})`}`);
    ok &&= r.ok;
  }
  return ok;
}

/** Reverts the newest applied fix (or all of them, newest first). */
export async function undoFixes(exec: Exec, opts: { all?: boolean } = {}, dir = stateDir()): Promise<{ undone: FixRecord[]; failed: FixRecord[]; output: string[] }> {
  const todo = undoable(dir);
  const chosen = opts.all ? todo : todo.slice(0, 1);
  const output: string[] = [];
  const undone: FixRecord[] = [];
  const failed: FixRecord[] = [];
  for (const rec of chosen) {
    output.push(`undo: ${rec.title}${rec.state === 'applying' ? ' (it was interrupted while applying)' : ''}`);
    if (!rec.undo.length) { failed.push(rec); output.push('  no undo commands were recorded for this fix'); continue; }
    const ok = await runAll(exec, rec.undo, output);
    rec.state = ok ? 'undone' : rec.state;
    if (!ok) rec.error = 'undo failed; see output';
    upsertFix(rec, dir);
    (ok ? undone : failed).push(rec);
  }
  return { undone, failed, output };
}
