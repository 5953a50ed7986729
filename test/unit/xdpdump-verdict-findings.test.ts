// checks/xdpdump-verdicts.ts: which verdicts become causes (verdictFindings) and how the verdicts read
// (summarizeVerdicts), in the exact words a user sees. Frames are the recorded ones (test/recordings/pcap/: the zoo
// runs' entry/exit pcaps, the lab's SYNs and the LB's XDP_TX answer); the action each frame got is given per test,
// since the decision is made on it — the frames are real, their pairing with an action is the test's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summarizeVerdicts, verdictFindings, verdictOf, type Common, type Verdict } from '../../checks/xdpdump-verdicts.js';
import type { ProbeOutcome } from '../../src/engine/types.js';
import { readPcap } from '../../src/tools/pcap.js';

const pcap = (name: string) => readPcap(readFileSync(fileURLToPath(new URL(`../recordings/pcap/${name}`, import.meta.url)))).packets.map((p) => p.data);
/** A zoo run's frames through the program: #1 is its ARP request, the rest the probe's packets (10.111.60.2). */
function zoo(scenario: string, action: string | ((i: number) => string)): Verdict[] {
  const entry = pcap(`zoo-${scenario}-entry.pcap`), exit = pcap(`zoo-${scenario}-exit.pcap`);
  return entry.map((e, i) => verdictOf(i + 1, e, exit[i]!, typeof action === 'string' ? action : action(i)));
}
/** The lab's two SYNs towards l0 and the LB's real XDP_TX answer (MACs swapped, IPIP-encapsulated). */
const labTx = () => pcap('g1-out-syn.pcap').map((e, i) => verdictOf(i + 1, e, pcap('healthy-exit-replay.pcap')[0]!, 'XDP_TX'));

const c: Common = { progId: 41, prog: 'xdp_prog_func (id 41)', iface: 'zs0', dir: '/tmp/x', evidence: [] };
const failed: ProbeOutcome = { ran: true, ok: false, startedAt: 0, endedAt: 1, exitCode: 1 };
const HOW = 'replayed through BPF_PROG_TEST_RUN';
const findings = (v: Verdict[], o: { destination?: string; trouble?: boolean } = {}) =>
  verdictFindings(v, c, HOW, { outcome: failed, destination: o.destination, trouble: o.trouble ?? true });

describe('verdictFindings: XDP_ABORTED always, the rest only when the probe had trouble', () => {
  it('XDP_ABORTED is a finding even when the probe was fine, naming the aborted packets', () => {
    const v = zoo('port-rewrite', (i) => (i === 0 ? 'XDP_PASS' : 'XDP_ABORTED'));
    expect(findings(v, { trouble: false })).toEqual([{
      cause: 'xdp-aborted', iface: 'zs0', progId: 41, fixes: [], signal: 'XDP_ABORTED',
      message: `2 of 3 packet(s) got XDP_ABORTED from xdp_prog_func (id 41) (${HOW}): the driver drops them and fires xdp:xdp_exception (packets #2, #3)`,
    }]);
  });

  it('XDP_DROP of the probe\'s packets with no trouble is the program\'s choice: no finding', () => {
    expect(findings(zoo('port-rewrite', 'XDP_DROP'), { trouble: false })).toEqual([]);
  });

  it('XDP_DROP of the probe\'s packets to its destination: the program drops the probe\'s traffic (the ARP frame is not counted)', () => {
    expect(findings(zoo('port-rewrite', 'XDP_DROP'), { destination: '10.111.60.2' })).toEqual([{
      cause: 'xdp-drop-verdict', iface: 'zs0', progId: 41, fixes: [], signal: 'XDP_DROP',
      message: `xdp_prog_func (id 41) returned XDP_DROP for 2 of 2 probe packet(s) to 10.111.60.2 (${HOW}; packets #2, #3): the program itself drops the probe's traffic`,
    }]);
  });

  it('a destination none of the packets has: nothing is the probe\'s, so nothing is said', () => {
    expect(findings(zoo('port-rewrite', 'XDP_DROP'), { destination: '10.111.60.9' })).toEqual([]);
  });

  it('no destination known: every IP packet counts as the probe\'s, and the words name none', () => {
    const [f] = findings(zoo('port-rewrite', 'XDP_DROP'));
    expect(f!.message).toBe(`xdp_prog_func (id 41) returned XDP_DROP for 2 of 2 probe packet(s) (${HOW}; packets #2, #3): the program itself drops the probe's traffic`);
  });
});

describe('verdictFindings: frames sent on with their addresses as they came', () => {
  it('XDP_TX with the MACs and IPs kept: the frame goes back to its sender, a fix to swap them', () => {
    const [f, ...rest] = findings(zoo('port-rewrite', 'XDP_TX'), { destination: '10.111.60.2' });
    expect(rest).toEqual([]);
    expect(f).toEqual({
      cause: 'xdp-tx-addresses-unchanged', iface: 'zs0', progId: 41, signal: 'XDP_TX',
      message: `xdp_prog_func (id 41) sent 2 probe packet(s) to 10.111.60.2 on with XDP_TX without rewriting their MAC or IP addresses (${HOW}; packets #2, #3): ` +
        'the frame goes back addressed as it came, so the receiver is not its destination',
      fixes: [{ title: 'swap the MAC (and IP) addresses before XDP_TX (for XDP_REDIRECT: write the next hop\'s MAC as the destination)', commands: [] }],
    });
  });

  it('XDP_REDIRECT with the addresses kept: only a risk, joining the receiver\'s OTHERHOST drops', () => {
    const [f] = findings(zoo('port-rewrite', 'XDP_REDIRECT'));
    expect(f).toMatchObject({ cause: 'xdp-tx-addresses-unchanged', signal: 'XDP_REDIRECT', risk: true, explains: ['drop-otherhost'] });
    expect(f!.message).toMatch(/^xdp_prog_func \(id 41\) sent 2 probe packet\(s\) on with XDP_REDIRECT without rewriting/);
  });

  it('a redirect and a TX among them: the TX makes it a cause, not a risk; the first one\'s action is named', () => {
    const [f] = findings(zoo('port-rewrite', (i) => (i === 1 ? 'XDP_REDIRECT' : 'XDP_TX')));
    expect(f!.signal).toBe('XDP_REDIRECT');
    expect(f!.risk).toBeUndefined();
    expect(f!.explains).toBeUndefined();
  });

  it('the LB\'s real XDP_TX, MACs swapped and encapsulated: nothing to say', () => {
    expect(findings(labTx(), { destination: '192.168.10.1' })).toEqual([]);
  });
});

describe('verdictFindings: XDP_PASS of every probe packet, unchanged', () => {
  it('the recorded neighbour solicitations passed as they came: the loss is after the program', () => {
    const [f] = findings(zoo('ip-only-nd', 'XDP_PASS'));
    expect(f).toEqual({
      cause: 'xdp-passed-unchanged', iface: 'zs0', progId: 41, fixes: [], signal: 'XDP_PASS',
      explains: ['fib-forwarding-disabled', 'fib-no-neighbour'],
      message: `xdp_prog_func (id 41) returned XDP_PASS for all 2 probe packet(s) and left them unchanged (${HOW}): the program did not act on this traffic, so the loss is after it, in the stack`,
    });
  });

  it('passed but rewritten (the port), or only some passed: not "left unchanged"', () => {
    expect(findings(zoo('port-rewrite', 'XDP_PASS'))).toEqual([]);
    expect(findings(zoo('ip-only-nd', (i) => (i === 0 ? 'XDP_PASS' : 'XDP_DROP'))).map((f) => f.cause)).toEqual(['xdp-drop-verdict']);
  });
});

describe('verdictFindings: more than eight packets', () => {
  it('the packet list stops at eight, then "…"', () => {
    // The recorded SYNs of the port-rewrite run, five times over (ten packets), renumbered.
    const many = Array.from({ length: 5 }, () => zoo('port-rewrite', 'XDP_ABORTED').slice(1)).flat().map((v, i) => ({ ...v, index: i + 1 }));
    expect(findings(many, { trouble: false })[0]!.message).toMatch(/\(packets #1, #2, #3, #4, #5, #6, #7, #8, …\)$/);
    const eight = many.slice(0, 8);
    expect(findings(eight, { trouble: false })[0]!.message).toMatch(/\(packets #1, #2, #3, #4, #5, #6, #7, #8\)$/);
  });
});

describe('summarizeVerdicts', () => {
  it('the flow\'s packets with their actions and size changes, then the neighbour frames apart', () => {
    expect(summarizeVerdicts(zoo('vlan-push', (i) => (i === 0 ? 'XDP_PASS' : 'XDP_TX'))))
      .toBe('3 packet(s): XDP_TX ×3, 98 → 102 bytes; 1 neighbour resolution frame(s) (ARP/ND): XDP_PASS ×1');
  });

  it('IPv6 neighbour solicitations are neighbour frames too: no packet of the flow itself', () => {
    expect(summarizeVerdicts(zoo('ip-only-nd', 'XDP_DROP'))).toBe('no packet of the flow itself; 2 neighbour resolution frame(s) (ARP/ND): XDP_DROP ×2');
  });

  it('no neighbour frame: the packets alone', () => {
    expect(summarizeVerdicts(labTx())).toBe('2 packet(s): XDP_TX ×2, 74 → 94 bytes');
  });
});
