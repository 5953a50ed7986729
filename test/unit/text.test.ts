// src/report/text.ts: the doctor-style report of a small run.
import { describe, it, expect } from 'vitest';
import { checkLine, diagnosisLines, fixLines, probeLine, renderText } from '../../src/report/text.js';
import { smallReport } from './helpers/small-report.js';

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
