// The window ends once the evidence is in (engine/story.ts), through the built CLI as root on the real kernel: on
// each of the lab's four faults the probe is stopped well before nc's 3 s, and the run concludes what the full
// window concludes — exit code, top cause and every rung's status — side by side with --full-window. The healthy
// lab is never cut short: its probe passes on its own.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshLab, runCli, uniqueLabName } from './helpers/cli.js';

const LAB = uniqueLabName('ew');
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);

async function doctor(...extra: string[]) {
  const r = await runCli(['--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--json', ...extra]);
  let report: any;
  try { report = JSON.parse(r.stdout); } catch { throw new Error(`--json printed no report (exit ${r.exitCode}): ${r.stderr.slice(0, 500)}`); }
  return {
    exitCode: r.exitCode, durationMs: r.durationMs, report,
    top: report.diagnosis[0]?.cause as string | undefined,
    statuses: Object.fromEntries(report.checks.map((c: any) => [c.id, c.status])),
    probeMs: report.probe.endedAt - report.probe.startedAt,
  };
}

beforeAll(async () => { await freshLab(LAB); });
afterAll(async () => { await lab('down'); });

describe('the window ends once every probe packet is accounted for', () => {
  for (const [fault, cause] of [
    ['veth-peer', 'veth-peer-no-xdp'], ['params-unset', 'map-params-unset'], ['bad-iphdr', 'malformed-packet'], ['csum-offload', 'tx-checksum-partial'],
  ] as const) {
    test(`${fault}: stopped early, the same conclusion as the full window`, async () => {
      expect((await lab('break', fault)).exitCode).toBe(0);
      try {
        const early = await doctor();
        const full = await doctor('--full-window');
        expect(early.top).toBe(cause);
        expect(full.top).toBe(cause);
        expect(early.exitCode).toBe(full.exitCode);
        expect(early.statuses).toEqual(full.statuses);
        expect(early.report.probe.early?.why, early.report.probe.note).toMatch(/accounted for/);
        expect(early.probeMs).toBeLessThan(1500);
        expect(full.report.probe.early).toBeUndefined();
        expect(full.probeMs).toBeGreaterThan(2500);
      } finally {
        await lab('fix', fault);
      }
    });
  }

  test('healthy: the probe passes on its own, never cut short', async () => {
    const r = await doctor();
    expect(r.exitCode).toBe(0);
    expect(r.report.probe.ok).toBe(true);
    expect(r.report.probe.early).toBeUndefined();
  });
});
