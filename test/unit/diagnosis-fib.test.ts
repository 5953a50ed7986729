// The engine's conclude step on the forwarding router's story (test/e2e/zoo-fib.test.ts): the program passed
// the ping (XDP_PASS, unchanged), the stack dropped it on the XDP device (IP_INADDRERRORS), the route saw no reply,
// and helper-preconditions read forwarding off there. Each rung's finding is built as that rung builds it: the
// judgement from checks/fib-preconditions.ts, the drop's explains from the kb row.
import { describe, expect, it } from 'vitest';
import { conclude } from '../../src/engine/diagnosis.js';
import { judgeFib } from '../../checks/fib-preconditions.js';
import { dropReasonInfo } from '../../src/kb/drop-reasons.js';
import type { CheckRecord, Finding } from '../../src/engine/types.js';
import type { FlowDrop } from '../../src/plugins/facts.js';

const record = (id: string, findings: Finding[]): CheckRecord => ({
  id, title: id, rung: 1, durationMs: 1, source: 'built-in', commands: [], status: findings.length ? 'fail' : 'pass',
  summary: '', evidence: [], findings: findings.map((f) => ({ ...f, severity: f.severity ?? 'medium' })),
});
const drop: FlowDrop = {
  reason: 'IP_INADDRERRORS', count: 3, ifindex: 2, ifname: 'hr0', where: 'hr0', location: 'ip_error', l3: 'IPv4', proto: 1,
  onXdpIface: true, byProgram: false, routine: false,
};
const passed: Finding = { cause: 'xdp-passed-unchanged', message: 'fib_fwd returned XDP_PASS for all 3', fixes: [], explains: ['fib-forwarding-disabled', 'fib-no-neighbour'] };
const stack: Finding = { cause: 'stack-drop', message: 'IP_INADDRERRORS at hr0', fixes: [], explains: [...dropReasonInfo('IP_INADDRERRORS').explains, 'xdp-passed-unchanged'] };

describe('conclude: a forwarding program whose bpf_fib_lookup precondition failed', () => {
  it('seen: fib-forwarding-disabled is the one story, the verdicts and the stack\'s drop joined to it, its fix first', () => {
    const fib = judgeFib({ iface: 'hr0', forwarding: [{ family: 4, value: 0 }], drops: [drop], flow: { dst: '10.112.2.1', route: { dst: '10.112.2.1', dev: 'hr1' }, neighbours: [] } });
    const { diagnosis, notes } = conclude([
      record('xdpdump', [passed]), record('drop-reasons', [stack]), record('helper-preconditions', fib.findings),
    ], undefined, { ran: true, ok: false });
    expect(diagnosis.map((d) => d.cause)).toEqual(['fib-forwarding-disabled']);
    expect(diagnosis[0]!.evidence.map((e) => [e.check, Boolean(e.joined)])).toEqual([['helper-preconditions', false], ['xdpdump', true], ['drop-reasons', true]]);
    expect(diagnosis[0]!.fixes[0]!.commands).toEqual([['sysctl', '-w', 'net/ipv4/conf/hr0/forwarding=1']]);
    // The unresolved next hop (nothing ever forwarded to it) stays a note: not observed, not a cause.
    expect(notes.map((n) => n.cause)).toEqual(['fib-no-neighbour']);
  });

  it('not seen: forwarding off with nothing dropped is a note; the verdicts stand as they are', () => {
    const fib = judgeFib({ iface: 'hr0', forwarding: [{ family: 4, value: 0 }], drops: [] });
    const { diagnosis } = conclude([record('xdpdump', [passed]), record('helper-preconditions', fib.findings)]);
    // The risk names xdp-passed-unchanged, so it joins that cause as context rather than standing alone.
    expect(diagnosis.map((d) => d.cause)).toEqual(['xdp-passed-unchanged']);
    expect(diagnosis[0]!.evidence.some((e) => e.check === 'helper-preconditions' && e.joined)).toBe(true);
  });
});
