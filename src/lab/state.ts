// The lab's record of what it built, written as it goes (/run/xdp-doctor/lab-PREFIX.json, or under
// XDP_DOCTOR_RUN_DIR: src/state-dirs.ts), so `lab down` can
// clean up after a crash mid-up and every other verb knows whether the lab is up, and with which faults.
import { mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { labStatePath, runDir } from '../state-dirs.js';
import type { FaultId } from './faults.js';

export interface LabState {
  version: 1;
  prefix: string;
  /** building: `lab up` is running or crashed; up: built and healthy apart from `faults`. */
  phase: 'building' | 'up';
  startedAt: string;
  namespaces: string[];
  pinDir: string;
  pins: string[];
  echoPid?: number;
  faults: FaultId[];
  /** Built with `lab up --ipv6`: dual stack, and the probe goes to the IPv6 VIP. Absent on older state files. */
  ipv6?: boolean;
  /** `node/iface` → ifindex and MAC, read back from the kernel after the links exist. */
  ifindexes: Record<string, number>;
  macs: Record<string, string>;
  /** Program ids at load time, so tests (and humans) can check they are gone after `lab down`. */
  progIds: Record<string, number>;
}

export function statePath(prefix: string): string {
  return labStatePath(prefix);
}

export function readState(prefix: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(prefix), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/**
 * Creates the state file only if none exists: the exclusive create is what makes two concurrent `lab up`
 * runs on one prefix safe (the second sees EEXIST and refuses instead of half-building).
 */
export function claimState(state: LabState): boolean {
  mkdirSync(runDir(), { recursive: true });
  try {
    closeSync(openSync(statePath(state.prefix), 'wx'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  writeState(state);
  return true;
}

/** Atomic replace, so a crash never leaves half a JSON document behind. */
export function writeState(state: LabState): void {
  mkdirSync(runDir(), { recursive: true });
  const tmp = `${statePath(state.prefix)}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, statePath(state.prefix));
}

export function removeState(prefix: string): void {
  rmSync(statePath(prefix), { force: true });
}
