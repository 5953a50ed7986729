// src/state-dirs.ts and the suite's setup (test/setup/state-dirs.ts): a test file never reaches the machine's
// fix log or lab records, and the commands a test starts see the same directories.
import { describe, it, expect } from 'vitest';
import { tmpdir } from 'node:os';
import { labStatePath, runDir, stateDir } from '../../src/state-dirs.js';
import { realExec } from '../../src/tools/exec.js';
import { applyFix } from '../../src/engine/apply-fix.js';
import { readFixLog } from '../../src/engine/fix-log.js';
import { fakeExec } from '../../src/plugins/testing.js';

describe('state directories', () => {
  it('fix log: XDP_DOCTOR_STATE_DIR, then $XDG_STATE_HOME/xdp-doctor, then /var/lib/xdp-doctor', () => {
    expect(stateDir({ XDP_DOCTOR_STATE_DIR: '/tmp/s', XDG_STATE_HOME: '/home/u/.local/state' })).toBe('/tmp/s');
    expect(stateDir({ XDG_STATE_HOME: '/home/u/.local/state' })).toBe('/home/u/.local/state/xdp-doctor');
    expect(stateDir({})).toBe('/var/lib/xdp-doctor');
  });

  it('lab state: XDP_DOCTOR_RUN_DIR, else /run/xdp-doctor; a lab\'s record is lab-PREFIX.json there', () => {
    expect(runDir({ XDP_DOCTOR_RUN_DIR: '/tmp/r' })).toBe('/tmp/r');
    expect(runDir({ XDP_DOCTOR_RUN_DIR: '' })).toBe('/run/xdp-doctor');
    expect(labStatePath('h3', {})).toBe('/run/xdp-doctor/lab-h3.json');
  });
});

describe('the suite\'s setup', () => {
  it('points both at a temp dir of this test file, not the machine\'s', () => {
    expect(stateDir().startsWith(tmpdir())).toBe(true);
    expect(runDir().startsWith(tmpdir())).toBe(true);
    expect(stateDir()).not.toBe('/var/lib/xdp-doctor');
    expect(runDir()).not.toBe('/run/xdp-doctor');
  });

  it('a fix applied without naming a directory is logged there', async () => {
    await applyFix(fakeExec([{ argv: ['true'], times: 1 }]), 'c', { title: 't', commands: [['true']], undo: [['true']] });
    expect(readFixLog(stateDir()).map((r) => r.title)).toEqual(['t']);
  });

  it('children the tests start inherit them (the CLI in test/e2e/helpers/cli.ts runs the same way)', async () => {
    const r = await realExec.run(['printenv', 'XDP_DOCTOR_STATE_DIR', 'XDP_DOCTOR_RUN_DIR']);
    expect(r.stdout).toBe(`${stateDir()}\n${runDir()}\n`);
  });
});
