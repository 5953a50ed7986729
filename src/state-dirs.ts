// Where xdp-doctor keeps state, defined once. Each directory can be moved by an environment variable, so a test
// file (vitest's setup gives each its own) or a second operator's run never touches the machine's records.
//   fix log:   XDP_DOCTOR_STATE_DIR, else $XDG_STATE_HOME/xdp-doctor, else /var/lib/xdp-doctor
//   lab state: XDP_DOCTOR_RUN_DIR, else /run/xdp-doctor (tmpfs: a lab does not outlive a reboot, nor its record)
// Read on every call, not at import: the CLI's children and the tests set them after modules are loaded.
import { join } from 'node:path';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDP_DOCTOR_STATE_DIR || (env.XDG_STATE_HOME ? join(env.XDG_STATE_HOME, 'xdp-doctor') : '/var/lib/xdp-doctor');
}

export function runDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDP_DOCTOR_RUN_DIR || '/run/xdp-doctor';
}

/** The record of lab PREFIX (lab/state.ts writes it, lab/runs.ts lists them for discovery). */
export function labStatePath(prefix: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runDir(env), `lab-${prefix}.json`);
}

/** A lab record's file name in runDir(); group 1 is the prefix. */
export const LAB_STATE_FILE = /^lab-([a-z0-9-]{1,10})\.json$/;
