// Applies one Fix atomically: its commands in order; if one fails, the undo runs and the system is back
// where it was. Every step is logged with its undo before it runs (see fix-log.ts), and with what undo will
// need to tell whether the system is still as the fix left it (which namespace before, the watched
// state after: undo-check.ts).
import type { Fix } from './types.js';
import type { Exec } from '../tools/exec.js';
import { fixArgv } from './fix-argv.js';
import { readFixLog, stateDir, undoable, upsertFix, type FixRecord } from './fix-log.js';
import { watchesOf } from './fix-state.js';
import { observe, realStateReaders, type StateReaders } from './fix-state-readers.js';
import { checkUndo, type UndoCheck } from './undo-check.js';

let sequence = 0;

interface ApplyResult { record: FixRecord; ok: boolean; output: string[] }

export async function applyFix(
  exec: Exec, cause: string, fix: Fix, dir = stateDir(), readers: StateReaders = realStateReaders(exec),
): Promise<ApplyResult> {
  const record: FixRecord = {
    id: `${Date.now()}-${process.pid}-${++sequence}`,
    cause, title: fix.title, appliedAt: new Date().toISOString(),
    commands: fix.commands.map((c) => fixArgv(fix, c)),
    undo: (fix.undo ?? []).map((c) => fixArgv(fix, c)),
    state: 'applying', ran: 0,
    ...(fix.netns ? { netns: fix.netns, netnsId: await readers.netnsIdentity(fix.netns) } : {}),
    watch: watchesOf([...fix.commands, ...(fix.undo ?? [])]),
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
  record.after = await observe(readers, record.watch ?? [], fix.netns);
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

interface UndoResult {
  undone: FixRecord[];
  failed: FixRecord[];
  /** Not run: the state is no longer what the fix left (or cannot be told). */
  refused: { record: FixRecord; changes: string[] }[];
  /** Not run, passed over: the fix's namespace is gone or was made again. */
  stale: { record: FixRecord; why: string }[];
  output: string[];
}

/**
 * Reverts the newest applied fix (or all of them, newest first) while each is still as it left the system.
 * Stale entries are passed over and reported; the first refusal stops: an older fix is not reverted from
 * under a newer one that stays.
 */
export async function undoFixes(
  exec: Exec, opts: { all?: boolean } = {}, dir = stateDir(), readers: StateReaders = realStateReaders(exec),
): Promise<UndoResult> {
  const res: UndoResult = { undone: [], failed: [], refused: [], stale: [], output: [] };
  for (const rec of undoable(dir)) {
    const check = await checkUndo(rec, readers);
    if (check.verdict === 'stale') {
      res.stale.push({ record: rec, why: check.why });
      res.output.push(`stale: ${rec.title} [${rec.id}]: ${check.why}; not run (drop it: xdp-doctor undo --drop ${rec.id})`);
      continue;
    }
    if (check.verdict === 'refuse') {
      res.refused.push({ record: rec, changes: check.changes });
      res.output.push(`refused: ${rec.title} [${rec.id}]: the system is no longer as this fix left it:`,
        ...check.changes.map((c) => `  ${c}`),
        `  nothing was run; to forget this fix: xdp-doctor undo --drop ${rec.id}`);
      break;
    }
    await runUndo(exec, rec, check, res, dir);
    if (!opts.all) break;
  }
  return res;
}

async function runUndo(exec: Exec, rec: FixRecord, check: UndoCheck & { verdict: 'run' }, res: UndoResult, dir: string): Promise<void> {
  res.output.push(`undo: ${rec.title}${check.note ? ` (${check.note})` : ''}`);
  if (!rec.undo.length) { res.failed.push(rec); res.output.push('  no undo commands were recorded for this fix'); return; }
  const ok = await runAll(exec, rec.undo, res.output);
  rec.state = ok ? 'undone' : rec.state;
  if (!ok) rec.error = 'undo failed; see output';
  upsertFix(rec, dir);
  (ok ? res.undone : res.failed).push(rec);
}

/** `undo --drop ID`: off the undo stack, kept in the log. Returns the entry, or undefined when no such undoable id. */
export function dropFix(id: string, dir = stateDir()): FixRecord | undefined {
  const rec = readFixLog(dir).find((r) => r.id === id && (r.state === 'applied' || r.state === 'applying'));
  if (!rec) return undefined;
  rec.state = 'dropped';
  rec.droppedAt = new Date().toISOString();
  upsertFix(rec, dir);
  return rec;
}
