// Where a run writes its captures (ingress/entry/exit pcaps): --artifacts DIR, else beside --report FILE,
// else a private temporary directory that is removed when the run ends (nothing left behind by default).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LadderArgs } from './cli-args.js';
import { capturesBeside, makeDirs } from './output-paths.js';

export interface Artifacts { dir: string; keep: boolean; cleanup(): Promise<void> }

export async function prepareArtifacts(args: Pick<LadderArgs, 'artifacts' | 'report' | 'dryRun'>): Promise<Artifacts> {
  const kept = args.artifacts ?? (args.report ? capturesBeside(args.report) : undefined);
  if (kept) {
    // main.ts checked the place before the run; makeDirs still fails in one line if it changed since.
    if (!args.dryRun) await makeDirs(kept);
    return { dir: resolve(kept), keep: true, cleanup: async () => undefined };
  }
  if (args.dryRun) return { dir: join(tmpdir(), 'xdp-doctor-XXXXXX'), keep: false, cleanup: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'xdp-doctor-'));
  return { dir, keep: false, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
