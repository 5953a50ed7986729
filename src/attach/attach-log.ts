// Every attach xdp-doctor makes goes into the fix log (engine/fix-log.ts) with the command that detaches it, so
// `xdp-doctor undo` detaches it — only while the interface still carries the program this attach left
// (engine/undo-check.ts compares the watched XDP state).
import type { NetnsRef } from '../engine/types.js';
import type { Exec } from '../tools/exec.js';
import { inNetns } from '../tools/netns.js';
import { stateDir, upsertFix, type FixRecord } from '../engine/fix-log.js';
import { watchesOf } from '../engine/fix-state.js';
import { observe, realStateReaders, type StateReaders } from '../engine/fix-state-readers.js';

interface LoggedAttach { title: string; attach: string[]; detach: string[]; netns?: NetnsRef }

/** Logs "applying", runs `run`, then logs what it left ("applied") or that it failed. */
export async function logAttach<T extends { ok: boolean; stderr: string }>(
  exec: Exec, a: LoggedAttach, run: () => Promise<T>, dir = stateDir(), readers: StateReaders = realStateReaders(exec),
): Promise<{ result: T; record: FixRecord }> {
  const record: FixRecord = {
    id: `${Date.now()}-${process.pid}-attach`, cause: 'attach', title: a.title, appliedAt: new Date().toISOString(),
    commands: [inNetns(a.attach, a.netns)], undo: [inNetns(a.detach, a.netns)], state: 'applying', ran: 0,
    ...(a.netns ? { netns: a.netns, netnsId: await readers.netnsIdentity(a.netns) } : {}),
    watch: watchesOf([a.attach, a.detach]),
  };
  upsertFix(record, dir);
  const result = await run();
  if (!result.ok) {
    record.state = 'failed';
    record.error = result.stderr.split('\n').filter(Boolean).slice(-3).join(' | ').slice(0, 500);
  } else {
    record.ran = 1;
    record.after = await observe(readers, record.watch ?? [], a.netns);
    record.state = 'applied';
  }
  upsertFix(record, dir);
  return { result, record };
}
