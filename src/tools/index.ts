// The tools a check may use, bound to one Exec. Checks get this as ctx.tools; tests build it over a fake Exec
// that replays recorded output, so no check ever needs a module mock.
import type { Exec } from './exec.js';

export interface Tools {
  exec: Exec;
  /** --dry-run: commands are recorded, not run. Checks may use it to skip work that needs real output. */
  dryRun: boolean;
}

export function createTools(exec: Exec, opts: { dryRun?: boolean } = {}): Tools {
  return { exec, dryRun: opts.dryRun ?? false };
}
