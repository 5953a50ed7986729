// src/report/markdown.ts: the same small run as Markdown.
import { describe, it, expect } from 'vitest';
import { renderMarkdown } from '../../src/report/markdown.js';
import { smallReport } from './helpers/small-report.js';

describe('renderMarkdown', () => {
  const md = renderMarkdown(smallReport());
  const lines = md.split('\n');

  it('a header with target, kernel and the result with the exit code', () => {
    expect(lines.slice(0, 5)).toEqual([
      '# xdp-doctor report', '',
      '- target: lab xdpd: l0 in xdpd-lb (probe: nc -z -w 2 192.168.10.1 50002)',
      '- kernel: 6.18.44-fc-v669, xdp-doctor 0.1.0, 2026-11-24T13:00:00.000Z',
      '- result: 2 failed, 1 errored, 1 warning(s), 2 passed, 1 skipped; exit 1',
    ]);
  });

  it('the diagnosis, ranked, with errno and the fix as a quoted sh block', () => {
    const at = lines.indexOf('### 1. XDP_TX on a veth whose peer cannot receive XDP frames');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at, at + 13)).toEqual([
      '### 1. XDP_TX on a veth whose peer cannot receive XDP frames', '',
      'cause `veth-peer-no-xdp`, confidence 97%, errno ENXIO (6)', '',
      'veth_xdp_xmit() refuses frames when the peer has no NAPI.', '',
      '- **tracepoints**: xdp_bulk_tx err=-6 on l0', '',
      'Fix: attach a dummy XDP_PASS program to the peer g1', '',
      '```sh',
      "nsenter --net=/run/netns/xdpd-gw -- ip link set dev g1 xdp obj '/opt/xdp doctor/xdp_pass.o' sec xdp",
      '```',
    ]);
    expect(md).toContain('### 2. Packets reach the XDP program and vanish after it');
  });

  it('the rungs as a table with marks ✓ ! ✗ ○, pipes in summaries escaped', () => {
    const rows = lines.slice(lines.indexOf('## Rungs')).filter((l) => /^\| [✓!✗○] \|/.test(l));
    expect(rows).toEqual([
      '| ✓ | Preflight | passed | root, bpffs, tracefs, BTF, fentry and every tool present |',
      '| ✗ | Route (tcpdump along the path) | failed | the packet reached lb l0 and was not seen after it |',
      '| ! | Map dump | warning | xdp_params_arra \\| 1 entry |',
      '| ○ | xdpdump | skipped | needs xdpdump: apt-get install xdp-tools |',
      '| ✗ | XDP tracepoints | failed | xdp_bulk_tx err -6 on l0 |',
      '| ✗ | Team latency | error | crashed: boom [plugin team@1.0.0] |',
      '| ✓ | Team ok | passed | fine |',
    ]);
  });

  it('the errno explained and the route hop by hop, from the report (not from the rungs\' evidence)', () => {
    const e = lines.indexOf('## Errno explained');
    expect(lines.slice(e, e + 8)).toEqual([
      '## Errno explained', '',
      '**ENXIO (errno 6, the kernel reports -6): No such device or address**', '',
      '- in xdp:xdp_bulk_tx on veth (l0)',
      '- meaning: the veth peer has no NAPI',
      '- kernel: drivers/net/veth.c veth_xdp_xmit()',
      '- fix: attach a dummy XDP_PASS program to the peer',
    ]);
    const r = lines.indexOf('## Route');
    expect(lines.slice(r, r + 10)).toEqual([
      '## Route', '', 'the packet reached lb l0 and was not seen after it', '',
      '| | hop | interface | requests | replies | encapsulated | |', '|---|---|---|---|---|---|---|',
      '| ✓ | gw g1 | g1 | 3 | 0 | 0 |  |',
      '| ◆ | lb l0 \\| XDP | l0 | 0 | 0 | 0 | XDP program (tcpdump cannot see what it consumed) |',
      '| ✗ | gw g2 | g2 | 0 | 0 | 0 | lost here |',
      '| ? | real r0 | r0 | 0 | 0 | 0 | not captured: permission denied |',
    ]);
  });

  it('a route nobody recorded: the reason, no table', () => {
    const rep = smallReport();
    rep.route = { ...rep.route!, hops: rep.route!.hops.map((h) => ({ ...h, state: 'unknown' as const })), verdict: 'no rung recorded the route', missing: 'no rung recorded the route' };
    const m = renderMarkdown(rep);
    expect(m).toContain('## Route\n\nno rung recorded the route\n');
    expect(m).not.toContain('| | hop |');
  });

  it('evidence in code blocks, degradations quoted, the commands each rung ran', () => {
    expect(md).toContain('### Route (tcpdump along the path) (`routing`, 12 ms)\n\n**tcpdump v1**\n\n```\n1795525696.842786 ARP, Request who-has');
    expect(md).toContain('> no BTF for one map\n');
    expect(md).toContain('Commands run:\n\n```sh\nnsenter --net=/run/netns/xdpd-gw -- tcpdump -i g1 -n -l -tt --immediate-mode\n```');
  });

  it('a clean run: nothing wrong found', () => {
    const r = smallReport();
    r.diagnosis = [];
    expect(renderMarkdown(r)).toContain('## Diagnosis\n\nNothing wrong found.\n');
  });
});
