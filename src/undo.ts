// `xdp-doctor undo`: reverts the newest applied fix (or every one) from the fix log, only while the system is
// still as that fix left it (engine/undo-check.ts); lists the log; drops entries that can no longer be undone.
import { parseArgs } from 'node:util';
import type { IO } from './command-io.js';
import { dropFix, undoFixes } from './engine/apply-fix.js';
import { readFixLog, stateDir, type FixRecord } from './engine/fix-log.js';
import { realStateReaders, type StateReaders } from './engine/fix-state-readers.js';
import { checkUndo } from './engine/undo-check.js';
import { realExec, type Exec } from './tools/exec.js';

const UNDO_USAGE = 'usage: xdp-doctor undo [--all] [--list] [--drop ID]... [--drop-stale]';

export const UNDO_HELP = `${UNDO_USAGE}
  Reverts the newest fix applied by --fix or the wizard, only while the system is still as that fix left it:
  the same network namespace (its inode and when it was made, not only its name), the same XDP program on
  every interface it touched, the same sysctl and ethtool values. Otherwise nothing runs: it says what changed, and the entry
  can be dropped. A fix whose namespace is gone (or was made again under its name) is stale: shown, never run.
  --all          every applied fix, newest first; stops at the first it must refuse
  --list         the fix log, newest first, and what undo would do with each entry
  --drop ID      take an entry off the undo stack (it stays in the log as dropped); repeatable
  --drop-stale   drop every stale entry
  Fix log: $XDP_DOCTOR_STATE_DIR, $XDG_STATE_HOME/xdp-doctor or /var/lib/xdp-doctor (fixes.json)
`;

interface UndoDeps { exec: Exec; readers: StateReaders; dir: string }

export async function undoCommand(args: string[], io: IO, deps?: Partial<UndoDeps>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args, strict: true,
      options: {
        all: { type: 'boolean' }, list: { type: 'boolean' }, drop: { type: 'string', multiple: true },
        'drop-stale': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`xdp-doctor undo: ${(e as Error).message.split('\n')[0]}; ${UNDO_USAGE}\n`);
    return 2;
  }
  if (values.help) { io.stdout.write(UNDO_HELP); return 0; }
  const exec = deps?.exec ?? realExec;
  const d: UndoDeps = { exec, readers: deps?.readers ?? realStateReaders(exec), dir: deps?.dir ?? stateDir() };
  if (values.list) return list(io, d);
  if (values.drop || values['drop-stale']) return drop(io, d, values.drop ?? [], Boolean(values['drop-stale']));

  const r = await undoFixes(d.exec, { all: values.all }, d.dir, d.readers);
  if (r.output.length) io.stdout.write(`${r.output.join('\n')}\n`);
  if (r.refused.length) {
    io.stderr.write(`xdp-doctor undo: refused; the state changed since the fix (see above)\n`);
    return 1;
  }
  if (r.failed.length) { io.stderr.write(`xdp-doctor undo: ${r.failed.length} fix(es) could not be fully undone\n`); return 1; }
  if (r.undone.length) io.stdout.write(`undone: ${r.undone.map((x) => x.title).join('; ')}\n`);
  else io.stdout.write(`nothing to undo${r.stale.length ? ` (${r.stale.length} stale entr${r.stale.length === 1 ? 'y' : 'ies'} above)` : ''} (fix log: ${d.dir}/fixes.json)\n`);
  return 0;
}

const pending = (r: FixRecord) => r.state === 'applied' || r.state === 'applying';

async function list(io: IO, d: UndoDeps): Promise<number> {
  const log = readFixLog(d.dir).reverse();
  if (!log.length) { io.stdout.write(`the fix log is empty (${d.dir}/fixes.json)\n`); return 0; }
  const out: string[] = [];
  for (const r of log) {
    out.push(`${r.id}  ${r.appliedAt}  ${r.state.padEnd(11)}  ${r.cause}: ${r.title}`);
    if (!pending(r)) continue;
    const c = await checkUndo(r, d.readers);
    if (c.verdict === 'run') out.push(`    undo would run${c.note ? ` (${c.note})` : ''}`);
    else if (c.verdict === 'stale') out.push(`    stale: ${c.why}; never run (xdp-doctor undo --drop ${r.id})`);
    else out.push('    undo would refuse:', ...c.changes.map((x) => `      ${x}`));
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function drop(io: IO, d: UndoDeps, ids: string[], stale: boolean): Promise<number> {
  const chosen = new Set(ids);
  if (stale) {
    for (const r of readFixLog(d.dir).filter(pending)) {
      if ((await checkUndo(r, d.readers)).verdict === 'stale') chosen.add(r.id);
    }
  }
  let code = 0;
  for (const id of chosen) {
    const r = dropFix(id, d.dir);
    if (r) io.stdout.write(`dropped: ${r.title} [${id}]; nothing was run\n`);
    else { io.stderr.write(`xdp-doctor undo: no applied fix with id ${JSON.stringify(id)} (see xdp-doctor undo --list)\n`); code = 2; }
  }
  if (!chosen.size) io.stdout.write('no stale entries\n');
  return code;
}
