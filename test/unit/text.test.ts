// src/report/text.ts: the doctor-style report of a small run.
import { describe, it, expect } from 'vitest';
import { checkLine, diagnosisLines, fixLines, probeLine, renderText } from '../../src/report/text.js';
import { smallReport } from './helpers/small-report.js';
import { readFileSync } from 'node:fs';
import type { CheckRecord, RunReport } from '../../src/engine/types.js';
import { limitationSummary, limitations } from '../../src/report/format.js';
import { REPLAY_LIMITS, REPLAY_SUMMARY } from '../../checks/xdpdump-replay.js';

describe('renderText', () => {
  const text = renderText(smallReport());
  const lines = text.split('\n');

  it('opens with the tool and the target', () => {
    expect(lines[0]).toBe('xdp-doctor 0.1.0 — lab xdpd: l0 in xdpd-lb (probe: nc -z -w 2 192.168.10.1 50002)');
  });

  it('marks each rung ✓ ! ✗ ○, tags errors and plugin rungs', () => {
    expect(lines.filter((l) => l.startsWith('['))).toEqual([
      '[✓] Preflight — root, bpffs, tracefs, BTF, fentry and every tool present',
      '[✗] Route (tcpdump along the path) — the packet reached lb l0 and was not seen after it',
      '[!] Map dump — xdp_params_arra | 1 entry',
      '[○] xdpdump — needs xdpdump: apt-get install xdp-tools',
      '[✗] XDP tracepoints — xdp_bulk_tx err -6 on l0',
      '[✗] Team latency [error] — crashed: boom [plugin team@1.0.0]',
      '[✓] Team ok [team@1.0.0] — fine',
    ]);
  });

  it('details under rungs that did not pass: findings with errno, degradations, evidence of failures', () => {
    expect(text).toContain('    • xdp_bulk_tx err=-6 on l0 (ENXIO, errno 6)\n');
    expect(text).toContain('    ! no BTF for one map\n');
    expect(text).toContain('    tcpdump v1: 1795525696.842786 ARP, Request who-has 10.9.0.1 tell 10.9.0.2, length 28\n');
    expect(text).not.toContain('commands:'); // only with -v
  });

  it('the probe, then the ranked diagnosis with errno and the fix argv quoted for a shell', () => {
    expect(text).toContain('\nProbe: FAILED (exit 1)\n');
    const d = lines.indexOf('Diagnosis (most likely first):');
    expect(lines.slice(d, d + 8)).toEqual([
      'Diagnosis (most likely first):',
      ' 1. [97%] XDP_TX on a veth whose peer cannot receive XDP frames (veth-peer-no-xdp)',
      '    errno: ENXIO (6)',
      '    - tracepoints: xdp_bulk_tx err=-6 on l0',
      '    why: veth_xdp_xmit() refuses frames when the peer has no NAPI.',
      '    fix: attach a dummy XDP_PASS program to the peer g1',
      "      $ nsenter --net=/run/netns/xdpd-gw -- ip link set dev g1 xdp obj '/opt/xdp doctor/xdp_pass.o' sec xdp",
      ' 2. [33%] Packets reach the XDP program and vanish after it (packets-lost-after-xdp)',
    ]);
  });

  it('the route hop by hop and the errno explained, from the report fields', () => {
    const r = lines.indexOf('Route: the packet reached lb l0 and was not seen after it');
    expect(r).toBeGreaterThan(0);
    expect(lines.slice(r + 1, r + 6)).toEqual([
      '  ✓ gw g1        3 request(s), 0 reply(ies)',
      '  ◆ lb l0 | XDP  0 request(s), 0 reply(ies)',
      '  ✗ gw g2        0 request(s), 0 reply(ies)  ← lost here',
      '  ? real r0      not captured: permission denied',
      '  (✓ seen · ◆ reached the XDP program · ✗ lost · · not reached · ? not captured)',
    ]);
    const e = lines.indexOf('Errno explained (kernel source):');
    expect(e).toBeGreaterThan(lines.indexOf('Diagnosis (most likely first):'));
    expect(lines.slice(e + 1, e + 6)).toEqual([
      '  ENXIO (errno 6, the kernel reports -6): No such device or address',
      '    in xdp:xdp_bulk_tx on veth (l0)',
      '    meaning: the veth peer has no NAPI',
      '    kernel:  drivers/net/veth.c veth_xdp_xmit()',
      '    fix:     attach a dummy XDP_PASS program to the peer',
    ]);
  });

  it('ends with the summary and the exit code', () => {
    expect(lines.at(-2)).toBe('Summary: 2 failed, 1 errored, 1 warning(s), 2 passed, 1 skipped in 4.2 s. Exit 1.');
    expect(text.endsWith('Exit 1.\n')).toBe(true);
  });

  it('-v adds every command run', () => {
    const v = renderText(smallReport(), { verbose: true });
    expect(v).toContain('    commands: ip -V\n');
    expect(v).toContain('    commands: nsenter --net=/run/netns/xdpd-gw -- tcpdump -i g1 -n -l -tt --immediate-mode\n');
  });

  it('a clean run says nothing was found', () => {
    const r = smallReport();
    r.checks = r.checks.filter((c) => c.status === 'pass');
    r.diagnosis = [];
    r.exitCode = 0;
    delete r.probe;
    const t = renderText(r);
    expect(t).toContain('\nDiagnosis: nothing wrong found.\n');
    expect(t).not.toContain('Probe:');
    expect(t).toContain('Summary: 2 passed in 4.2 s. Exit 0.');
  });
});

describe('pieces', () => {
  it('probeLine: not run, passed, failed', () => {
    expect(probeLine(undefined)).toBeUndefined();
    expect(probeLine({ ran: false, ok: false, startedAt: 0, endedAt: 0, note: 'nc: command not found' })).toBe('Probe: nc: command not found');
    expect(probeLine({ ran: true, ok: true, startedAt: 0, endedAt: 0 })).toBe('Probe: passed');
  });

  it('checkLine of an erroring plugin says error, not the plugin', () => {
    expect(checkLine(smallReport().checks[5]!)).toBe('[✗] Team latency [error] — crashed: boom [plugin team@1.0.0]');
  });

  it('diagnosisLines limits the number of causes', () => {
    expect(diagnosisLines(smallReport().diagnosis, 1).filter((l) => /^ \d\./.test(l))).toHaveLength(1);
  });

  it('fixLines: what ran, how to undo, the re-run, the verdict', () => {
    const r = smallReport();
    const out = fixLines({
      cause: 'veth-peer-no-xdp', title: 'dummy XDP', applied: true, worked: true, note: 'the probe passes',
      commands: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'obj', 'p.o']], undo: [['ip', 'link', 'set', 'dev', 'g1', 'xdp', 'off']],
      output: ['$ ip link set dev g1 xdp obj p.o'],
      rerun: { checks: [r.checks[0]!], diagnosis: [], probe: { ran: true, ok: true, startedAt: 0, endedAt: 0 } },
    });
    expect(out).toEqual([
      'Fix (--fix) for veth-peer-no-xdp: dummy XDP',
      '  $ ip link set dev g1 xdp obj p.o',
      '  undo with: xdp-doctor undo   (runs: ip link set dev g1 xdp off)',
      '  [✓] Preflight — root, bpffs, tracefs, BTF, fentry and every tool present',
      '  Probe: passed',
      '  ✓ the fix worked: the probe passes',
    ]);
  });
});

describe('degraded rungs: one line per limitation, the full text with -v', () => {
  // A report recorded from a wizard run on the veth-peer lab where fentry is refused: xdpdump's fallback wrote its
  // whole "what the replay cannot show" paragraph into `degraded`.
  const recorded = JSON.parse(readFileSync(new URL('../ui/fixtures/report-veth-peer.json', import.meta.url), 'utf8')) as RunReport;
  const xdpdump = recorded.checks.find((c) => c.id === 'xdpdump')!;

  function withChecks(...checks: CheckRecord[]): RunReport {
    return { ...smallReport(), checks };
  }

  it('the xdpdump fallback: one short line, no paragraph; -v prints it whole', () => {
    const text = renderText(withChecks(xdpdump));
    const bangs = text.split('\n').filter((l) => l.startsWith('    ! '));
    expect(bangs).toEqual(['    ! xdpdump cannot attach to xdp_prog_func (id 1793)']);
    expect(text).not.toContain('What the replay cannot show');
    expect(text).toContain('\n    (limitations shortened; -v shows them in full)\n');
    const v = renderText(withChecks(xdpdump), { verbose: true });
    expect(v).toContain(`    ! ${xdpdump.degraded}\n`);
    expect(v).not.toContain('limitations shortened');
  });

  it('the replay fallback as the rung writes it now: one line of what is lost, the paragraph indented under it', () => {
    const degraded = `${REPLAY_SUMMARY}\n  xdpdump cannot attach to p (id 7): "ERROR: Can't load eBPF object: Operation not permitted(-1)". ` +
      `Verdicts come from replaying the packets g1 sent to l0 through BPF_PROG_TEST_RUN instead. What the replay cannot show: ${REPLAY_LIMITS.join('; ')}.`;
    const text = renderText(withChecks({ ...xdpdump, degraded }));
    expect(text.split('\n').filter((l) => l.startsWith('    ! '))).toEqual([
      '    ! Replayed verdicts, not observed: no transmit or redirect errors, no real ingress interface',
    ]);
  });

  it('preflight: each limitation on its own short line, the install commands only with -v', () => {
    const preflight = recorded.checks.find((c) => c.id === 'preflight')!;
    const degraded = [
      'tracefs not mountable: trace-pipe and tracepoints cannot run (mount -t tracefs tracefs /sys/kernel/tracing)',
      'tshark missing: packet-sanity cannot dissect emitted packets',
      preflight.degraded!,
      'to install the missing tools (nothing is installed for you):',
      '  Debian/Ubuntu: apt-get install tshark',
      '  Fedora/RHEL: dnf install wireshark-cli',
    ].join('\n');
    const text = renderText(withChecks({ ...preflight, degraded }));
    expect(text.split('\n').filter((l) => l.startsWith('    ! '))).toEqual([
      '    ! tracefs not mountable: trace-pipe and tracepoints cannot run',
      '    ! tshark missing: packet-sanity cannot dissect emitted packets',
      '    ! fentry programs cannot load here (Operation not permitted): xdpdump cannot attach',
      '    ! to install the missing tools (nothing is installed for you)',
    ]);
    expect(text).not.toContain('apt-get install tshark');
    const v = renderText(withChecks({ ...preflight, degraded }), { verbose: true });
    expect(v).toContain('    !   Debian/Ubuntu: apt-get install tshark\n');
    expect(v).toContain('(mount -t tracefs tracefs /sys/kernel/tracing)\n');
  });

  it('a short limitation is shown as it is, with no hint', () => {
    const text = renderText(smallReport());
    expect(text).toContain('    ! no BTF for one map\n');
    expect(text).not.toContain('limitations shortened');
  });

  it('the JSON report keeps the full text: only the renderers shorten it', () => {
    expect(xdpdump.degraded).toContain('What the replay cannot show');
  });
});

describe('limitationSummary', () => {
  it('first sentence; a closing aside dropped; then clause boundaries outside quotes and brackets; then a word', () => {
    expect(limitationSummary('a short one.')).toBe('a short one');
    expect(limitationSummary('First part here. Second sentence.')).toBe('First part here');
    expect(limitationSummary('not a sentence end: v1. still going')).toBe('not a sentence end: v1. still going');
    expect(limitationSummary(`xdpdump cannot attach: "ERROR: a; b. C: d" — ${'x'.repeat(100)}`)).toBe('xdpdump cannot attach: "ERROR: a; b. C: d"');
    expect(limitationSummary(`${'w '.repeat(60)}end`, 40)).toBe(`${'w '.repeat(18)}w…`);
  });

  it('limitations: indented lines are detail of the line above', () => {
    expect(limitations('one\n  detail\ntwo')).toEqual([
      { summary: 'one', full: ['one', '  detail'], cut: true },
      { summary: 'two', full: ['two'], cut: false },
    ]);
    expect(limitations(undefined)).toEqual([]);
    expect(limitations('ends with a full stop.')).toEqual([{ summary: 'ends with a full stop', full: ['ends with a full stop.'], cut: false }]);
  });
});
