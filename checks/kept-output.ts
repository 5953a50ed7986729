// A collector's raw output, kept beside the run's pcaps when the user keeps artefacts (--artifacts DIR, or
// --report FILE): what a bug report about a wrong answer needs, and how test/recordings gets real bpftrace output
// of a scenario. Nothing is written when the artefacts are discarded or on a dry run.
import { join } from 'node:path';
import type { CheckContext } from '../src/plugins/api.js';

/** Writes `text` as FILE in the kept artefact directory; its path, or undefined when nothing is kept. */
export async function keepOutput(ctx: Pick<CheckContext, 'target' | 'tools'>, file: string, text: string): Promise<string | undefined> {
  const dir = ctx.target.artifactDir;
  if (ctx.tools.dryRun || ctx.target.keepArtifacts !== true || !dir) return undefined;
  const path = join(dir, file);
  await ctx.tools.files.mkdir(dir);
  await ctx.tools.files.write(path, text);
  return path;
}
