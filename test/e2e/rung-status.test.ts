// Every rung's status on every lab scenario, through the built CLI as root on the real kernel, trace-pipe
// included (its normal path: the program's own format strings). A rung may be degraded only where this table
// says why: without fentry (measured by the test, as preflight measures it), xdpdump cannot attach, so preflight warns and the xdpdump
// rung replays through BPF_PROG_TEST_RUN (warn); with fentry both pass. Anything else that skips or warns fails.
import { afterAll, describe, expect, test } from 'vitest';
import { freshLab, runCli, uniqueLabName } from './helpers/cli.js';
import { expectNoMissingTool, expectTracePipeFree, fentryLoadsHere } from './helpers/rungs.js';

const LAB = uniqueLabName('rs');

type Status = 'pass' | 'warn' | 'fail' | 'skip' | 'error';
const HEALTHY: Record<string, Status> = {
  inventory: 'pass', routing: 'pass', 'trace-pipe': 'pass', 'map-dump': 'pass', 'packet-sanity': 'pass',
  'ethtool-stats': 'pass', tracepoints: 'pass', 'drop-reasons': 'pass', 'errno-explain': 'pass', 'packet-fate': 'pass',
  // The lab's program calls no helper whose host preconditions are checked (it calls printk and adjust_head).
  'helper-preconditions': 'pass',
};
const SCENARIOS: { fault?: string; top?: string; rungs: Record<string, Status> }[] = [
  { rungs: HEALTHY },
  {
    fault: 'veth-peer', top: 'veth-peer-no-xdp',
    // inventory warns: the peer without XDP is read from configuration (a note on its rung).
    rungs: { ...HEALTHY, inventory: 'warn', routing: 'fail', 'ethtool-stats': 'fail', tracepoints: 'fail', 'errno-explain': 'warn' },
  },
  // trace-pipe warns: the program says its parameters are unset. It passes the VIP's packets untouched to a stack
  // that neither owns nor forwards the VIP: the kernel drops them on l0 (IP_INADDRERRORS in ip_error), its own drop.
  { fault: 'params-unset', top: 'map-params-unset', rungs: { ...HEALTHY, routing: 'fail', 'trace-pipe': 'warn', 'map-dump': 'fail', 'drop-reasons': 'fail' } },
  { fault: 'bad-iphdr', top: 'malformed-packet', rungs: { ...HEALTHY, routing: 'fail', 'packet-sanity': 'fail', 'drop-reasons': 'fail' } },
  { fault: 'csum-offload', top: 'tx-checksum-partial', rungs: { ...HEALTHY, routing: 'fail', 'packet-sanity': 'fail', 'drop-reasons': 'fail' } },
];

afterAll(async () => { await runCli(['lab', 'down', '--lab-name', LAB]); });

describe('the status of every rung on every lab scenario', () => {
  for (const s of SCENARIOS) {
    test(`${s.fault ?? 'healthy'}: ${s.top ?? 'exit 0'}`, async () => {
      await freshLab(LAB, s.fault ? [s.fault] : []);
      // trace-pipe passes only as trace_pipe's one reader: a precondition checked, not assumed.
      expectTracePipeFree();
      const r = await runCli(['--lab', '--lab-name', LAB, '--json']);
      const report = JSON.parse(r.stdout);
      const got = Object.fromEntries(report.checks.map((c: any) => [c.id, c.status]));
      const why = Object.fromEntries(report.checks.map((c: any) => [c.id, c.summary]));
      const pre = report.checks.find((c: any) => c.id === 'preflight');
      const noFentry = !(await fentryLoadsHere());
      expectNoMissingTool(report);
      // Without fentry, that is preflight's one limitation: any other warning (a missing tool, no BTF) fails here.
      if (noFentry) expect(pre.degraded).toMatch(/^fentry programs cannot load here \([^\n]+\): xdpdump cannot attach; verdicts come from replaying captured packets through BPF_PROG_TEST_RUN instead$/);
      else expect(pre.evidence.find((e: any) => e.label === 'fentry').data).toBe('loads');
      const expected: Record<string, Status> = {
        ...s.rungs,
        preflight: noFentry ? 'warn' : 'pass',
        xdpdump: noFentry ? 'warn' : 'pass',
      };
      for (const [id, status] of Object.entries(expected)) expect(`${id}: ${got[id]}`, why[id]).toBe(`${id}: ${status}`);
      expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
      if (noFentry) expect(report.checks.find((c: any) => c.id === 'xdpdump').summary).toMatch(/replayed through BPF_PROG_TEST_RUN/);
      else expect(report.checks.find((c: any) => c.id === 'xdpdump').summary).toMatch(/xdpdump entry\/exit/);
      expect(r.exitCode).toBe(s.top ? 1 : 0);
      expect(report.diagnosis[0]?.cause).toBe(s.top);
    });
  }
});
