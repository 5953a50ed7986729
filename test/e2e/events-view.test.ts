// bpftrace in its events view (tools/events-view.ts) on the real machine: the xdp:* program runs inside a private
// mount namespace in which available_events lists only its events, attaches, prints its maps on stop, and leaves
// nothing behind: no mount on the host, no holder process, no list file. A program naming an event this kernel
// lacks runs without a view and fails in bpftrace's own words. Tracepoints are global: e2e runs one file at a time.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { realExec } from '../../src/tools/exec.js';
import { createTools } from '../../src/tools/index.js';
import { XDP_TRACEPOINTS, xdpTraceProgram, parseBpftraceJson } from '../../src/tools/bpftrace.js';

const tools = createTools(realExec);
const onThisKernel = XDP_TRACEPOINTS.filter((s) => readFileSync('/sys/kernel/tracing/available_events', 'utf8').split('\n').includes(`xdp:${s.name}`));
const lists = () => readdirSync(tmpdir()).filter((n) => n.startsWith('xdp-doctor-events-'));
const holders = () => {
  try { return execFileSync('pgrep', ['-f', `^sleep 120$`], { encoding: 'utf8' }).trim(); } catch { return ''; }
};
const hostMounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes('available_events'));

describe('bpftrace in its events view', () => {
  test('the xdp:* program attaches inside a private mount namespace and leaves nothing behind', async () => {
    const collector = tools.bpftrace.start(xdpTraceProgram(onThisKernel));
    await collector.ready;
    expect(collector.argv.slice(0, 3)).toEqual(['nsenter', expect.stringMatching(/^--mount=\/proc\/\d+\/ns\/mnt$/), '--']);
    expect(collector.argv[3]).toBe('bpftrace');
    expect(hostMounts()).toEqual([]);
    const result = await collector.stop();
    const json = parseBpftraceJson(result.stdout);
    expect(Object.keys(json.maps)).toContain('@xdp_doctor_attached');
    await new Promise((r) => setTimeout(r, 200));
    expect(lists()).toEqual([]);
    expect(holders()).toBe('');
  });

  test('an event this kernel lacks: no view, bpftrace names what is missing', async () => {
    const collector = tools.bpftrace.start(xdpTraceProgram([{ name: 'xdp_no_such_event', ifindex: 'args->ifindex', errno: '0', extra: [], sums: [] }]));
    await expect(collector.ready).rejects.toThrow();
    expect(collector.argv[0]).toBe('bpftrace');
    const result = await collector.stop();
    expect(result.stderr).toMatch(/xdp_no_such_event/);
    expect(lists()).toEqual([]);
  });
});
