// The real engine behind the wizard: the same runLadder, applyFix and fireProbe the non-interactive path uses,
// with realExec. Components never import this; runWizard hands it to the session, tests hand in fakes.
// Discovery comes from the caller (src/target/discover.ts, wired in doctor.ts): views do not look for targets.
import { writeFile } from 'node:fs/promises';
import type { LadderArgs } from '../cli-args.js';
import { applyWith } from '../engine/fix-flow.js';
import { sharedFactsLadder } from '../engine/ladder.js';
import { fireProbe } from '../engine/probe.js';
import { resolveTarget } from '../targets.js';
import { killAllChildren, realExec } from '../tools/exec.js';
import { realFiles } from '../tools/files.js';
import { toolStatus } from '../tools/versions.js';
import type { WizardEngine } from './wizard-engine.js';

export function realEngine(
  args: LadderArgs, tool: { name: string; version: string }, artifacts: { dir: string; keep: boolean } | undefined,
  discover: WizardEngine['discover'],
): WizardEngine {
  const climb = sharedFactsLadder();
  return {
    discover,
    async resolve(choice) {
      const chosen: LadderArgs = choice.kind === 'lab'
        ? { ...args, lab: true, labName: choice.lab.name, iface: undefined, netns: undefined, container: undefined }
        : { ...args, lab: false, iface: choice.attachment.iface, netns: choice.attachment.netns, container: undefined };
      return resolveTarget(realExec, chosen, { verify: true });
    },
    climb: (c) => climb({
      target: artifacts ? { ...c.target, artifactDir: artifacts.dir, keepArtifacts: artifacts.keep } : c.target, exec: realExec, files: realFiles, checks: c.checks, emit: c.emit, signal: c.signal,
      windowMode: c.windowMode, fullWindow: args.fullWindow, toolStatus: toolStatus(), tool, gate: c.gate,
    }),
    applyFix: applyWith(realExec),
    probe: async (target, signal) => (target.probe ? fireProbe(realExec, target.probe, signal) : undefined),
    writeFile: (path, text) => writeFile(path, text),
    stopChildren: () => killAllChildren('SIGTERM'),
  };
}
