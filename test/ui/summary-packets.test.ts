// The wizard's summary shows the report's before and after (report.packets), rendered by the shared formatter.
import { describe, expect, it } from 'vitest';
import { summarySegments } from '../../src/ui/summary.js';
import type { PacketsObservation } from '../../src/engine/types.js';
import { HEALTHY_REPORT } from './fake-engine.js';

const packets: PacketsObservation = {
  source: 'replay',
  groups: [{
    action: 'XDP_PASS', packets: [2, 3],
    before: { len: 74, kind: 'ipv4', src: '10.111.60.1', dst: '10.111.60.2', proto: 'tcp', sport: 40000, dport: 8081 },
    after: { len: 74, kind: 'ipv4', src: '10.111.60.1', dst: '10.111.60.2', proto: 'tcp', sport: 40000, dport: 8080 },
    changes: [{ field: 'l4.dport', before: '8081', after: '8080' }],
  }],
};

describe('summary: what the program did', () => {
  it('one line per group, with the change in words', () => {
    const { packets: _recorded, ...base } = HEALTHY_REPORT;
    const text = summarySegments({ report: { ...base, packets: { ...packets, check: 'xdpdump' } }, columns: 100 }).flatMap((s) => s.lines.map((l) => l.text));
    expect(text).toContain('What the program did to the packets (replayed through BPF_PROG_TEST_RUN):');
    expect(text).toContain('   TCP 10.111.60.1:40000 > 10.111.60.2:8081 ×2 XDP_PASS: destination port 8081 → 8080');
    expect(summarySegments({ report: base, columns: 100 }).flatMap((s) => s.lines.map((l) => l.text)).some((t) => t.startsWith('What the program did'))).toBe(false);
  });
});
