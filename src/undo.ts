// `xdp-doctor undo [--all]`: reverts the newest applied fix (or every one), from the fix log.
import { parseArgs } from 'node:util';
import type { IO } from './main.js';
import { undoFixes } from './engine/apply-fix.js';
import { stateDir, undoable } from './engine/fix-log.js';
import { realExec } from './tools/exec.js';

export async function undoCommand(args: string[], io: IO): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, strict: true, options: { all: { type: 'boolean' }, list: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    io.stderr.write(`xdp-doctor undo: ${(e as Error).message.split('\n')[0]}; usage: xdp-doctor undo [--all] [--list]\n`);
    return 2;
  }
  if (values.help) { io.stdout.write('usage: xdp-doctor undo [--all] [--list]\n  reverts the newest fix applied by --fix or the wizard (--all: every one, newest first)\n'); return 0; }
  const pending = undoable();
  if (values.list) {
    io.stdout.write(pending.length ? pending.map((r) => `${r.appliedAt} ${r.state.padEnd(8)} ${r.cause}: ${r.title}\n`).join('') : 'no applied fixes\n');
    return 0;
  }
  if (!pending.length) { io.stdout.write(`nothing to undo (fix log: ${stateDir()}/fixes.json)\n`); return 0; }
  const r = await undoFixes(realExec, { all: values.all });
  io.stdout.write(`${r.output.join('\n')}\n`);
  if (r.failed.length) { io.stderr.write(`xdp-doctor undo: ${r.failed.length} fix(es) could not be fully undone\n`); return 1; }
  io.stdout.write(`undone: ${r.undone.map((x) => x.title).join('; ')}\n`);
  return 0;
}
