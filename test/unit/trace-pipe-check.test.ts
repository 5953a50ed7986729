// checks/trace-pipe.ts through the check tester: trace_pipe held by another reader (the kernel answers EBUSY
// to a second reader) is a warning that names the reader, not a crash; --no-trace-pipe reads nothing.
import { describe, expect, it } from 'vitest';
import tracePipe from '../../checks/trace-pipe.js';
import { PREFLIGHT } from '../../src/plugins/facts.js';
import { runCheck } from '../../src/plugins/testing.js';

const preflight = { [PREFLIGHT]: { root: true, tracefs: '/sys/kernel/tracing', bpffs: true, btf: true, fentry: false, tools: {} } };

describe('trace-pipe rung', () => {
  it('trace_pipe busy: warns, names the process holding it, suggests --no-trace-pipe', async () => {
    const run = await runCheck(tracePipe, {
      facts: preflight,
      // What cat printed here when another reader had trace_pipe open.
      exec: [{ argv: ['cat', '/sys/kernel/tracing/trace_pipe'], exitCode: 1, stderrLines: ['cat: /sys/kernel/tracing/trace_pipe: Device or resource busy'] }],
      files: { '/proc/4242/comm': 'bpftrace\n' },
      links: { '/proc/4242/fd/3': '/sys/kernel/tracing/trace_pipe' },
    });
    expect(run.result.status).toBe('warn');
    expect(run.result.summary).toMatch(/trace_pipe is held by bpftrace\(4242\): the kernel allows one reader at a time/);
    expect(JSON.stringify(run.result.evidence)).toMatch(/--no-trace-pipe/);
    expect(run.usedWindow).toBe(false);
  });

  it('--no-trace-pipe: skipped, nothing read', async () => {
    const run = await runCheck(tracePipe, { facts: preflight, options: { noTracePipe: true } });
    expect(run.result.status).toBe('skip');
    expect(run.commands).toEqual([]);
  });
});
