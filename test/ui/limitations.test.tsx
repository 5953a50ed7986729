// A degraded rung in the wizard: one line per limitation, the full text only in `d` (src/ui/details.tsx).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import type { CheckRecord, RunReport } from '../../src/engine/types.js';
import { RungRow } from '../../src/ui/rungs.js';
import { detailLines } from '../../src/ui/details.js';
import { REPLAY_LIMITS, REPLAY_SUMMARY } from '../../checks/xdpdump-replay.js';
import { plain, renderTui, waitForText, type Rendered } from './helpers.js';

// Recorded on the veth-peer lab where fentry is refused (the xdpdump rung fell back to the replay).
const report = JSON.parse(readFileSync(new URL('./fixtures/report-veth-peer.json', import.meta.url), 'utf8')) as RunReport;
const recorded = report.checks.find((c) => c.id === 'xdpdump')!;
const xdpdump: CheckRecord = {
  ...recorded,
  degraded: `${REPLAY_SUMMARY}\n  ${recorded.degraded!.replace(/ What the replay cannot show:.*$/, '')} What the replay cannot show: ${REPLAY_LIMITS.join('; ')}.`,
};

let r: Rendered | undefined;
afterEach(() => { r?.unmount(); r = undefined; });

describe('a degraded rung', () => {
  test('shows one line per limitation and says d has the rest', async () => {
    r = renderTui(<RungRow record={xdpdump} />, { columns: 100 });
    const f = plain(await waitForText(r, 'd shows the limitations in full'));
    const bangs = f.split('\n').filter((l) => l.startsWith('  ! ')); // under the rung's own line
    expect(bangs.map((l) => l.trim())).toEqual([
      '! Replayed verdicts, not observed: no transmit or redirect errors, no real ingress interface',
    ]);
    expect(f).not.toContain('What the replay cannot show');
  });

  test('d shows the whole text', () => {
    const text = detailLines(xdpdump, 98).join(' ').replace(/\s+/g, ' ');
    expect(text).toContain('What the replay cannot show');
    for (const limit of REPLAY_LIMITS) expect(text).toContain(limit.replace(/\s+/g, ' '));
  });
});
