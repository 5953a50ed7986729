// Whether one logged fix may be undone now: run it, refuse it (and say what changed), or show it as stale (its
// namespace is gone or was made again: what the fix changed went with it, and its undo would hit a stranger).
// The decision is pure (decideUndo); checkUndo reads what it needs, the namespace first, so nothing is run
// inside a namespace that is not the fix's.
import type { FixRecord } from './fix-log.js';
import { compareFacts, describeNetns, netnsOfArgv, netnsVerdict, type Fact, type NetnsId } from './fix-state.js';
import { observe, type StateReaders } from './fix-state-readers.js';

export type UndoCheck =
  | { verdict: 'run'; note?: string }
  | { verdict: 'refuse'; changes: string[] }
  | { verdict: 'stale'; why: string };

type Checked = Pick<FixRecord, 'netns' | 'netnsId' | 'watch' | 'after' | 'undo'>;

/** The namespace an entry's undo would enter: recorded, or (older entries) read from its nsenter argv. */
function undoNetns(rec: Checked) {
  return rec.watch ? rec.netns : netnsOfArgv(rec.undo[0] ?? []);
}

/** The namespace alone. undefined: it is the fix's (or there is none), go on to the facts. */
function namespaceCheck(rec: Checked, idNow: NetnsId | undefined): UndoCheck | undefined {
  const ns = undoNetns(rec);
  if (!rec.watch) {
    if (ns && idNow === undefined) return { verdict: 'stale', why: `namespace ${describeNetns(ns)} is gone` };
    return {
      verdict: 'refuse',
      changes: [`logged by an xdp-doctor that did not record the state the fix left, so undo cannot tell whether ${ns ? `namespace ${describeNetns(ns)}` : 'the system'} is still as the fix left it`],
    };
  }
  if (!ns) return undefined;
  const v = netnsVerdict(ns, rec.netnsId, idNow);
  if (v.ok) return undefined;
  return v.stale ? { verdict: 'stale', why: v.why } : { verdict: 'refuse', changes: [v.why] };
}

/** The whole decision, from the namespace's identity now and the watches read now. */
export function decideUndo(rec: Checked, idNow: NetnsId | undefined, now: Fact[]): UndoCheck {
  const ns = namespaceCheck(rec, idNow);
  if (ns) return ns;
  if (!rec.after) {
    return { verdict: 'run', note: `it was interrupted while applying, so the state it left was never recorded; ${rec.netns ? 'only its namespace was checked' : 'nothing could be checked'}` };
  }
  const changes = compareFacts(rec.after, now);
  if (changes.length) return { verdict: 'refuse', changes };
  return rec.after.length ? { verdict: 'run' } : { verdict: 'run', note: 'nothing its commands change can be read back; the undo runs as logged' };
}

export async function checkUndo(rec: Checked, readers: StateReaders): Promise<UndoCheck> {
  const ns = undoNetns(rec);
  const idNow = ns ? await readers.netnsIdentity(ns) : undefined;
  const early = namespaceCheck(rec, idNow);
  if (early) return early;
  return decideUndo(rec, idNow, rec.after ? await observe(readers, rec.watch ?? [], rec.netns) : []);
}
